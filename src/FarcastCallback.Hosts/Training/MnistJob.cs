using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FarcastCallback.Hosts.Mnist;
using FarcastCallback.Lab.Reporting;
using Microsoft.Extensions.Logging;
using ScottPlot;
using TorchSharp;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Training;

/// <summary>Settings of <c>farcast mnist</c>.</summary>
public sealed record MnistJobSettings(int Steps = 400, int Seeds = 1, int FirstSeed = 1, int BatchSize = 64, double LearningRate = 1e-3, int EvaluateEvery = 25, int SplitSeed = 0);

/// <summary>One seed's plain and farcast runs.</summary>
public sealed record MnistSeedResult(int Seed, IReadOnlyList<TrainingPoint> Baseline, IReadOnlyList<TrainingPoint> Farcast,
    double TargetAccuracy, TimeToAccuracy BaselineTime, TimeToAccuracy FarcastTime, int Jumps, int RejectedJumps)
{
    /// <summary>Baseline / farcast real steps to the target; 0 when the farcast run never reached it.</summary>
    public double SpeedupSteps => Ratio(BaselineTime.Steps, FarcastTime.Steps);

    /// <summary>Baseline / farcast training seconds to the target; 0 when the farcast run never reached it.</summary>
    public double SpeedupWallclock => Ratio(BaselineTime.Seconds, FarcastTime.Seconds);

    private static double Ratio(double? baseline, double? farcast) =>
        baseline is { } b && farcast is { } f ? (f > 0 ? b / f : double.PositiveInfinity) : 0.0;
}

/// <summary>
/// The main job: the paper's CNN trained twice per seed from the same initial weights, batch order and dropout
/// masks — plain Adam, and Adam wrapped in <see cref="FarcastOptimizer"/> with a held-out verification batch — for
/// the same number of real steps, the two runs interleaved step by step so machine noise hits both alike;
/// time-to-accuracy against the plain run's final validation accuracy.
/// </summary>
public static class MnistJob
{
    public static IReadOnlyList<MnistSeedResult> Run(MnistData data, MnistJobSettings settings, FarcastOptions farcastOptions,
        ILogger? logger = null, Action<string, int, int>? progress = null)
    {
        using var trainer = new CnnTrainer(data);
        var results = new List<MnistSeedResult>();
        for (var s = 0; s < settings.Seeds; s++)
        {
            var seed = settings.FirstSeed + s;
            random.manual_seed(seed);
            using var plainModel = new MnistCnn();
            using var farcastModel = new MnistCnn();
            farcastModel.load_state_dict(plainModel.state_dict());

            var plainOptimizer = optim.Adam(plainModel.parameters(), settings.LearningRate);
            using var farcast = new FarcastOptimizer(optim.Adam(farcastModel.parameters(), settings.LearningRate), farcastOptions, logger);
            if (data.Verification.Count > 0) farcast.VerificationLoss = () => trainer.VerificationLoss(farcastModel);

            // Interleaved step by step: both runs share the machine's load, so their clocks compare fairly.
            var plain = trainer.Start(plainModel, plainOptimizer, settings.BatchSize, seed);
            var farcasting = trainer.Start(farcastModel, farcast, settings.BatchSize, seed, () => farcast.EffectiveSteps, () => farcast.ShouldStop);
            var plainProgress = Report(progress, $"seed {seed}: plain Adam", settings.Steps);
            var farcastProgress = Report(progress, $"seed {seed}: farcast", settings.Steps);
            for (var step = 1; step <= settings.Steps; step++)
            {
                plain.Step();
                farcasting.Step();
                if (step % settings.EvaluateEvery == 0 || step == settings.Steps)
                {
                    plain.Record();
                    if (!farcasting.Stopped || farcasting.Points[^1].RealSteps != farcasting.RealSteps) farcasting.Record();
                    plainProgress?.Report(step);
                    farcastProgress?.Report(step);
                }
            }
            var baseline = plain.Points;
            var farcastRun = farcasting.Points;

            var target = TimeToAccuracy.Target(baseline);
            results.Add(new MnistSeedResult(seed, baseline, farcastRun, target,
                TimeToAccuracy.Of(baseline, target), TimeToAccuracy.Of(farcastRun, target), farcast.Jumps, farcast.RejectedJumps));
        }
        return results;
    }

