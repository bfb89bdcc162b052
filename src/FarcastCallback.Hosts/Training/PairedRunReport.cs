using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FarcastCallback.Lab.Reporting;
using ScottPlot;

namespace FarcastCallback.Hosts.Training;

/// <summary>
/// What <c>farcast mnist</c> and <c>farcast text</c> write: summary.json (the fields, medians over seeds),
/// steps.csv and validation accuracy against real steps and against training seconds, both runs on one chart.
/// </summary>
public static class PairedRunReport
{
    private static readonly JsonSerializerOptions NamedEnums = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>
    /// summary.json: target, the <c>baseline</c> and <c>farcast</c> figures and the speed-ups as medians over seeds (a
    /// run that never reached the target counts as slowest; the median is null when half the runs or more did not),
    /// the speed-ups' range, jump counts, seeds, machine, date and each seed's figures under <c>runs</c>.
    /// </summary>
    public static JsonObject Summary(IReadOnlyList<PairedSeedResult> results, RunInfo run, object settings, FarcastOptions options)
    {
        var summary = new JsonObject
        {
            ["baseline"] = MedianFigures(results.Select(r => (r.BaselineTime, r.Baseline)).ToArray()),
            ["farcast"] = MedianFigures(results.Select(r => (r.FarcastTime, r.Farcast)).ToArray()),
            ["jumps"] = results.Sum(r => r.Jumps),
            ["rejected_jumps"] = results.Sum(r => r.RejectedJumps),
            ["farcast_overhead_fraction"] = Speedup.Median(results.Select(r => r.OverheadFraction)),
        };
        if (results.Any(r => r.Agreement is not null))
            summary["race_trend_agreement"] = Agreement(new TrendAgreement(results.Sum(r => r.Agreement?.Judged ?? 0), results.Sum(r => r.Agreement?.Agreed ?? 0),
                results.Sum(r => r.Agreement?.TrendWouldKeep ?? 0)));
        summary["target_accuracy"] = Speedup.Median(results.Select(r => r.TargetAccuracy));
        summary["target_description"] = FormattableString.Invariant(
            $"validation accuracy {100 * Speedup.Median(results.Select(r => r.TargetAccuracy)):0.00} % (and, beside it, validation loss {Speedup.Median(results.Select(r => r.TargetLoss)):G3})");
        summary["speedup_steps"] = Speedup.Median(results.Select(r => r.SpeedupSteps));
        summary["speedup_wallclock"] = Speedup.Median(results.Select(r => r.SpeedupWallclock));
        summary["target_loss"] = Speedup.Median(results.Select(r => r.TargetLoss));
        summary["speedup_steps_loss"] = Speedup.Median(results.Select(r => r.SpeedupStepsLoss));
        summary["speedup_wallclock_loss"] = Speedup.Median(results.Select(r => r.SpeedupWallclockLoss));
        if (results.All(r => r.Guard is not null))
        {
            summary["speedup_flops"] = Speedup.Median(results.Select(r => r.SpeedupFlops));
            summary["speedup_flops_loss"] = Speedup.Median(results.Select(r => r.SpeedupFlopsLoss));
        }
        summary["seeds_reached"] = new JsonObject
        {
            ["baseline"] = results.Count(r => r.BaselineTime.Steps is not null),
            ["farcast"] = results.Count(r => r.FarcastTime.Steps is not null),
        };
        if (results.All(r => r.Curves is not null)) summary["curves"] = Curves(results);
        summary["speedup_steps_range"] = new JsonArray(Speedup.Range(results.Select(r => r.SpeedupSteps)).Select(v => (JsonNode)v).ToArray());
        summary["speedup_wallclock_range"] = new JsonArray(Speedup.Range(results.Select(r => r.SpeedupWallclock)).Select(v => (JsonNode)v).ToArray());
        summary["seeds"] = new JsonArray(results.Select(r => (JsonNode)r.Seed).ToArray());
        summary["machine"] = run.Machine;
        summary["device"] = run.Device;
        summary["date"] = run.Date;
        summary["command"] = run.Command;
        summary["settings"] = SettingsNode(settings);
        summary["farcast_options"] = OptionsNode(options);
        summary["runs"] = new JsonArray(results.Select(r => (JsonNode)SeedRun(r)).ToArray());
        return summary;
    }

