using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FarcastCallback.Hosts.Training;
using FarcastCallback.Lab.Reporting;
using ScottPlot;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>
/// What <c>farcast fullbatch</c> writes: summary.json (the task's target in the user's terms and the race to it, the
/// race to the training-loss target beside it, the task's figure at the target and at the end, the guard's share of
/// the time and the steps saved to the target next to those <see cref="FarcastOptimizer.EffectiveSteps"/> claims),
/// steps.csv (the loss and the target value at every step of every run), figures.csv (every <c>--eval-every</c>
/// steps), and for the first seed the target against steps and the loss against steps and seconds.
/// </summary>
public static class FullBatchReport
{
    private static readonly JsonSerializerOptions NamedEnums = new() { Converters = { new JsonStringEnumConverter() } };

    public static JsonObject Summary(IFullBatchTask task, IReadOnlyList<FullBatchSeedResult> results, RunInfo run, FullBatchSettings settings, FarcastOptions options)
    {
        var summary = new JsonObject
        {
            ["task"] = task.Name,
            ["description"] = task.Description,
            ["figure"] = task.FigureName,
            ["target"] = new JsonObject
            {
                ["name"] = task.TargetName,
                ["rule"] = $"the best mean of {SmoothedTarget.Window} consecutive steps of the {(settings.ReferenceLearningRate is { } r ? $"plain run at lr {r:G3}" : "plain run")} within the budget; a run reaches it at the first step whose mean of the last {SmoothedTarget.Window} steps is at or below it",
                ["value"] = Speedup.Median(results.Select(r => r.Target)),
                ["description"] = results.Count == 1 ? results[0].TargetDescription : $"median {Speedup.Median(results.Select(r => r.Target)):G3}; per seed: {string.Join("; ", results.Select(r => r.TargetDescription))}",
            },
            ["target_loss"] = Speedup.Median(results.Select(r => r.TargetLoss)),
            ["speedup_steps"] = Speedup.Median(results.Select(r => r.SpeedupSteps)),
            ["speedup_wallclock"] = Speedup.Median(results.Select(r => r.SpeedupWallclock)),
            ["speedup_steps_range"] = Range(results.Select(r => r.SpeedupSteps)),
            ["speedup_wallclock_range"] = Range(results.Select(r => r.SpeedupWallclock)),
            ["seeds_reached"] = SeedsReached(results, r => r.Time),
            ["training_loss_race"] = new JsonObject
            {
                ["target_loss"] = Speedup.Median(results.Select(r => r.TargetLoss)),
                ["speedup_steps"] = Speedup.Median(results.Select(r => r.LossSpeedupSteps)),
                ["speedup_wallclock"] = Speedup.Median(results.Select(r => r.LossSpeedupWallclock)),
                ["seeds_reached"] = SeedsReached(results, r => r.LossTime),
            },
            ["baseline"] = MedianFigures(results.Select(r => r.Plain).ToArray(), task.FigureName),
            ["farcast"] = MedianFigures(results.Select(r => r.Farcast).ToArray(), task.FigureName),
            ["jumps"] = results.Sum(r => r.Jumps),
            ["rejected_jumps"] = results.Sum(r => r.RejectedJumps),
            ["farcast_overhead_fraction"] = Speedup.Median(results.Select(r => r.OverheadFraction)),
            ["verification_overhead_fraction"] = Speedup.Median(results.Select(r => r.VerificationFraction)),
            ["steps_saved_to_target"] = Speedup.Median(results.Select(r => (double?)r.StepsSavedToTarget)),
            ["claimed_skipped_steps"] = Speedup.Median(results.Select(r => (double)r.ClaimedSkippedSteps)),
            ["seeds"] = new JsonArray(results.Select(r => (JsonNode)r.Seed).ToArray()),
            ["machine"] = run.Machine,
            ["device"] = run.Device,
            ["date"] = run.Date,
            ["command"] = run.Command,
            ["settings"] = JsonSerializer.SerializeToNode(settings, NamedEnums),
            ["farcast_options"] = JsonSerializer.SerializeToNode(options, NamedEnums),
            ["runs"] = new JsonArray(results.Select(r => (JsonNode)SeedRun(r, task)).ToArray()),
        };
        // Before runs, so the comparisons read first; only when both runs kept a weight average.
        if (results.All(r => r.Curves.Count == PairedSeedResult.CurveNames.Length))
            summary.Insert(summary.Count - 1, "curves", Curves(results, task.FigureName));
        return summary;
    }

