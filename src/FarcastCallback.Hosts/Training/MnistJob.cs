using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FarcastCallback.Hosts.Mnist;
using FarcastCallback.Lab.Reporting;
using Microsoft.Extensions.Logging;
using ScottPlot;
using TorchSharp;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Training;

/// <summary>The inner optimizer both runs of <c>farcast mnist</c> use.</summary>
public enum MnistOptimizer
{
    /// <summary>Adam (the paper's and the job's default).</summary>
    Adam,

    /// <summary>SGD with <see cref="MnistJobSettings.Momentum"/>.</summary>
    Sgd,
}

/// <summary>How the learning rate of both runs changes over the real steps.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate throughout.</summary>
    Constant,

    /// <summary>Linear decay from the rate to 5 % of it at the last real step.</summary>
    LinearDecay,
}

/// <summary>Settings of <c>farcast mnist</c>.</summary>
public sealed record MnistJobSettings(int Steps = 400, int Seeds = 1, int FirstSeed = 1, int BatchSize = 64, double LearningRate = 1e-3, int EvaluateEvery = 25, int SplitSeed = 0,
    MnistOptimizer Optimizer = MnistOptimizer.Adam, double Momentum = 0.9, LearningRateSchedule Schedule = LearningRateSchedule.Constant)
{
    /// <summary>The inner optimizer for <paramref name="parameters"/>.</summary>
    internal optim.Optimizer CreateOptimizer(IEnumerable<TorchSharp.Modules.Parameter> parameters) => Optimizer switch
    {
        MnistOptimizer.Sgd => optim.SGD(parameters, LearningRate, momentum: Momentum),
        _ => optim.Adam(parameters, LearningRate),
    };

    /// <summary>The schedule driving <paramref name="optimizer"/> (the wrapper, for a farcast run), stepped once per real step; null when constant.</summary>
    internal optim.lr_scheduler.LRScheduler? CreateSchedule(optim.Optimizer optimizer) => Schedule switch
    {
        LearningRateSchedule.LinearDecay => optim.lr_scheduler.LinearLR(optimizer, start_factor: 1.0, end_factor: 0.05, total_iters: Steps),
        _ => null,
    };
}

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
    private static readonly JsonSerializerOptions NamedEnums = new() { Converters = { new JsonStringEnumConverter() } };

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

            var plainOptimizer = settings.CreateOptimizer(plainModel.parameters());
            using var farcast = new FarcastOptimizer(settings.CreateOptimizer(farcastModel.parameters()), farcastOptions, logger);
            if (data.Verification.Count > 0) farcast.VerificationLoss = () => trainer.VerificationLoss(farcastModel);

            // Interleaved step by step, the order alternating (plain first on odd steps, farcast first on even ones):
            // both runs share the machine's load and neither always runs on a warm cache, so their clocks compare fairly.
            var plain = trainer.Start(plainModel, plainOptimizer, settings.BatchSize, seed, schedule: settings.CreateSchedule(plainOptimizer));
            var farcasting = trainer.Start(farcastModel, farcast, settings.BatchSize, seed, () => farcast.EffectiveSteps, () => farcast.ShouldStop,
                settings.CreateSchedule(farcast));
            var plainProgress = Report(progress, $"seed {seed}: plain {settings.Optimizer}", settings.Steps);
            var farcastProgress = Report(progress, $"seed {seed}: farcast", settings.Steps);
            for (var step = 1; step <= settings.Steps; step++)
            {
                var wasStopped = farcasting.Stopped;
                if (step % 2 == 1)
                {
                    plain.Step();
                    farcasting.Step();
                }
                else
                {
                    farcasting.Step();
                    plain.Step();
                }
                var stoppedNow = farcasting.Stopped && !wasStopped;
                if (step % settings.EvaluateEvery == 0 || step == settings.Steps || stoppedNow)
                {
                    // A Stop-mode run is evaluated where it stops, and the plain run at the same real step: the model
                    // stopped there without a farcast.
                    plain.Record();
                    if (farcasting.Points[^1].RealSteps != farcasting.RealSteps) farcasting.Record();
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

    /// <summary>
    /// summary.json: target, the <c>baseline</c> and <c>farcast</c> figures and the speed-ups as medians over seeds (a
    /// run that never reached the target counts as slowest; the median is null when half the runs or more did not),
    /// the speed-ups' range, jump counts, seeds, machine, date and each seed's figures under <c>runs</c>.
    /// </summary>
    public static JsonObject Summary(IReadOnlyList<MnistSeedResult> results, RunInfo run, MnistJobSettings settings, FarcastOptions options)
    {
        var summary = new JsonObject
        {
            ["baseline"] = MedianFigures(results.Select(r => (r.BaselineTime, r.Baseline)).ToArray()),
            ["farcast"] = MedianFigures(results.Select(r => (r.FarcastTime, r.Farcast)).ToArray()),
            ["jumps"] = results.Sum(r => r.Jumps),
            ["rejected_jumps"] = results.Sum(r => r.RejectedJumps),
        };
        summary["target_accuracy"] = Median(results.Select(r => r.TargetAccuracy));
        summary["speedup_steps"] = Median(results.Select(r => r.SpeedupSteps));
        summary["speedup_wallclock"] = Median(results.Select(r => r.SpeedupWallclock));
        summary["speedup_steps_range"] = new JsonArray(results.Min(r => r.SpeedupSteps), results.Max(r => r.SpeedupSteps));
        summary["speedup_wallclock_range"] = new JsonArray(results.Min(r => r.SpeedupWallclock), results.Max(r => r.SpeedupWallclock));
        summary["seeds"] = new JsonArray(results.Select(r => (JsonNode)r.Seed).ToArray());
        summary["machine"] = run.Machine;
        summary["date"] = run.Date;
        summary["command"] = run.Command;
        summary["settings"] = JsonSerializer.SerializeToNode(settings, NamedEnums);
        summary["farcast_options"] = JsonSerializer.SerializeToNode(options, NamedEnums);
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

    private static JsonObject MedianFigures(IReadOnlyList<(TimeToAccuracy Time, IReadOnlyList<TrainingPoint> Points)> runs)
    {
        static double? Reached(double median) => double.IsPositiveInfinity(median) ? null : median;
        return new JsonObject
        {
            ["steps_to_target"] = Reached(Median(runs.Select(r => r.Time.Steps is { } s ? (double)s : double.PositiveInfinity))),
            ["seconds_to_target"] = Reached(Median(runs.Select(r => r.Time.Seconds ?? double.PositiveInfinity))),
            ["final_accuracy"] = Median(runs.Select(r => r.Time.FinalAccuracy)),
            ["final_loss"] = Median(runs.Select(r => r.Time.FinalLoss)),
            ["real_steps"] = Median(runs.Select(r => (double)r.Points[^1].RealSteps)),
            ["effective_steps"] = Median(runs.Select(r => (double)r.Points[^1].EffectiveSteps)),
            ["seconds"] = Median(runs.Select(r => r.Points[^1].Seconds)),
        };
    }

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
