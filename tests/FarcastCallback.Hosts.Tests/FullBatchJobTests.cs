using static TorchSharp.torch;
using FarcastCallback.Hosts.FullBatch;
using FarcastCallback.Hosts.Training;
using FarcastCallback.Lab.Reporting;

namespace FarcastCallback.Hosts.Tests;

public sealed class FullBatchJobTests
{
    private static readonly FarcastOptions Options = new() { WarmupSteps = 5, InputSteps = 3, Horizon = 6, MinJump = 6, RefitEvery = 0 };

    [Test]
    public void Both_runs_start_alike_and_race_to_the_plain_runs_best_smoothed_target_read_at_every_step()
    {
        using var task = new PinnTask(points: 32);
        var settings = new FullBatchSettings(Steps: 40, Seeds: 2, FirstSeed: 3, LearningRate: 1e-2, EvaluateEvery: 10);

        var results = FullBatchJob.Run(task, settings, Options);

        Assert.That(results, Has.Count.EqualTo(2));
        var r = results[0];
        Assert.That(r.Plain.Points, Has.Count.EqualTo(41), "one loss per step's weights, and the final weights");
        Assert.That(r.Plain.Readings, Has.Count.EqualTo(41), "one reading of the same weights");
        Assert.That(r.Plain.Points[0].Loss, Is.EqualTo(r.Farcast.Points[0].Loss), "same initial weights");
        Assert.That(r.Plain.Readings[0].Target, Is.EqualTo(r.Farcast.Readings[0].Target));
        var means = SmoothedTarget.TrailingMeans(r.Plain.Targets);
        Assert.That(r.Target, Is.EqualTo(means.Where(double.IsFinite).Min()), "the plain run's best mean of 10 steps of the L2 error");
        Assert.That(r.Plain.Time.Steps, Is.EqualTo(r.Plain.Points[Array.IndexOf(means, r.Target)].RealSteps), "plain reaches it where its mean is best");
        Assert.That(r.TargetLoss, Is.EqualTo(SmoothedTarget.Best(r.Plain.Losses)), "the training-loss race by the same rule");
        Assert.That(r.TargetDescription, Does.StartWith("L2 error "));
        Assert.That(r.Farcast.Final.EffectiveSteps - r.Farcast.Final.RealSteps, Is.EqualTo(r.KeptSteps.Sum()));
        Assert.That(r.Jumps + r.RejectedJumps, Is.GreaterThan(0));
    }

    [Test]
    public void The_step_loss_guard_judges_every_jump_by_the_training_loss_the_steps_compute()
    {
        using var task = new PinnTask(points: 32);
        var settings = new FullBatchSettings(Steps: 150, FirstSeed: 3, LearningRate: 3e-3, StepLossGuard: true);
        var options = new FarcastOptions { WarmupSteps = 5, InputSteps = 3, Horizon = 6, MinJump = 6, RefitEvery = 0, JudgeAfterSteps = 1 };

        var r = FullBatchJob.Run(task, settings, options).Single();

        Assert.That(r.Jumps, Is.GreaterThan(0));
        Assert.That(r.RejectedJumps, Is.GreaterThan(0));
        Assert.That(r.Farcast.Final.EffectiveSteps - r.Farcast.Final.RealSteps, Is.EqualTo(r.KeptSteps.Sum() - r.RejectedJumps),
            "a kept jump adds its length; a rolled-back one leaves its judged step real and adds nothing");
        Assert.That(r.Farcast.Points.Count(p => !p.Stands), Is.EqualTo(r.RejectedJumps), "each rolled-back jump voids the one point judged on it");
        Assert.That(r.Plain.Points.Select(p => p.Loss), Is.EqualTo(FullBatchJob.Run(task, settings with { StepLossGuard = false }, options).Single().Plain.Points.Select(p => p.Loss)),
            "the plain run is the same whichever guard the farcast run uses");
    }

