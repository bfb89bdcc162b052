using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FarcastCallback.Hosts.Training;
using FarcastCallback.Lab.Reporting;
using ScottPlot;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>
/// What <c>farcast fullbatch</c> writes: summary.json (the fields of <c>farcast mnist</c>'s, with a target loss instead of
/// an accuracy, plus the task's figure, the guard's share of the time and the steps saved to the target next to those
/// <see cref="FarcastOptimizer.EffectiveSteps"/> claims), steps.csv (the loss at every step of every run), figures.csv,
/// and the loss of the first seed against real steps and against training seconds.
/// </summary>
public static class FullBatchReport
{
    private static readonly JsonSerializerOptions NamedEnums = new() { Converters = { new JsonStringEnumConverter() } };

    public static JsonObject Summary(IFullBatchTask task, IReadOnlyList<FullBatchSeedResult> results, RunInfo run, FullBatchSettings settings, FarcastOptions options) => new()
    {
        ["task"] = task.Name,
        ["description"] = task.Description,
        ["figure"] = task.FigureName,
        ["target_loss"] = Speedup.Median(results.Select(r => r.TargetLoss)),
        ["speedup_steps"] = Speedup.Median(results.Select(r => r.SpeedupSteps)),
        ["speedup_wallclock"] = Speedup.Median(results.Select(r => r.SpeedupWallclock)),
        ["speedup_steps_range"] = Range(results.Select(r => r.SpeedupSteps)),
        ["speedup_wallclock_range"] = Range(results.Select(r => r.SpeedupWallclock)),
        ["seeds_reached"] = new JsonObject
        {
            ["baseline"] = results.Count(r => r.Plain.Time.Steps is not null),
            ["farcast"] = results.Count(r => r.Farcast.Time.Steps is not null),
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
        ["date"] = run.Date,
        ["command"] = run.Command,
        ["settings"] = JsonSerializer.SerializeToNode(settings, NamedEnums),
        ["farcast_options"] = JsonSerializer.SerializeToNode(options, NamedEnums),
        ["runs"] = new JsonArray(results.Select(r => (JsonNode)SeedRun(r, task.FigureName)).ToArray()),
    };

    /// <summary>
    /// Writes steps.csv, figures.csv and the plots first and summary.json last, so a folder with a summary.json holds a
    /// finished result.
    /// </summary>
    public static void Write(string directory, IFullBatchTask task, IReadOnlyList<FullBatchSeedResult> results, JsonObject summary)
    {
        Directory.CreateDirectory(directory);
        var steps = new StringBuilder("seed,run,real_steps,effective_steps,seconds,loss\n");
        var figures = new StringBuilder($"seed,run,real_steps,{task.FigureName}\n");
        foreach (var r in results)
        {
            foreach (var (name, result) in new[] { ("baseline", r.Plain), ("farcast", r.Farcast) })
            {
                foreach (var p in result.Points)
                    steps.AppendLine(FormattableString.Invariant($"{r.Seed},{name},{p.RealSteps},{p.EffectiveSteps},{p.Seconds:R},{p.Loss:R}"));
                foreach (var f in result.Figures)
                    figures.AppendLine(FormattableString.Invariant($"{r.Seed},{name},{f.RealSteps},{f.Figure:R}"));
            }
        }
        File.WriteAllText(Path.Combine(directory, "steps.csv"), steps.ToString());
        File.WriteAllText(Path.Combine(directory, "figures.csv"), figures.ToString());
        Plot(Path.Combine(directory, "loss-vs-steps.png"), task, results[0], "real optimizer steps", p => p.RealSteps);
        Plot(Path.Combine(directory, "loss-vs-seconds.png"), task, results[0], "training seconds", p => p.Seconds);
        JsonFiles.Write(Path.Combine(directory, "summary.json"), summary);
    }

    private static JsonArray Range(IEnumerable<double?> values) => new(Speedup.Range(values).Select(v => (JsonNode)v).ToArray());

    private static JsonObject Figures(FullBatchRunResult r, string figure) => new()
    {
        ["steps_to_target"] = r.Time.Steps,
        ["seconds_to_target"] = r.Time.Seconds,
        ["final_loss"] = r.Final.Loss,
        [$"final_{figure}"] = r.FinalFigure,
        ["real_steps"] = r.Final.RealSteps,
        ["effective_steps"] = r.Final.EffectiveSteps,
        ["seconds"] = r.Final.Seconds,
    };

    /// <summary>Medians over seeds; a run that never reached the target counts as slowest (null when half or more did not).</summary>
    private static JsonObject MedianFigures(IReadOnlyList<FullBatchRunResult> runs, string figure) => new()
    {
        ["steps_to_target"] = Speedup.MedianTime(runs.Select(r => (double?)r.Time.Steps)),
        ["seconds_to_target"] = Speedup.MedianTime(runs.Select(r => r.Time.Seconds)),
        ["final_loss"] = Speedup.Median(runs.Select(r => r.Final.Loss)),
        [$"final_{figure}"] = Speedup.Median(runs.Select(r => r.FinalFigure)),
        ["real_steps"] = Speedup.Median(runs.Select(r => (double)r.Final.RealSteps)),
        ["effective_steps"] = Speedup.Median(runs.Select(r => (double)r.Final.EffectiveSteps)),
        ["seconds"] = Speedup.Median(runs.Select(r => r.Final.Seconds)),
    };

    private static JsonObject SeedRun(FullBatchSeedResult r, string figure) => new()
    {
        ["seed"] = r.Seed,
        ["target_loss"] = r.TargetLoss,
        ["reference_final_loss"] = r.ReferenceFinalLoss,
        ["baseline"] = Figures(r.Plain, figure),
        ["farcast"] = Figures(r.Farcast, figure),
        ["speedup_steps"] = r.SpeedupSteps,
        ["speedup_wallclock"] = r.SpeedupWallclock,
        ["speedup_missing_reason"] = r.MissingReason,
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

    private static void Plot(string path, IFullBatchTask task, FullBatchSeedResult result, string xLabel, Func<LossPoint, double> x)
    {
        var plot = new Plot();
        foreach (var (name, run) in new[] { ("plain", result.Plain), ("farcast", result.Farcast) })
        {
            var line = plot.Add.Scatter(run.Points.Select(x).ToArray(), run.Points.Select(p => Math.Log10(Math.Max(p.Loss, 1e-30))).ToArray());
            line.LegendText = name;
            line.MarkerSize = 0;
        }
        var target = plot.Add.HorizontalLine(Math.Log10(Math.Max(result.TargetLoss, 1e-30)));
        target.LinePattern = LinePattern.Dotted;
        target.LegendText = "target";
        plot.Title($"{task.Description.Split(':')[0]}, seed {result.Seed}: training loss");
        plot.XLabel(xLabel);
        plot.YLabel("log10 training loss");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 900, 540);
    }
}
