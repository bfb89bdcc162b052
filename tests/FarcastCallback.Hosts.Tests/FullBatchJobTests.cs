using FarcastCallback.Hosts.FullBatch;
using FarcastCallback.Hosts.Training;
using FarcastCallback.Lab.Reporting;

namespace FarcastCallback.Hosts.Tests;

public sealed class FullBatchJobTests
{
    private static readonly FarcastOptions Options = new() { WarmupSteps = 5, InputSteps = 3, Horizon = 6, MinJump = 6, RefitEvery = 0 };

    [Test]
    public void Both_runs_start_alike_the_loss_is_recorded_every_step_and_time_to_target_is_the_first_step_at_or_below_it()
    {
        using var task = new PinnTask(points: 32);
        var settings = new FullBatchSettings(Steps: 40, Seeds: 2, FirstSeed: 3, LearningRate: 1e-2, EvaluateEvery: 10);

        var results = FullBatchJob.Run(task, settings, Options);

        Assert.That(results, Has.Count.EqualTo(2));
        var r = results[0];
        Assert.That(r.Plain.Points, Has.Count.EqualTo(41), "one loss per step's weights, and the final weights");
        Assert.That(r.Plain.Points[0].Loss, Is.EqualTo(r.Farcast.Points[0].Loss), "same initial weights");
        Assert.That(r.TargetLoss, Is.EqualTo(r.Plain.Final.Loss), "the plain run's final loss");
        var first = r.Plain.Points.First(p => p.Loss <= r.TargetLoss);
        Assert.That(r.Plain.Time.Steps, Is.EqualTo(first.RealSteps));
        Assert.That(r.Farcast.Final.EffectiveSteps - r.Farcast.Final.RealSteps, Is.EqualTo(r.KeptSteps.Sum()));
        Assert.That(r.Jumps + r.RejectedJumps, Is.GreaterThan(0));
        Assert.That(r.Plain.Figures.Select(f => f.RealSteps), Is.EqualTo(new long[] { 0, 10, 20, 30, 40 }));
    }

    [Test]
    public void A_reference_rate_sets_the_target_that_both_runs_race_to()
    {
        using var task = new ClassifierTask(TabularData.TwoMoons(train: 100, test: 50));
        var settings = new FullBatchSettings(Steps: 20, LearningRate: 2e-2, ReferenceLearningRate: 1e-3, EvaluateEvery: 10);

        var result = FullBatchJob.Run(task, settings, Options).Single();

        Assert.That(result.ReferenceFinalLoss, Is.Not.Null);
        Assert.That(result.TargetLoss, Is.EqualTo(result.ReferenceFinalLoss));
        Assert.That(result.TargetLoss, Is.Not.EqualTo(result.Plain.Final.Loss));
    }

    [Test]
    public void A_run_that_never_reaches_the_target_has_no_speedup_and_says_why()
    {
        using var task = new ClassifierTask(TabularData.TwoMoons(train: 100, test: 50));
        var settings = new FullBatchSettings(Steps: 10, LearningRate: 1e-3, TargetLoss: 1e-9, EvaluateEvery: 5);

        var result = FullBatchJob.Run(task, settings, Options).Single();
        var summary = FullBatchReport.Summary(task, new[] { result }, RunInfo.Current("test"), settings, Options);

        Assert.That(result.SpeedupSteps, Is.Null);
        Assert.That(result.MissingReason, Is.EqualTo("the plain run never reached the target"));
        Assert.That(summary["speedup_steps"], Is.Null, "not reached is never reported as ×0");
        Assert.That(summary["runs"]![0]!["speedup_missing_reason"]!.GetValue<string>(), Does.Contain("never reached"));
    }

    [Test]
    public void The_report_writes_its_files_with_summary_json_last()
    {
        using var task = new InrTask(InrImage.Procedural(8), hidden: 8, layers: 1);
        var settings = new FullBatchSettings(Steps: 12, EvaluateEvery: 4);
        var results = FullBatchJob.Run(task, settings, Options);
        var folder = TinyDigits.TemporaryFolder();

        FullBatchReport.Write(folder, task, results, FullBatchReport.Summary(task, results, RunInfo.Current("test"), settings, Options));

        var files = new DirectoryInfo(folder).GetFiles();
        Assert.That(files.Select(f => f.Name).Order(), Is.EqualTo(new[] { "figures.csv", "loss-vs-seconds.png", "loss-vs-steps.png", "steps.csv", "summary.json" }));
        var summaryWritten = files.Single(f => f.Name == "summary.json").LastWriteTimeUtc;
        Assert.That(files.Select(f => f.LastWriteTimeUtc), Has.All.LessThanOrEqualTo(summaryWritten), "summary.json is written last");
        Assert.That(File.ReadLines(Path.Combine(folder, "steps.csv")).Count(), Is.EqualTo(1 + 2 * 13));
        Directory.Delete(folder, true);
    }

    [Test]
    public void The_learning_rate_grid_picks_the_rate_with_the_fewest_median_steps()
    {
        using var task = new ClassifierTask(TabularData.TwoMoons(train: 100, test: 50));
        var settings = new FullBatchSettings(Steps: 30, Seeds: 1, LearningRate: 1e-3);

        var results = LearningRateGrid.Run(task, settings, new[] { 1e-3, 1e-2 });

        Assert.That(results.Single(r => r.LearningRate == 1e-3).PerSeed.Single().Steps, Is.EqualTo(30), "the reference run itself reaches its final loss at its end");
        Assert.That(LearningRateGrid.Best(results), Is.EqualTo(1e-2), "ten times the rate gets there sooner");
        Assert.That(results.All(r => r.Stable));
    }

    [Test]
    public void A_rate_that_reaches_the_target_early_and_then_ends_above_it_is_not_the_baseline()
    {
        var target = new[] { 1.0 };
        var diverging = new LearningRateResult(0.1, new[] { new TimeToLoss(10, 1.0) }, FinalLosses: new[] { 5.0 }, target);
        var steady = new LearningRateResult(0.01, new[] { new TimeToLoss(80, 8.0) }, FinalLosses: new[] { 0.5 }, target);

        Assert.That(LearningRateGrid.Best(new[] { diverging, steady }), Is.EqualTo(0.01));
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