    /// <summary>summary.json's <c>settings</c>: the job's settings record, enums by name.</summary>
    internal static JsonNode SettingsNode(object settings) => JsonSerializer.SerializeToNode(settings, settings.GetType(), NamedEnums)!;

    /// <summary>summary.json's <c>farcast_options</c>.</summary>
    internal static JsonNode OptionsNode(FarcastOptions options) => JsonSerializer.SerializeToNode(options, NamedEnums)!;

    /// <summary>steps.csv's header: one row per evaluation of every run.</summary>
    internal const string StepsHeader = "seed,run,real_steps,effective_steps,seconds,validation_accuracy,validation_loss,average_accuracy,average_loss,stands";

    /// <summary>steps.csv's name for each run of a seed.</summary>
    internal static readonly string[] RunNames = { "baseline", "farcast" };

    /// <summary>
    /// Writes steps.csv (every evaluation of every run: the weights' figures, their average's when kept, and whether
    /// the point stands), the accuracy plots of the first seed and, last, <paramref name="summary"/> as summary.json.
    /// </summary>
    public static void Write(string directory, IReadOnlyList<PairedSeedResult> results, JsonObject summary, string title)
    {
        Directory.CreateDirectory(directory);
        var csv = new StringBuilder(StepsHeader).Append('\n');
        foreach (var r in results)
            foreach (var (name, points) in new[] { (RunNames[0], r.Baseline), (RunNames[1], r.Farcast) })
                foreach (var p in points)
                    csv.AppendLine(FormattableString.Invariant(
                        $"{r.Seed},{name},{p.RealSteps},{p.EffectiveSteps},{p.Seconds:R},{p.ValidationAccuracy:R},{p.ValidationLoss:R},{p.AverageAccuracy:R},{p.AverageLoss:R},{(p.Stands ? 1 : 0)}"));
        AtomicFile.WriteAllText(Path.Combine(directory, "steps.csv"), csv.ToString());
        Plot(Path.Combine(directory, "accuracy-vs-steps.png"), title, "real optimizer steps", results[0], p => p.RealSteps);
        Plot(Path.Combine(directory, "accuracy-vs-seconds.png"), title, "training seconds", results[0], p => p.Seconds);
        JsonFiles.Write(Path.Combine(directory, "summary.json"), summary);   // last: a folder with a summary holds a finished result
    }

    /// <summary>The comparisons summary.json's <c>curves</c> reports, slower ÷ faster candidate: what each control explains.</summary>
    internal static readonly (string Name, string Reference, string Candidate)[] Comparisons =
    {
        ("farcast_vs_plain", "plain", "farcast"),
        ("plain_ema_vs_plain", "plain", "plain_ema"),
        ("farcast_vs_plain_ema", "plain_ema", "farcast"),
        ("farcast_ema_vs_plain_ema", "plain_ema", "farcast_ema"),
        ("farcast_ema_vs_plain", "plain", "farcast_ema"),
    };