    /// <summary>
    /// Writes steps.csv, figures.csv and the plots first and summary.json last, so a folder with a summary.json holds a
    /// finished result.
    /// </summary>
    public static void Write(string directory, IFullBatchTask task, IReadOnlyList<FullBatchSeedResult> results, JsonObject summary, int evaluateEvery)
    {
        Directory.CreateDirectory(directory);
        var steps = new StringBuilder($"seed,run,real_steps,effective_steps,seconds,loss,{task.TargetName},stands,average_loss,average_{task.TargetName}\n");
        var figures = new StringBuilder($"seed,run,real_steps,{task.TargetName},{task.FigureName}\n");
        foreach (var r in results)
        {
            foreach (var (name, result) in new[] { ("baseline", r.Plain), ("farcast", r.Farcast) })
            {
                for (var i = 0; i < result.Points.Count; i++)
                {
                    var (p, reading) = (result.Points[i], result.Readings[i]);
                    var average = result.Average is { } a ? FormattableString.Invariant($"{a.Points[i].Loss:R},{a.Readings[i].Target:R}") : ",";
                    steps.AppendLine(FormattableString.Invariant($"{r.Seed},{name},{p.RealSteps},{p.EffectiveSteps},{p.Seconds:R},{p.Loss:R},{reading.Target:R},{(p.Stands ? 1 : 0)},{average}"));
                    if (p.RealSteps % evaluateEvery == 0 || i == result.Points.Count - 1)
                        figures.AppendLine(FormattableString.Invariant($"{r.Seed},{name},{p.RealSteps},{reading.Target:R},{reading.Figure:R}"));
                }
            }
        }
        File.WriteAllText(Path.Combine(directory, "steps.csv"), steps.ToString());
        File.WriteAllText(Path.Combine(directory, "figures.csv"), figures.ToString());
        var (title, first) = (task.Description.Split(':')[0], results[0]);
        Plot(Path.Combine(directory, "target-vs-steps.png"), $"{title}: {task.TargetName.Replace('_', ' ')}, mean of {SmoothedTarget.Window} steps",
            "real optimizer steps", $"log10 {task.TargetName.Replace('_', ' ')}", first, p => p.RealSteps, r => SmoothedTarget.TrailingMeans(r.Targets), first.Target);
        Plot(Path.Combine(directory, "loss-vs-steps.png"), $"{title}: training loss", "real optimizer steps", "log10 training loss", first, p => p.RealSteps,
            r => r.Losses, first.TargetLoss);
        Plot(Path.Combine(directory, "loss-vs-seconds.png"), $"{title}: training loss", "training seconds", "log10 training loss", first, p => p.Seconds,
            r => r.Losses, first.TargetLoss);
        JsonFiles.Write(Path.Combine(directory, "summary.json"), summary);
    }

    /// <summary>
    /// <c>curves</c>, when both runs kept a weight average: per curve (plain, plain_ema, farcast, farcast_ema) the medians
    /// of its times to the task's target and the training-loss target and its final figures, each seed's under
    /// <c>per_seed</c>; and the speed-ups between curves (<see cref="PairedRunReport.Comparisons"/>) to both targets.
    /// </summary>
    private static JsonObject Curves(IReadOnlyList<FullBatchSeedResult> results, string figure)
    {
        var curves = new JsonObject();
        foreach (var name in PairedSeedResult.CurveNames)
        {
            var runs = results.Select(r => r.Curves[name]).ToArray();
            var figures = MedianFigures(runs, figure);
            figures["per_seed"] = new JsonArray(runs.Select(r => (JsonNode)Figures(r, figure)).ToArray());
            curves[name] = figures;
        }
        foreach (var (name, reference, candidate) in PairedRunReport.Comparisons)
            curves[name] = new JsonObject
            {
                ["target_steps"] = Comparison(results, reference, candidate, r => r.Time.Steps, r => r.Final.RealSteps),
                ["target_seconds"] = Comparison(results, reference, candidate, r => r.Time.Seconds, r => r.Final.Seconds),
                ["loss_steps"] = Comparison(results, reference, candidate, r => r.LossTime.Steps, r => r.Final.RealSteps),
            };
        return curves;
    }

    private static JsonObject Comparison(IReadOnlyList<FullBatchSeedResult> results, string reference, string candidate, Func<FullBatchRunResult, double?> time,
        Func<FullBatchRunResult, double> limit) =>
        PairedRunReport.Comparison(results.Select(r => (time(r.Curves[reference]), time(r.Curves[candidate]), limit(r.Curves[reference]))).ToArray());

    /// <summary>How many seeds' plain and farcast runs reached the target that <paramref name="time"/> picks.</summary>
    private static JsonObject SeedsReached(IReadOnlyList<FullBatchSeedResult> results, Func<FullBatchRunResult, TimeToTarget> time) => new()
    {
        ["baseline"] = results.Count(r => time(r.Plain).Steps is not null),
        ["farcast"] = results.Count(r => time(r.Farcast).Steps is not null),
    };

    private static JsonArray Range(IEnumerable<double?> values) => new(Speedup.Range(values).Select(v => (JsonNode)v).ToArray());

