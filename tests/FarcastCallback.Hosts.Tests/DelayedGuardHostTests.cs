using FarcastCallback.Hosts.Mnist;
using FarcastCallback.Hosts.Training;
using FarcastCallback.Lab.Reporting;
using TorchSharp;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Tests;

/// <summary>The hosts' side of the delayed guard and of the weight average: crossings that stand, and the curves' rows.</summary>
public sealed class DelayedGuardHostTests
{
    private static TrainingPoint Point(long step, double accuracy, double loss, double? averageAccuracy = null, bool stands = true) =>
        new(step, step, step / 10.0, accuracy, loss, averageAccuracy, averageAccuracy is null ? null : loss, stands);

    [Test]
    public void A_crossing_stands_when_the_mean_of_the_last_four_evaluations_reaches_the_target()
    {
        // One lucky evaluation at step 20 crosses first; the four-evaluation mean first reaches 0.9 at step 70.
        var accuracies = new[] { 0.5, 0.8, 0.91, 0.85, 0.88, 0.9, 0.9, 0.92, 0.93 };
        var points = accuracies.Select((a, i) => Point(10 * i, a, 1 - a)).ToArray();

        var times = CurveTimes.Of(points, Curve.Raw, targetAccuracy: 0.9, targetLoss: 0.1)!;

        Assert.That(times.FirstCrossing, Is.EqualTo(20));
        Assert.That(times.StandingCrossing, Is.EqualTo(70), "(0.9 + 0.9 + 0.92 + 0.88) / 4 = 0.9 at step 70; at 60 the mean is 0.8825");
        Assert.That(times.StandingCrossingSeconds, Is.EqualTo(7.0));
        Assert.That(times.LossReached, Is.EqualTo(20));
        Assert.That(times.FinalAccuracy, Is.EqualTo(0.93));
        Assert.That(CurveTimes.Of(points, Curve.Average, 0.9, 0.1), Is.Null, "a run without an average has no average curve");
    }

    [Test]
    public void Points_measured_on_rolled_back_weights_count_for_no_crossing()
    {
        var points = new[] { Point(0, 0.5, 0.5, 0.5), Point(10, 0.95, 0.05, 0.95, stands: false), Point(20, 0.6, 0.4, 0.6), Point(30, 0.92, 0.08, 0.7) };

        Assert.That(CurveTimes.Of(points, Curve.Raw, 0.9, 0.1)!.FirstCrossing, Is.EqualTo(30));
        Assert.That(CurveTimes.Of(points, Curve.Average, 0.9, 0.1)!.FirstCrossing, Is.Null);
        Assert.That(TimeToAccuracy.Of(points, 0.9).Steps, Is.EqualTo(30));
        Assert.That(TimeToAccuracy.OfLoss(points, 0.1).Steps, Is.EqualTo(30));
    }

    [Test]
    public void A_job_with_a_delayed_guard_and_a_weight_average_reports_every_curve_and_what_each_control_explains()
    {
        var (pixels, labels) = TinyDigits.Make(perClass: 30);
        var data = MnistData.Split(new MnistImages(pixels.Select(p => p / 255f).ToArray(), labels), seed: 1, verification: 20);
        var settings = new MnistJobSettings(Steps: 24, Seeds: 2, FirstSeed: 5, BatchSize: 16, EvaluateEvery: 2, VerifyChunk: 10, AverageDecay: 0.9);
        var options = new FarcastOptions { WarmupSteps = 2, InputSteps = 2, Horizon = 3, MinJump = 1, RefitEvery = 0, JudgeAfterSteps = 3 };

        var results = MnistJob.Run(data, settings, options);
        var summary = MnistJob.Summary(results, RunInfo.Current("test"), settings, options);

        var farcast = results[0].Farcast;
        Assert.That(farcast.All(p => p.AverageAccuracy is not null), "every evaluation measures the average too");
        Assert.That(results[0].Baseline[0].AverageAccuracy, Is.EqualTo(results[0].Baseline[0].ValidationAccuracy), "the average starts at the weights");
        Assert.That(results.Sum(r => r.Jumps + r.RejectedJumps), Is.GreaterThan(0));
        Assert.That(results.All(r => r.Baseline.All(p => p.Stands)), "a plain run has nothing to roll back");
        var curves = summary["curves"]!.AsObject();
        foreach (var name in PairedSeedResult.CurveNames)
            Assert.That(curves[name]!.AsObject().Select(kv => kv.Key), Is.SupersetOf(new[] { "first_crossing", "standing_crossing", "loss_reached", "final_accuracy" }), name);
        foreach (var key in PairedSeedResult.CurveNames.Concat(new[] { "farcast_vs_plain", "plain_ema_vs_plain", "farcast_vs_plain_ema", "farcast_ema_vs_plain_ema", "farcast_ema_vs_plain" }))
            Assert.That(curves.ContainsKey(key), key);
        Assert.That(curves["plain_ema_vs_plain"]!["standing_steps"]!["per_seed"]!.AsArray(), Has.Count.EqualTo(2));
    }