    /// <summary>
    /// <c>curves</c>: per curve (plain, plain_ema, farcast, farcast_ema) the medians of its three times to target
    /// (<see cref="CurveTimes"/>) and final figures, and the speed-ups between curves to the standing crossing and to
    /// the loss target, median and per seed. Where only the candidate reached the target, the seed's entry under
    /// <c>at_least</c> is the bound the reference's last step gives.
    /// </summary>
    private static JsonObject Curves(IReadOnlyList<PairedSeedResult> results)
    {
        var curves = new JsonObject { ["standing_window"] = CurveTimes.StandingWindow };
        foreach (var name in PairedSeedResult.CurveNames)
        {
            var times = results.Select(r => r.Curves!.GetValueOrDefault(name)).ToArray();
            if (times.Any(t => t is null)) continue;
            curves[name] = new JsonObject
            {
                ["first_crossing"] = Speedup.MedianTime(times.Select(t => (double?)t!.FirstCrossing)),
                ["standing_crossing"] = Speedup.MedianTime(times.Select(t => (double?)t!.StandingCrossing)),
                ["standing_crossing_seconds"] = Speedup.MedianTime(times.Select(t => t!.StandingCrossingSeconds)),
                ["loss_reached"] = Speedup.MedianTime(times.Select(t => (double?)t!.LossReached)),
                ["final_accuracy"] = Speedup.Median(times.Select(t => t!.FinalAccuracy)),
                ["final_loss"] = Speedup.Median(times.Select(t => t!.FinalLoss)),
                ["per_seed"] = new JsonArray(times.Select(t => (JsonNode)new JsonObject
                {
                    ["first_crossing"] = t!.FirstCrossing, ["standing_crossing"] = t.StandingCrossing, ["loss_reached"] = t.LossReached,
                    ["final_accuracy"] = t.FinalAccuracy, ["final_loss"] = t.FinalLoss,
                }).ToArray()),
            };
        }
        foreach (var (name, reference, candidate) in Comparisons)
        {
            if (curves[reference] is null || curves[candidate] is null) continue;
            curves[name] = new JsonObject
            {
                ["standing_steps"] = Comparison(results, reference, candidate, t => t.StandingCrossing, r => r.Baseline[^1].RealSteps),
                ["standing_seconds"] = Comparison(results, reference, candidate, t => t.StandingCrossingSeconds, r => r.Baseline[^1].Seconds),
                ["loss_steps"] = Comparison(results, reference, candidate, t => t.LossReached, r => r.Baseline[^1].RealSteps),
            };
        }
        return curves;
    }

    /// <summary>
    /// The speed-up of <paramref name="candidate"/> over <paramref name="reference"/> by <paramref name="time"/>; where only
    /// the candidate got there, the bound <paramref name="limit"/> (what the reference had spent at its end) gives.
    /// </summary>
    private static JsonObject Comparison(IReadOnlyList<PairedSeedResult> results, string reference, string candidate, Func<CurveTimes, double?> time,
        Func<PairedSeedResult, double> limit) =>
        Comparison(results.Select(r => (time(r.Curves![reference]), time(r.Curves[candidate]), limit(r))).ToArray());