    /// <summary>summary.json: target, per-run figures, median speedups with their range, seeds, machine, date, runs.</summary>
    public static JsonObject Summary(IReadOnlyList<MnistSeedResult> results, RunInfo run, MnistJobSettings settings, FarcastOptions options)
    {
        var summary = SeedRun(results[0]);
        summary.Remove("seed");
        summary["target_accuracy"] = Median(results.Select(r => r.TargetAccuracy));
        summary["speedup_steps"] = Median(results.Select(r => r.SpeedupSteps));
        summary["speedup_wallclock"] = Median(results.Select(r => r.SpeedupWallclock));
        summary["speedup_steps_range"] = new JsonArray(results.Min(r => r.SpeedupSteps), results.Max(r => r.SpeedupSteps));
        summary["speedup_wallclock_range"] = new JsonArray(results.Min(r => r.SpeedupWallclock), results.Max(r => r.SpeedupWallclock));
        summary["seeds"] = new JsonArray(results.Select(r => (JsonNode)r.Seed).ToArray());
        summary["machine"] = run.Machine;
        summary["date"] = run.Date;
        summary["command"] = run.Command;
        summary["settings"] = JsonSerializer.SerializeToNode(settings);
        summary["farcast_options"] = JsonSerializer.SerializeToNode(options);
        summary["runs"] = new JsonArray(results.Select(r => (JsonNode)SeedRun(r)).ToArray());
        return summary;
    }

    public static void Write(string directory, IReadOnlyList<MnistSeedResult> results, RunInfo run, MnistJobSettings settings, FarcastOptions options)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "summary.json"),
            Summary(results, run, settings, options).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var csv = new StringBuilder("seed,run,real_steps,effective_steps,seconds,validation_accuracy,validation_loss\n");
        foreach (var r in results)
            foreach (var (name, points) in new[] { ("baseline", r.Baseline), ("farcast", r.Farcast) })
                foreach (var p in points)
                    csv.AppendLine(FormattableString.Invariant($"{r.Seed},{name},{p.RealSteps},{p.EffectiveSteps},{p.Seconds:R},{p.ValidationAccuracy:R},{p.ValidationLoss:R}"));
        File.WriteAllText(Path.Combine(directory, "steps.csv"), csv.ToString());
        Plot(Path.Combine(directory, "accuracy-vs-steps.png"), "real optimizer steps", results[0], p => p.RealSteps);
        Plot(Path.Combine(directory, "accuracy-vs-seconds.png"), "training seconds", results[0], p => p.Seconds);
    }

    private static JsonObject Figures(TimeToAccuracy t, IReadOnlyList<TrainingPoint> points) => new()
    {
        ["steps_to_target"] = t.Steps,
        ["seconds_to_target"] = t.Seconds,
        ["final_accuracy"] = t.FinalAccuracy,
        ["final_loss"] = t.FinalLoss,
        ["real_steps"] = points[^1].RealSteps,
        ["effective_steps"] = points[^1].EffectiveSteps,
        ["seconds"] = points[^1].Seconds,
    };

    private static JsonObject SeedRun(MnistSeedResult r) => new()
    {
        ["seed"] = r.Seed,
        ["target_accuracy"] = r.TargetAccuracy,
        ["baseline"] = Figures(r.BaselineTime, r.Baseline),
        ["farcast"] = Figures(r.FarcastTime, r.Farcast),
        ["jumps"] = r.Jumps,
        ["rejected_jumps"] = r.RejectedJumps,
        ["speedup_steps"] = r.SpeedupSteps,
        ["speedup_wallclock"] = r.SpeedupWallclock,
    };

    private static void Plot(string path, string xLabel, MnistSeedResult result, Func<TrainingPoint, double> x)
    {
        var plot = new Plot();
        foreach (var (name, points) in new[] { ("plain Adam", result.Baseline), ("farcast", result.Farcast) })
        {
            var line = plot.Add.Scatter(points.Select(x).ToArray(), points.Select(p => p.ValidationAccuracy).ToArray());
            line.LegendText = name;
        }
        var target = plot.Add.HorizontalLine(result.TargetAccuracy);
        target.LinePattern = LinePattern.Dotted;
        target.LegendText = "target";
        plot.Title($"MNIST CNN, seed {result.Seed}: validation accuracy");
        plot.XLabel(xLabel);
        plot.YLabel("validation accuracy");
        plot.Axes.SetLimitsY(Math.Max(0, result.TargetAccuracy - 0.15), 1.0);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 900, 540);
    }

    private static IProgress<int>? Report(Action<string, int, int>? progress, string label, int total) =>
        progress is null ? null : new SynchronousProgress<int>(step => progress(label, step, total));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