    [Test]
    public void Points_on_weights_a_delayed_judgement_rolled_back_do_not_stand_and_no_target_counts_them()
    {
        using var task = new PinnTask(points: 32);
        random.manual_seed(5);
        using var model = task.CreateModel();
        var options = new FarcastOptions { WarmupSteps = 5, InputSteps = 3, Horizon = 6, MinJump = 6, RefitEvery = 0, JudgeAfterSteps = 2 };
        using var farcast = new FarcastOptimizer(optim.Adam(model.parameters(), 1e-2), options);
        var calls = 0;
        farcast.VerificationLoss = () => ++calls * (float)calls;   // ever faster rising: every jump fails its judgement
        var rejected = new List<long>();
        farcast.JumpRejected += (_, e) =>
        {
            if (e.JudgedAfterSteps > 0) rejected.Add(farcast.RealSteps);
        };
        var run = new FullBatchRun(task, model, farcast);

        for (var step = 0; step < 40; step++) run.Step();
        run.Finish();

        Assert.That(rejected, Is.Not.Empty);
        var voided = rejected.SelectMany(k => new[] { k - 2, k - 1 }).ToHashSet();
        Assert.That(run.Points.Where(p => !p.Stands).Select(p => p.RealSteps), Is.EqualTo(voided.OrderBy(k => k)),
            "the points of the two judged steps, measured on the jumped weights");

        // A target that only the voided points reach is not reached.
        var values = run.Points.Select(p => p.Stands ? 1.0 : 0.0).ToArray();
        Assert.That(TimeToTarget.Of(run.Points, values, 0.5).Steps, Is.Null);
        Assert.That(TimeToTarget.Of(run.Points, values, 1.0).Steps, Is.EqualTo(run.Points[SmoothedTarget.Window - 1].RealSteps));
    }

    [Test]
    public void A_weight_average_of_decay_0_is_read_as_the_weights_themselves_entry_for_entry()
    {
        using var task = new PinnTask(points: 32);
        random.manual_seed(5);
        using var model = task.CreateModel();
        using var average = new ExponentialWeightAverage(model.parameters(), decay: 0);
        var run = new FullBatchRun(task, model, optim.Adam(model.parameters(), 1e-2), average: average);

        for (var step = 0; step < 12; step++) run.Step();
        run.Finish();

        Assert.That(run.AverageReadings, Has.Count.EqualTo(run.Readings.Count), "one reading of the average per point, the final weights' included");
        Assert.That(run.AverageReadings.Select(r => r.Target), Is.EqualTo(run.Readings.Select(r => r.Target)), "read at the same weights, at the same steps");
        Assert.That(run.AverageLosses, Is.EqualTo(run.Points.Select(p => p.Loss)).Within(1e-6).Percent);
    }

    [Test]
    public void A_weight_average_leaves_training_unchanged_starts_again_at_every_kept_jump_and_gets_its_curves_in_the_summary()
    {
        using var task = new PinnTask(points: 32);
        var settings = new FullBatchSettings(Steps: 60, FirstSeed: 3, LearningRate: 1e-2, EvaluateEvery: 10, Guard: false);
        var plainOnly = FullBatchJob.Run(task, settings, Options).Single();

        var r = FullBatchJob.Run(task, settings with { AverageDecay = 0.9 }, Options).Single();

        Assert.That(r.Plain.Points.Select(p => p.Loss), Is.EqualTo(plainOnly.Plain.Points.Select(p => p.Loss)), "averaging reads the weights, it never moves them");
        Assert.That(r.Farcast.Points.Select(p => p.Loss), Is.EqualTo(plainOnly.Farcast.Points.Select(p => p.Loss)));
        Assert.That(plainOnly.Plain.Average, Is.Null);
        var (plainAverage, farcastAverage) = (r.Plain.Average!, r.Farcast.Average!);
        Assert.That(plainAverage.Readings[0].Target, Is.EqualTo(r.Plain.Readings[0].Target), "the average starts at the initial weights");
        Assert.That(plainAverage.Readings[^1].Target, Is.Not.EqualTo(r.Plain.Readings[^1].Target));
        Assert.That(r.Jumps, Is.GreaterThan(0));
        // After each kept jump the average starts again at the jumped weights: the next point reads the same weights twice.
        var jumpedAt = Enumerable.Range(1, r.Farcast.Points.Count - 1).Where(i => r.Farcast.Points[i].EffectiveSteps - r.Farcast.Points[i - 1].EffectiveSteps > 1).ToArray();
        Assert.That(jumpedAt, Has.Length.EqualTo(r.Jumps));
        foreach (var i in jumpedAt)
            Assert.That(farcastAverage.Readings[i].Target, Is.EqualTo(r.Farcast.Readings[i].Target), $"point {i}, just after a jump");

        var summary = FullBatchReport.Summary(task, new[] { r }, RunInfo.Current("test"), settings, Options);
        var curves = summary["curves"]!;
        Assert.That(curves["plain_ema"]!["final_l2_relative_error"]!.GetValue<double>(), Is.EqualTo(plainAverage.FinalFigure));
        Assert.That(curves["plain_ema_vs_plain"]!["target_steps"]!["median"]?.GetValue<double>(), Is.EqualTo(Speedup.Ratio(r.Plain.Time.Steps, plainAverage.Time.Steps)));
        Assert.That(curves["farcast_ema_vs_plain_ema"]!["loss_steps"], Is.Not.Null);
        Assert.That(FullBatchReport.Summary(task, new[] { plainOnly }, RunInfo.Current("test"), settings, Options)["curves"], Is.Null, "no average, no curves");
    }