    /// <summary>
    /// Per seed (the reference's time, the candidate's, and what the reference had spent at its end): the median and
    /// per-seed speed-ups, and under <c>at_least</c> the bound where only the candidate reached the target.
    /// </summary>
    internal static JsonObject Comparison(IReadOnlyList<(double? Reference, double? Candidate, double Limit)> seeds)
    {
        var ratios = seeds.Select(s => Speedup.Ratio(s.Reference, s.Candidate)).ToArray();
        var bounds = seeds.Select(s => s.Reference is null && s.Candidate is { } c && c > 0 ? (JsonNode?)(s.Limit / c) : null).ToArray();
        return new JsonObject
        {
            ["median"] = Speedup.Median(ratios),
            ["per_seed"] = new JsonArray(ratios.Select(v => (JsonNode?)v).ToArray()),
            ["at_least"] = new JsonArray(bounds),
        };
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

    private static JsonObject MedianFigures(IReadOnlyList<(TimeToAccuracy Time, IReadOnlyList<TrainingPoint> Points)> runs) => new()
    {
        ["steps_to_target"] = Speedup.MedianTime(runs.Select(r => (double?)r.Time.Steps)),
        ["seconds_to_target"] = Speedup.MedianTime(runs.Select(r => r.Time.Seconds)),
        ["final_accuracy"] = Speedup.Median(runs.Select(r => r.Time.FinalAccuracy)),
        ["final_loss"] = Speedup.Median(runs.Select(r => r.Time.FinalLoss)),
        ["real_steps"] = Speedup.Median(runs.Select(r => (double)r.Points[^1].RealSteps)),
        ["effective_steps"] = Speedup.Median(runs.Select(r => (double)r.Points[^1].EffectiveSteps)),
        ["seconds"] = Speedup.Median(runs.Select(r => r.Points[^1].Seconds)),
    };

    /// <summary>One seed's entry under summary.json's <c>runs</c>.</summary>
    internal static JsonObject SeedRun(PairedSeedResult r) => new()
    {
        ["seed"] = r.Seed,
        ["target_accuracy"] = r.TargetAccuracy,
        ["baseline"] = Figures(r.BaselineTime, r.Baseline),
        ["farcast"] = Figures(r.FarcastTime, r.Farcast),
        ["jumps"] = r.Jumps,
        ["rejected_jumps"] = r.RejectedJumps,
        ["farcast_overhead_seconds"] = r.OverheadSeconds,
        ["farcast_overhead_fraction"] = r.OverheadFraction,
        ["speedup_steps"] = r.SpeedupSteps,
        ["speedup_wallclock"] = r.SpeedupWallclock,
        ["target_loss"] = r.TargetLoss,
        ["baseline_loss_target"] = r.BaselineLossTime is { } b ? Figures(b, r.Baseline) : null,
        ["farcast_loss_target"] = r.FarcastLossTime is { } f ? Figures(f, r.Farcast) : null,
        ["speedup_steps_loss"] = r.SpeedupStepsLoss,
        ["speedup_wallclock_loss"] = r.SpeedupWallclockLoss,
        ["speedup_flops"] = r.SpeedupFlops,
        ["speedup_flops_loss"] = r.SpeedupFlopsLoss,
        ["verification_calls"] = r.Guard?.CallSteps.Count,
        ["race_trend_agreement"] = r.Agreement is { } a ? Agreement(a) : null,
    };

    /// <summary>How often the trend decided as the race did: the race's judgements, the trend's agreements, their share, and what each kept.</summary>
    private static JsonObject Agreement(TrendAgreement a) => new()
    {
        ["judged"] = a.Judged,
        ["trend_agreed"] = a.Agreed,
        ["fraction"] = a.Judged > 0 ? (double)a.Agreed / a.Judged : null,
        ["trend_would_keep"] = a.TrendWouldKeep,
    };

    /// <summary>Adds a run's validation accuracy against <paramref name="x"/> and, when it kept one, its average's, dashed in the same colour.</summary>
    internal static void AddAccuracy(Plot plot, string name, IReadOnlyList<TrainingPoint> points, Func<TrainingPoint, double> x)
    {
        var line = plot.Add.Scatter(points.Select(x).ToArray(), points.Select(p => p.ValidationAccuracy).ToArray());
        line.LegendText = name;
        var averaged = points.Where(p => p.AverageAccuracy is not null).ToArray();
        if (averaged.Length == 0) return;
        var average = plot.Add.Scatter(averaged.Select(x).ToArray(), averaged.Select(p => p.AverageAccuracy!.Value).ToArray());
        (average.LegendText, average.Color, average.MarkerSize, average.LinePattern, average.LineWidth) = ($"{name} + EMA", line.Color, 0, LinePattern.Dashed, 2);
    }

    private static void Plot(string path, string title, string xLabel, PairedSeedResult result, Func<TrainingPoint, double> x)
    {
        var plot = new Plot();
        foreach (var (name, points) in new[] { ("plain", result.Baseline), ("farcast", result.Farcast) }) AddAccuracy(plot, name, points, x);
        var target = plot.Add.HorizontalLine(result.TargetAccuracy);
        target.LinePattern = LinePattern.Dotted;
        target.LegendText = "target";
        plot.Title($"{title} vs farcast, seed {result.Seed}: validation accuracy");
        plot.XLabel(xLabel);
        plot.YLabel("validation accuracy");
        plot.Axes.SetLimitsY(Math.Max(0, result.TargetAccuracy - 0.15), 1.0);
        plot.ShowLegend(Alignment.LowerRight);
        plot.SavePng(path, 900, 540);
    }
}
