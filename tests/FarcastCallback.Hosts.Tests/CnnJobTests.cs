using FarcastCallback.Hosts.Mnist;
using FarcastCallback.Hosts.Training;
using FarcastCallback.Lab.Reporting;

namespace FarcastCallback.Hosts.Tests;

public sealed class CnnJobTests
{
    [Test]
    public void The_paper_cnn_has_1_199_882_parameters()
    {
        using var cnn = new MnistCnn();
        Assert.That(cnn.parameters().Sum(p => p.numel()), Is.EqualTo(1_199_882));
    }

    [Test]
    public void Time_to_accuracy_takes_the_first_evaluation_at_or_above_the_target()
    {
        var points = new[]
        {
            new TrainingPoint(0, 0, 0, 0.1, 2.3), new TrainingPoint(25, 25, 1, 0.8, 0.6),
            new TrainingPoint(50, 60, 2, 0.91, 0.3), new TrainingPoint(75, 85, 3, 0.9, 0.31), new TrainingPoint(100, 110, 4, 0.92, 0.28),
        };

        Assert.That(TimeToAccuracy.Target(points), Is.EqualTo((0.91 + 0.9 + 0.92) / 3).Within(1e-12));
        var time = TimeToAccuracy.Of(points, 0.905);
        Assert.That((time.Steps, time.Seconds, time.FinalAccuracy), Is.EqualTo(((long?)50, (double?)2.0, 0.92)));
        Assert.That(TimeToAccuracy.Of(points, 0.95).Steps, Is.Null);
    }

    [Test]
    public void A_plain_run_that_diverged_sets_no_target_so_nothing_counts_as_reached_at_step_0()
    {
        var points = new[] { new TrainingPoint(0, 0, 0, 0.1, 2.3), new TrainingPoint(25, 25, 1, 0.1, double.NaN), new TrainingPoint(50, 50, 2, 0.1, double.NaN) };

        var target = TimeToAccuracy.Target(points);

        Assert.That(target, Is.NaN);
        Assert.That(TimeToAccuracy.Of(points, target).Steps, Is.Null);
    }

    [Test]
    public void A_short_job_trains_both_runs_from_the_same_start_and_reports_the_summary_fields()
    {
        var (pixels, labels) = TinyDigits.Make(perClass: 30);
        var data = MnistData.Split(new MnistImages(pixels.Select(p => p / 255f).ToArray(), labels), seed: 1, verification: 20);
        var settings = new MnistJobSettings(Steps: 12, Seeds: 2, FirstSeed: 5, BatchSize: 16, EvaluateEvery: 4);
        var options = new FarcastOptions { WarmupSteps = 2, InputSteps = 2, Horizon = 3, MinJump = 3, RefitEvery = 0, VerifyTolerance = 10 };

        var results = MnistJob.Run(data, settings, options);
        var summary = MnistJob.Summary(results, RunInfo.Current("test"), settings, options);

        Assert.That(results, Has.Count.EqualTo(2));
        Assert.That(results[0].Baseline[0].ValidationAccuracy, Is.EqualTo(results[0].Farcast[0].ValidationAccuracy), "same initial weights");
        Assert.That(results[0].Baseline[^1].RealSteps, Is.EqualTo(12));
        Assert.That(results[0].Farcast[^1].EffectiveSteps, Is.EqualTo(12 + 3 * results[0].Jumps));
        Assert.That(results[0].Jumps + results[0].RejectedJumps, Is.EqualTo(2), "cycles of 1 + 3 real steps after 2 warm-up steps");
        foreach (var key in new[] { "target_accuracy", "speedup_steps", "speedup_wallclock", "seeds", "machine", "date", "runs" })
            Assert.That(summary.ContainsKey(key), key);
        foreach (var key in new[] { "steps_to_target", "seconds_to_target", "final_accuracy", "final_loss" })
        {
            Assert.That(summary["baseline"]!.AsObject().ContainsKey(key), $"baseline.{key}");
            Assert.That(summary["farcast"]!.AsObject().ContainsKey(key), $"farcast.{key}");
        }
        Assert.That(summary["runs"]!.AsArray(), Has.Count.EqualTo(2));
        var finals = results.Select(r => r.FarcastTime.FinalAccuracy).Order().ToArray();
        Assert.That(summary["farcast"]!["final_accuracy"]!.GetValue<double>(), Is.EqualTo((finals[0] + finals[1]) / 2).Within(1e-12), "median over seeds, not the first seed");
        Assert.That(summary["settings"]!["Optimizer"]!.GetValue<string>(), Is.EqualTo("Adam"));
    }

    [Test]
    public void A_stop_mode_run_is_compared_with_the_plain_run_stopped_at_the_same_real_step()
    {
        var (pixels, labels) = TinyDigits.Make(perClass: 20);
        var data = MnistData.Split(new MnistImages(pixels.Select(p => p / 255f).ToArray(), labels), seed: 1, verification: 0);
        var settings = new MnistJobSettings(Steps: 20, BatchSize: 16, EvaluateEvery: 10, Optimizer: InnerOptimizer.Sgd, LearningRate: 0.05, Schedule: LearningRateSchedule.LinearDecay);
        var options = new FarcastOptions { WarmupSteps = 2, InputSteps = 2, Horizon = 3, MinJump = 3, RefitEvery = 0, Mode = FarcastMode.Stop, TotalSteps = 20 };

        var result = MnistJob.Run(data, settings, options).Single();

        var stop = result.Farcast[^1];
        Assert.That(stop.EffectiveSteps, Is.EqualTo(20));
        Assert.That(stop.RealSteps, Is.LessThan(20), "the run stopped on a farcast");
        Assert.That(result.Baseline.Select(p => p.RealSteps), Does.Contain(stop.RealSteps), "plain run evaluated where the farcast run stopped");
        Assert.That(result.Baseline[^1].RealSteps, Is.EqualTo(20));
    }

    [Test]
    public void The_job_writes_csv_json_and_two_plots()
    {
        var (pixels, labels) = TinyDigits.Make(perClass: 20);
        var data = MnistData.Split(new MnistImages(pixels.Select(p => p / 255f).ToArray(), labels), seed: 1, verification: 0);
        var settings = new MnistJobSettings(Steps: 6, BatchSize: 16, EvaluateEvery: 3, AverageDecay: 0.9);   // the plots draw the averages too
        var options = new FarcastOptions { WarmupSteps = 1, InputSteps = 2, Horizon = 2, MinJump = 2 };
        var results = MnistJob.Run(data, settings, options);
        var folder = TinyDigits.TemporaryFolder();

        MnistJob.Write(folder, results, MnistJob.Summary(results, RunInfo.Current("test"), settings, options), settings);

        Assert.That(Directory.GetFiles(folder).Select(Path.GetFileName).Order(),
            Is.EqualTo(new[] { "accuracy-vs-seconds.png", "accuracy-vs-steps.png", "steps.csv", "summary.json" }));
        Assert.That(File.ReadLines(Path.Combine(folder, "steps.csv")).First(), Is.EqualTo("seed,run,real_steps,effective_steps,seconds,validation_accuracy,validation_loss,average_accuracy,average_loss,stands"));
        Directory.Delete(folder, true);
    }
}