    [Test]
    public void The_classifier_races_to_the_best_validation_loss_and_reports_test_accuracy_there()
    {
        using var task = new ClassifierTask(TabularData.Spirals(train: 300, validation: 150, test: 150));
        var settings = new FullBatchSettings(Steps: 60, LearningRate: 1e-2);

        var r = FullBatchJob.Run(task, settings, Options).Single();

        Assert.That(task.TargetName, Is.EqualTo("validation_loss"));
        Assert.That(r.TargetDescription, Does.Match(@"^validation loss [0-9.]+ \(accuracy [0-9.]+ %\)$"));
        var reached = (int)r.Plain.Time.Steps!.Value;
        Assert.That(r.Plain.Time.Figure, Is.EqualTo(r.Plain.Readings[reached].Figure), "the test accuracy of the weights at the step it reached the target");
        Assert.That(r.Plain.Time.Figure, Is.InRange(0.0, 1.0));
    }

    [Test]
    public void A_reference_rate_sets_the_targets_that_both_runs_race_to()
    {
        using var task = new ClassifierTask(TabularData.TwoMoons(train: 100, validation: 50, test: 50));
        var settings = new FullBatchSettings(Steps: 20, LearningRate: 2e-2, ReferenceLearningRate: 1e-3, EvaluateEvery: 10);

        var result = FullBatchJob.Run(task, settings, Options).Single();

        Assert.That(result.ReferenceLearningRate, Is.EqualTo(1e-3));
        Assert.That(result.Target, Is.Not.EqualTo(SmoothedTarget.Best(result.Plain.Targets)), "the reference run's best, not the plain run's");
        Assert.That(result.Plain.Time.Steps, Is.Not.Null, "at 20 times the rate the plain run gets there within the budget");
    }

    [Test]
    public void A_run_that_never_reaches_the_target_has_no_speedup_and_says_why()
    {
        using var task = new ClassifierTask(TabularData.TwoMoons(train: 100, validation: 50, test: 50));
        var settings = new FullBatchSettings(Steps: 10, LearningRate: 1e-3, ReferenceLearningRate: 0.05, TargetLoss: 1e-9, EvaluateEvery: 5);

        var result = FullBatchJob.Run(task, settings, Options).Single();
        var summary = FullBatchReport.Summary(task, new[] { result }, RunInfo.Current("test"), settings, Options);

        Assert.That(result.SpeedupSteps, Is.Null);
        Assert.That(result.MissingReason, Is.EqualTo("the plain run never reached the target"), "a reference 50 times faster sets a target out of reach");
        Assert.That(result.LossSpeedupSteps, Is.Null);
        Assert.That(summary["speedup_steps"], Is.Null, "not reached is never reported as ×0");
        Assert.That(summary["training_loss_race"]!["speedup_steps"], Is.Null);
        Assert.That(summary["runs"]![0]!["speedup_missing_reason"]!.GetValue<string>(), Does.Contain("never reached"));
    }