    private static JsonObject Figures(FullBatchRunResult r, string figure) => new()
    {
        ["steps_to_target"] = r.Time.Steps,
        ["seconds_to_target"] = r.Time.Seconds,
        [$"{figure}_at_target"] = r.Time.Figure,
        [$"final_{figure}"] = r.FinalFigure,
        ["final_loss"] = r.Final.Loss,
        ["steps_to_target_loss"] = r.LossTime.Steps,
        ["seconds_to_target_loss"] = r.LossTime.Seconds,
        ["real_steps"] = r.Final.RealSteps,
        ["effective_steps"] = r.Final.EffectiveSteps,
        ["seconds"] = r.Final.Seconds,
    };

    /// <summary>Medians over seeds; a run that never reached the target counts as slowest (null when half or more did not).</summary>
    private static JsonObject MedianFigures(IReadOnlyList<FullBatchRunResult> runs, string figure) => new()
    {
        ["steps_to_target"] = Speedup.MedianTime(runs.Select(r => (double?)r.Time.Steps)),
        ["seconds_to_target"] = Speedup.MedianTime(runs.Select(r => r.Time.Seconds)),
        [$"{figure}_at_target"] = Speedup.Median(runs.Select(r => r.Time.Figure)),
        [$"final_{figure}"] = Speedup.Median(runs.Select(r => r.FinalFigure)),
        ["final_loss"] = Speedup.Median(runs.Select(r => r.Final.Loss)),
        ["steps_to_target_loss"] = Speedup.MedianTime(runs.Select(r => (double?)r.LossTime.Steps)),
        ["real_steps"] = Speedup.Median(runs.Select(r => (double)r.Final.RealSteps)),
        ["effective_steps"] = Speedup.Median(runs.Select(r => (double)r.Final.EffectiveSteps)),
        ["seconds"] = Speedup.Median(runs.Select(r => r.Final.Seconds)),
    };

    private static JsonObject SeedRun(FullBatchSeedResult r, IFullBatchTask task) => new()
    {
        ["seed"] = r.Seed,
        ["target"] = r.Target,
        ["target_description"] = r.TargetDescription,
        ["target_loss"] = r.TargetLoss,
        ["reference_learning_rate"] = r.ReferenceLearningRate,
        ["baseline"] = Figures(r.Plain, task.FigureName),
        ["farcast"] = Figures(r.Farcast, task.FigureName),
        ["speedup_steps"] = r.SpeedupSteps,
        ["speedup_wallclock"] = r.SpeedupWallclock,
        ["speedup_missing_reason"] = r.MissingReason,
        ["training_loss_speedup_steps"] = r.LossSpeedupSteps,
        ["training_loss_speedup_wallclock"] = r.LossSpeedupWallclock,
        ["jumps"] = r.Jumps,
        ["rejected_jumps"] = r.RejectedJumps,
        ["kept_jump_steps"] = new JsonArray(r.KeptSteps.GroupBy(s => s).OrderBy(g => g.Key)
            .Select(g => (JsonNode)new JsonObject { ["steps"] = g.Key, ["count"] = g.Count() }).ToArray()),
        ["steps_saved_to_target"] = r.StepsSavedToTarget,
        ["claimed_skipped_steps"] = r.ClaimedSkippedSteps,
        ["farcast_overhead_seconds"] = r.OverheadSeconds,
        ["farcast_overhead_fraction"] = r.OverheadFraction,
        ["verification_seconds"] = r.VerificationSeconds,
        ["verification_overhead_fraction"] = r.VerificationFraction,
    };

    /// <summary>
    /// One seed's two runs, and their weight averages dashed when kept: log10 of a series (the training loss, or the
    /// trailing mean of the task's target) against <paramref name="x"/>, with the target as a dotted line.
    /// </summary>
    private static void Plot(string path, string title, string xLabel, string yLabel, FullBatchSeedResult result, Func<LossPoint, double> x,
        Func<FullBatchRunResult, IReadOnlyList<double>> series, double target)
    {
        var plot = new Plot();
        foreach (var (name, run) in result.Curves.Select(c => (c.Key, c.Value)))
        {
            var ys = series(run).Select(v => double.IsFinite(v) ? Math.Log10(Math.Max(v, 1e-30)) : double.NaN).ToArray();
            var xs = run.Points.Select(x).ToArray();
            var finite = Enumerable.Range(0, ys.Length).Where(i => !double.IsNaN(ys[i])).ToArray();
            var line = plot.Add.Scatter(finite.Select(i => xs[i]).ToArray(), finite.Select(i => ys[i]).ToArray());
            line.LegendText = name;
            line.MarkerSize = 0;
            if (name.EndsWith("_ema", StringComparison.Ordinal)) line.LinePattern = LinePattern.Dashed;
        }
        var line0 = plot.Add.HorizontalLine(Math.Log10(Math.Max(target, 1e-30)));
        line0.LinePattern = LinePattern.Dotted;
        line0.LegendText = "target";
        plot.Title($"{title}, seed {result.Seed}");
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 900, 540);
    }
}
