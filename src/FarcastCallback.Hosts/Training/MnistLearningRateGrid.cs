using System.Text.Json.Nodes;
using FarcastCallback.Hosts.Mnist;
using FarcastCallback.Lab.Reporting;
using ScottPlot;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Training;

/// <summary>One seed of one rate: the plain run's evaluations on the validation images (its weights and, when kept, their average).</summary>
public sealed record MnistRateRun(int Seed, IReadOnlyList<TrainingPoint> Points)
{
    /// <summary>The final validation accuracy smoothed as a target is (<see cref="TimeToAccuracy.Target(IReadOnlyList{TrainingPoint})"/>); null when the run diverged.</summary>
    public double? FinalAccuracy => Finite(TimeToAccuracy.Target(Points, Curve.Raw));

    /// <summary>The same of the weight average; null when the run kept none or it diverged.</summary>
    public double? FinalAverageAccuracy => Finite(TimeToAccuracy.Target(Points, Curve.Average));

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}

/// <summary>One learning rate of the grid and its runs, one per seed.</summary>
public sealed record MnistRateResult(double LearningRate, IReadOnlyList<MnistRateRun> PerSeed)
{
    /// <summary>The median over seeds of <see cref="MnistRateRun.FinalAccuracy"/>, a diverged seed ranked lowest; null when half or more diverged.</summary>
    public double? MedianAccuracy => Speedup.Median(PerSeed.Select(r => r.FinalAccuracy));

    /// <summary>The same of the weight average.</summary>
    public double? MedianAverageAccuracy => Speedup.Median(PerSeed.Select(r => r.FinalAverageAccuracy));
}

/// <summary>
/// Plain training's rate for an image task whose rate is not fixed (<c>farcast mnist --lr-grid</c>): each seed trains one
/// plain run per rate — the run the paired job would train at that rate and seed, the same initial weights, batches and
/// dropout masks — evaluated on validation images the target never uses (for NiNo's split, the guard's pool of held-out
/// training images, never the test set). The best rate ends with the highest validation accuracy (median over seeds of
/// the mean of the last three evaluations): plain training at its tuned rate, the baseline farcasting must beat.
/// </summary>
public static class MnistLearningRateGrid
{
    /// <summary>
    /// Trains the grid on <paramref name="data"/> (evaluated on its validation split), seed by seed; <paramref name="seedDone"/>
    /// gets every rate's runs so far after each seed.
    /// </summary>
    public static IReadOnlyList<MnistRateResult> Run(MnistData data, MnistJobSettings settings, IReadOnlyList<double> rates,
        Action<RunProgress>? progress = null, Action<IReadOnlyList<MnistRateResult>>? seedDone = null)
    {
        using var trainer = new CnnTrainer(data, settings.Preset == MnistPreset.None ? null : MnistPresets.NinoNormalisation);
        var perRate = rates.Select(r => (Rate: r, Runs: new List<MnistRateRun>())).ToArray();
        IReadOnlyList<MnistRateResult> Results() => perRate.Select(r => new MnistRateResult(r.Rate, r.Runs.ToArray())).ToArray();
        for (var s = 0; s < settings.Seeds; s++)
        {
            var seed = settings.FirstSeed + s;
            foreach (var (rate, runs) in perRate)
                runs.Add(Train(trainer, settings with { LearningRate = rate }, seed, progress));
            seedDone?.Invoke(Results());
        }
        return Results();
    }

    /// <summary>The rate whose median final validation accuracy is highest; null when every rate diverged on half its seeds or more.</summary>
    public static double? Best(IReadOnlyList<MnistRateResult> results) =>
        results.Where(r => r.MedianAccuracy is not null).OrderByDescending(r => r.MedianAccuracy).Select(r => (double?)r.LearningRate).FirstOrDefault();