    [Test]
    public void A_jump_rolled_back_after_its_delay_voids_the_evaluations_made_on_it_and_restarts_the_average()
    {
        var (pixels, labels) = TinyDigits.Make(perClass: 10);
        var data = MnistData.Split(new MnistImages(pixels.Select(p => p / 255f).ToArray(), labels), seed: 1, verification: 10);
        using var trainer = new CnnTrainer(data);
        random.manual_seed(3);
        using var model = new MnistCnn();
        using var farcast = new FarcastOptimizer(optim.Adam(model.parameters(), 1e-3),
            new FarcastOptions { WarmupSteps = 1, InputSteps = 2, Horizon = 2, MinJump = 2, RefitEvery = 0, JudgeAfterSteps = 2 });
        var readings = new Queue<float>(new[] { 1f, 1f, 9f });   // recent start, before the jump, after the delay: far worse
        farcast.VerificationLoss = () => readings.Dequeue();
        using var average = new ExponentialWeightAverage(model.parameters(), 0.5);
        var run = trainer.Start(model, farcast, batchSize: 8, seed: 3, () => farcast.EffectiveSteps, average: average);

        for (var i = 0; i < 7; i++)
        {
            run.Step();
            run.Record();
        }

        // Window: starts before step 2, recent start after 3, jump written after step 4, judged (and rolled back) after 6.
        Assert.That(farcast.RejectedJumps, Is.EqualTo(1));
        Assert.That(run.Points.Where(p => !p.Stands).Select(p => p.RealSteps), Is.EqualTo(new long[] { 4, 5 }),
            "the points measured on the jumped weights; the point after step 6 was recorded after the rollback");
        Assert.That(average.Updates, Is.EqualTo(2), "restarted by the rollback inside step 6, then updated after steps 6 and 7");
    }

    [Test]
    public void A_race_rolled_back_counts_its_twin_steps_voids_the_jumped_evaluations_and_goes_on_from_the_twin()
    {
        var (pixels, labels) = TinyDigits.Make(perClass: 10);
        var data = MnistData.Split(new MnistImages(pixels.Select(p => p / 255f).ToArray(), labels), seed: 1, verification: 10);
        using var trainer = new CnnTrainer(data);
        random.manual_seed(3);
        using var model = new MnistCnn();
        using var farcast = new FarcastOptimizer(optim.Adam(model.parameters(), 1e-3), new FarcastOptions
        {
            WarmupSteps = 1, InputSteps = 2, Horizon = 2, MinJump = 2, RefitEvery = 0, JudgeAfterSteps = 2, JudgeAgainst = FarcastCounterfactual.Race,
        });
        var readings = new Queue<float>(new[] { 1f, 1f, 9f, 1f });   // recent start, before the jump, after the delay, the twin
        farcast.VerificationLoss = () => readings.Dequeue();
        var run = trainer.Start(model, farcast, batchSize: 8, seed: 3, () => farcast.EffectiveSteps);

        for (var i = 0; i < 7; i++)
        {
            run.Step();
            run.Record();
        }

        // Written after step 4; steps 5 and 6 each train the twin first (real steps 5 and 7), judged and rolled back in step 6.
        Assert.That(farcast.RejectedJumps, Is.EqualTo(1));
        Assert.That(run.Points.Select(p => p.RealSteps), Is.EqualTo(new long[] { 0, 1, 2, 3, 4, 6, 8, 9 }));
        Assert.That(run.Points.Where(p => !p.Stands).Select(p => p.RealSteps), Is.EqualTo(new long[] { 4, 6 }));
        Assert.That(farcast.EffectiveSteps, Is.EqualTo(7), "the twin trained steps 5 and 6 from the pre-jump weights");
    }

    [Test]
    public void A_job_racing_its_jumps_reports_how_often_the_trend_agreed_and_counts_the_twin_steps()
    {
        var (pixels, labels) = TinyDigits.Make(perClass: 30);
        var data = MnistData.Split(new MnistImages(pixels.Select(p => p / 255f).ToArray(), labels), seed: 1, verification: 20);
        var settings = new MnistJobSettings(Steps: 24, Seeds: 1, FirstSeed: 5, BatchSize: 16, EvaluateEvery: 2, VerifyChunk: 10);
        var options = new FarcastOptions
        {
            WarmupSteps = 2, InputSteps = 2, Horizon = 3, MinJump = 1, RefitEvery = 0, JudgeAfterSteps = 3, JudgeAgainst = FarcastCounterfactual.Race,
        };

        var results = MnistJob.Run(data, settings, options);
        var summary = MnistJob.Summary(results, RunInfo.Current("test"), settings, options);

        var judged = results[0].Jumps + results[0].RejectedJumps;
        Assert.That(judged, Is.GreaterThan(0));
        Assert.That(summary["race_trend_agreement"]!["judged"]!.GetValue<int>(), Is.EqualTo(judged));
        var agreed = summary["race_trend_agreement"]!["trend_agreed"]!.GetValue<int>();
        var trendKeeps = summary["race_trend_agreement"]!["trend_would_keep"]!.GetValue<int>();
        // The trend keeps what the race kept where they agree, and what the race rejected where they do not.
        Assert.That(trendKeeps, Is.InRange(Math.Max(0, results[0].Jumps - (judged - agreed)), results[0].Jumps + (judged - agreed)));
        Assert.That(results[0].Farcast[^1].RealSteps, Is.EqualTo(24 + 3 * judged), "every judgement trained its twin for 3 steps");
        Assert.That(results[0].Baseline[^1].RealSteps, Is.EqualTo(24));
    }
}
