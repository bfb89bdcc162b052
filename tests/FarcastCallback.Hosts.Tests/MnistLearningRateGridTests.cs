using System.Text.Json.Nodes;
using FarcastCallback.Hosts.Mnist;
using FarcastCallback.Hosts.Training;
using FarcastCallback.Lab.Reporting;

namespace FarcastCallback.Hosts.Tests;

/// <summary>
/// <c>farcast mnist --lr-grid</c>: plain training's rate is tuned on the very runs the paired job trains as its
/// baseline, and the best rate is the one that ends highest.
/// </summary>
public sealed class MnistLearningRateGridTests
{
    private static readonly MnistJobSettings Settings = new(Steps: 16, Seeds: 2, FirstSeed: 4, BatchSize: 16, EvaluateEvery: 4, VerifyChunk: 5, AverageDecay: 0.9);

    private static MnistData Data()
    {
        var (pixels, labels) = TinyDigits.Make(perClass: 30);
        return MnistData.Split(new MnistImages(pixels.Select(p => p / 255f).ToArray(), labels), seed: 1, verification: 20);
    }

    /// <summary>Every figure of a curve but the clock, which differs between any two runs.</summary>
    private static object[] Figures(IEnumerable<TrainingPoint> points) =>
        points.Select(p => (object)(p.RealSteps, p.ValidationAccuracy, p.ValidationLoss, p.AverageAccuracy, p.AverageLoss)).ToArray();

    /// <summary>A run whose last three evaluations read <paramref name="accuracies"/> (and a finite loss unless it diverged).</summary>
    private static MnistRateRun Ended(int seed, double[] accuracies, bool diverged = false) =>
        new(seed, accuracies.Prepend(0.1).Select((a, i) => new TrainingPoint(i, i, i, a, diverged && i > 0 ? double.NaN : 1.0, a + 0.01, 1.0)).ToArray());

    [Test]
    public void Each_rate_trains_the_plain_run_the_paired_job_would_train_at_that_rate()
    {
        var data = Data();
        var grid = MnistLearningRateGrid.Run(data, Settings, new[] { 1e-3, 3e-3 });

        foreach (var result in grid)
        {
            var paired = MnistJob.Run(data, Settings with { LearningRate = result.LearningRate },
                new FarcastOptions { WarmupSteps = 2, InputSteps = 2, Horizon = 3, MinJump = 1, RefitEvery = 0 });
            for (var s = 0; s < Settings.Seeds; s++)
                Assert.That(Figures(result.PerSeed[s].Points), Is.EqualTo(Figures(paired[s].Baseline)), $"lr {result.LearningRate}, seed {4 + s}");
        }
        Assert.That(Figures(grid[0].PerSeed[0].Points), Is.Not.EqualTo(Figures(grid[1].PerSeed[0].Points)), "the rates train differently");
        Assert.That(grid.SelectMany(r => r.PerSeed).Select(r => r.Seed), Is.EqualTo(new[] { 4, 5, 4, 5 }));
    }

    [Test]
    public void The_best_rate_ends_highest_at_the_median_and_a_rate_diverged_on_half_its_seeds_ranks_below_every_other()
    {
        var results = new[]
        {
            new MnistRateResult(1e-4, new[] { Ended(1, new[] { 0.80, 0.80, 0.80 }), Ended(2, new[] { 0.82, 0.82, 0.82 }), Ended(3, new[] { 0.81, 0.81, 0.81 }) }),
            new MnistRateResult(1e-3, new[] { Ended(1, new[] { 0.90, 0.88, 0.86 }), Ended(2, new[] { 0.70, 0.70, 0.70 }), Ended(3, new[] { 0.85, 0.85, 0.85 }) }),
            new MnistRateResult(1e-1, new[] { Ended(1, new[] { 0.99, 0.99, 0.99 }), Ended(2, new[] { 0.1, 0.1, 0.1 }, diverged: true), Ended(3, new[] { 0.1, 0.1, 0.1 }, diverged: true) }),
        };

        Assert.That(results[1].PerSeed[0].FinalAccuracy, Is.EqualTo(0.88).Within(1e-12), "the mean of the last three evaluations");
        Assert.That(results[1].MedianAccuracy, Is.EqualTo(0.85).Within(1e-12));
        Assert.That(results[1].MedianAverageAccuracy, Is.EqualTo(0.86).Within(1e-12));
        Assert.That(results[2].PerSeed[1].FinalAccuracy, Is.Null, "a diverged run has no accuracy to rank");
        Assert.That(results[2].MedianAccuracy, Is.Null, "diverged on two seeds of three");
        Assert.That(MnistLearningRateGrid.Best(results), Is.EqualTo(1e-3));
        Assert.That(MnistLearningRateGrid.Best(results.Take(1).Concat(results.Skip(2)).ToArray()), Is.EqualTo(1e-4));
        Assert.That(MnistLearningRateGrid.Best(results.Skip(2).ToArray()), Is.Null);
    }

    [Test]
    public void The_folder_holds_each_rate_s_figures_per_seed_and_names_the_best_and_the_validation_images()
    {
        var results = new[]
        {
            new MnistRateResult(1e-3, new[] { Ended(1, new[] { 0.9, 0.9, 0.9 }), Ended(2, new[] { 0.8, 0.8, 0.8 }) }),
            new MnistRateResult(1e-1, new[] { Ended(1, new[] { 0.1, 0.1, 0.1 }, diverged: true), Ended(2, new[] { 0.95, 0.95, 0.95 }) }),
        };
        var settings = MnistPreset.CnnFashion.Settings(seeds: 2);
        var folder = Directory.CreateTempSubdirectory("farcast-lr-grid-").FullName;

        MnistLearningRateGrid.Write(folder, results, MnistLearningRateGrid.Summary(results, RunInfo.Current("farcast mnist --lr-grid"), settings, "the guard's pool"));

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "lr-grid.json")))!;
        Assert.That(json["best_learning_rate"]!.GetValue<double>(), Is.EqualTo(1e-3), "the diverged seed ranks lowest: median of (null, 0.95) is none");
        Assert.That(json["validation"]!.GetValue<string>(), Is.EqualTo("the guard's pool"));
        var rates = json["rates"]!.AsArray();
        Assert.That(rates[0]!["final_accuracy"]!.AsArray().Select(v => v!.GetValue<double>()), Is.EqualTo(new[] { 0.9, 0.8 }).Within(1e-12));
        Assert.That(rates[1]!["final_accuracy"]![0], Is.Null);
        Assert.That(rates[1]!["median_final_accuracy"], Is.Null);
        Assert.That(json["seeds"]!.AsArray().Select(v => v!.GetValue<int>()), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(json["settings"]!.AsObject().ContainsKey("LearningRate"), Is.False, "each rate of the grid overrides it");
        Assert.That(new FileInfo(Path.Combine(folder, "validation-accuracy-vs-steps.png")).Length, Is.GreaterThan(1000));
        Directory.Delete(folder, true);
    }
}