    /// <summary>lr-grid.json's content.</summary>
    public static JsonObject Summary(IReadOnlyList<MnistRateResult> results, RunInfo run, MnistJobSettings settings, string validation) => new()
    {
        ["task"] = settings.Preset.DisplayName(),
        ["validation"] = validation,
        ["criterion"] = "the highest median over seeds of plain training's final validation accuracy (the mean of its last three evaluations)",
        ["best_learning_rate"] = Best(results),
        ["rates"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
        {
            ["learning_rate"] = r.LearningRate,
            ["median_final_accuracy"] = r.MedianAccuracy,
            ["median_final_average_accuracy"] = r.MedianAverageAccuracy,
            ["final_accuracy"] = Values(r.PerSeed.Select(p => p.FinalAccuracy)),
            ["final_average_accuracy"] = Values(r.PerSeed.Select(p => p.FinalAverageAccuracy)),
            ["final_loss"] = Values(r.PerSeed.Select(p => (double?)p.Points[^1].ValidationLoss)),
        }).ToArray()),
        ["seeds"] = new JsonArray(results.FirstOrDefault()?.PerSeed.Select(p => (JsonNode)p.Seed).ToArray() ?? Array.Empty<JsonNode>()),
        ["machine"] = run.Machine,
        ["device"] = run.Device,
        ["date"] = run.Date,
        ["command"] = run.Command,
        ["settings"] = WithoutRate(settings),
    };

    /// <summary>The settings the runs share: every rate of the grid overrides the one they hold.</summary>
    private static JsonObject WithoutRate(MnistJobSettings settings)
    {
        var node = PairedRunReport.SettingsNode(settings).AsObject();
        node.Remove(nameof(MnistJobSettings.LearningRate));
        return node;
    }

    /// <summary>
    /// Writes the validation accuracy of every rate's first seed against real steps (the average dashed) as
    /// validation-accuracy-vs-steps.png, then <paramref name="summary"/> as lr-grid.json.
    /// </summary>
    public static void Write(string directory, IReadOnlyList<MnistRateResult> results, JsonObject summary)
    {
        Directory.CreateDirectory(directory);
        var plot = new Plot();
        foreach (var result in results)
            PairedRunReport.AddAccuracy(plot, FormattableString.Invariant($"lr {result.LearningRate:G3}"), result.PerSeed[0].Points, p => p.RealSteps);
        var best = results.Select(r => r.MedianAccuracy ?? 0).DefaultIfEmpty(0).Max();
        plot.Title($"{summary["task"]!.GetValue<string>()}: plain training per rate, seed {results[0].PerSeed[0].Seed}");
        plot.XLabel("real optimizer steps");
        plot.YLabel("validation accuracy");
        plot.Axes.SetLimitsY(Math.Max(0, best - 0.15), 1.0);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(Path.Combine(directory, "validation-accuracy-vs-steps.png"), 900, 540);
        JsonFiles.Write(Path.Combine(directory, "lr-grid.json"), summary);   // last: a folder with its summary holds the result
    }

    private static JsonArray Values(IEnumerable<double?> values) => new(values.Select(v => v is { } d ? JsonValue.Create(d) : null).ToArray<JsonNode?>());

    /// <summary>
    /// One plain run as <see cref="MnistJob"/> trains it at this seed (the generator seeded before the model is built, the
    /// same batches and dropout masks), evaluated every <see cref="MnistJobSettings.EvaluateEvery"/> steps and at the end.
    /// </summary>
    private static MnistRateRun Train(CnnTrainer trainer, MnistJobSettings settings, int seed, Action<RunProgress>? progress)
    {
        random.manual_seed(seed);
        using var model = settings.Preset.CreateModel();
        var optimizer = settings.CreateOptimizer(model.parameters());
        using var average = settings.AverageDecay > 0 ? new ExponentialWeightAverage(model.parameters(), settings.AverageDecay) : null;
        var run = trainer.Start(model, optimizer, settings.BatchSize, seed, schedule: settings.CreateSchedule(optimizer), average: average);
        var label = FormattableString.Invariant($"seed {seed}: plain {settings.Optimizer} lr {settings.LearningRate:G3}");
        for (var step = 1; step <= settings.Steps; step++)
        {
            run.Step();
            if (step % settings.EvaluateEvery != 0 && step != settings.Steps) continue;
            run.Record();
            progress?.Invoke(new RunProgress(label, step, settings.Steps, FormattableString.Invariant($"acc {run.Points[^1].ValidationAccuracy:P1}")));
        }
        return new MnistRateRun(seed, run.Points);
    }
}