    [Test]
    public void The_report_writes_its_files_with_summary_json_last()
    {
        using var task = new InrTask(InrImage.Procedural(8), hidden: 8, layers: 1);
        var settings = new FullBatchSettings(Steps: 12, EvaluateEvery: 4);
        var results = FullBatchJob.Run(task, settings, Options);
        var folder = TinyDigits.TemporaryFolder();

        FullBatchReport.Write(folder, task, results, FullBatchReport.Summary(task, results, RunInfo.Current("test"), settings, Options), settings.EvaluateEvery);

        var files = new DirectoryInfo(folder).GetFiles();
        Assert.That(files.Select(f => f.Name).Order(), Is.EqualTo(new[] { "figures.csv", "loss-vs-seconds.png", "loss-vs-steps.png", "steps.csv", "summary.json", "target-vs-steps.png" }));
        var summaryWritten = files.Single(f => f.Name == "summary.json").LastWriteTimeUtc;
        Assert.That(files.Select(f => f.LastWriteTimeUtc), Has.All.LessThanOrEqualTo(summaryWritten), "summary.json is written last");
        Assert.That(File.ReadLines(Path.Combine(folder, "steps.csv")).Count(), Is.EqualTo(1 + 2 * 13));
        Assert.That(File.ReadLines(Path.Combine(folder, "figures.csv")).Count(), Is.EqualTo(1 + 2 * 4), "steps 0, 4, 8 and 12 of both runs");
        var summary = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")))!;
        Assert.That(summary["target"]!["name"]!.GetValue<string>(), Is.EqualTo("mse"));
        Assert.That(summary["target"]!["description"]!.GetValue<string>(), Does.StartWith("PSNR "));
        Directory.Delete(folder, true);
    }

    [Test]
    public void The_learning_rate_grid_picks_the_rate_with_the_fewest_median_steps()
    {
        using var task = new ClassifierTask(TabularData.TwoMoons(train: 100, validation: 50, test: 50));
        var settings = new FullBatchSettings(Steps: 30, Seeds: 1, LearningRate: 1e-3);

        var results = LearningRateGrid.Run(task, settings, new[] { 1e-3, 1e-2 });

        Assert.That(results.Single(r => r.LearningRate == 1e-3).PerSeed.Single().Steps, Is.Not.Null, "the reference run reaches its own best");
        Assert.That(LearningRateGrid.Best(results), Is.EqualTo(1e-2), "ten times the rate gets there sooner");
        Assert.That(results.All(r => r.Stable));
    }

    [Test]
    public void A_rate_that_misses_the_target_on_most_seeds_is_not_the_baseline()
    {
        var lucky = new LearningRateResult(0.1, new[] { new TimeToTarget(10, 1.0), new TimeToTarget(null, null), new TimeToTarget(null, null) });
        var steady = new LearningRateResult(0.01, new[] { new TimeToTarget(80, 8.0), new TimeToTarget(90, 9.0), new TimeToTarget(null, null) });

        Assert.That(LearningRateGrid.Best(new[] { lucky, steady }), Is.EqualTo(0.01));
    }

    [Test]
    public void The_smoothed_target_ignores_a_single_lucky_reading_and_a_crossing_must_hold_for_a_window()
    {
        var plain = Enumerable.Repeat(1.0, 30).ToArray();
        plain[12] = 0.01;                                        // one lucky step
        for (var i = 20; i < 30; i++) plain[i] = 0.5;            // a real improvement
        var target = SmoothedTarget.Best(plain);
        Assert.That(target, Is.EqualTo(0.5).Within(1e-12), "the lucky step lowers one window's mean to 0.901, not to 0.5");
        Assert.That(SmoothedTarget.FirstReached(plain, target), Is.EqualTo(29));

        var early = Enumerable.Repeat(1.0, 30).ToArray();
        for (var i = 5; i < 15; i++) early[i] = 0.4;             // gets there earlier and holds for ten steps
        Assert.That(SmoothedTarget.FirstReached(early, target), Is.EqualTo(13), "steps 4-13 average 0.46");
        Assert.That(SmoothedTarget.FirstReached(new[] { 0.0, 0.0 }, 1.0), Is.Null, "no whole window yet");
        Assert.That(SmoothedTarget.Best(new[] { double.NaN, 1.0 }, window: 1), Is.EqualTo(1.0), "a diverged window does not set the target");
    }

    [Test]
    public void Speedup_medians_count_a_run_that_did_not_reach_the_target_as_slowest()
    {
        Assert.That(Speedup.Median(new double?[] { 1.5, null, 2.0 }), Is.EqualTo(1.5));
        Assert.That(Speedup.Median(new double?[] { 1.5, null, null }), Is.Null);
        Assert.That(Speedup.MedianTime(new double?[] { 100, null, 300 }), Is.EqualTo(300));
        Assert.That(Speedup.Ratio(100, null), Is.Null);
        Assert.That(Speedup.Ratio(100, 0), Is.Null);
        Assert.That(Speedup.Ratio(100, 50), Is.EqualTo(2));
    }
}
