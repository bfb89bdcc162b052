using System.Text.Json.Nodes;
using FarcastCallback.Hosts.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace FarcastCallback.Cli.Commands;

/// <summary>
/// What <c>farcast mnist</c> and <c>farcast text</c> share on the console: farcast settings, option checks, progress
/// bars (also used by the trajectory collection of <c>farcast paper cnn|distilbert</c>), the results table.
/// </summary>
internal static class PairedRunConsole
{
    /// <summary>
    /// The farcast settings: appsettings.json's Farcast section (overlaid in turn by appsettings.<c>profile</c>.json for
    /// each profile of a regime that needs other defaults), overridden by the <c>--Farcast:KEY=VALUE</c> arguments,
    /// checked key by key, bound and validated.
    /// </summary>
    public static FarcastOptions FarcastOptions(FarcastSettingArguments arguments, params string[] profiles)
    {
        var builder = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true);
        // A profile the command names must be there: without it the run would silently use other settings.
        foreach (var profile in profiles) builder.AddJsonFile(ProfileFile(profile), optional: false);
        var configuration = builder.AddInMemoryCollection(arguments.Values).Build();
        FarcastSettingArguments.Check(configuration);
        // Through dependency injection, as an application would: the options are bound and validated on first use.
        using var services = new ServiceCollection().AddFarcast(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<FarcastOptions>>().Value;
    }

    /// <summary>
    /// One warning line when the farcast run cannot jump within <paramref name="realSteps"/> (its first jump would come
    /// later): the run then trains exactly as plain training does, and its table would compare plain with itself.
    /// </summary>
    public static void WarnIfNoJumpFits(FarcastOptions options, long realSteps)
    {
        var first = options.FirstJumpRealStep();
        if (first > realSteps)
            AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] no jump can come within the run's {realSteps} real steps: these farcast settings write their first at real step {first} (WarmupSteps {options.WarmupSteps}, then a window of {first - options.WarmupSteps}); the farcast run will train exactly as plain training.");
    }

    /// <summary>The profile's file next to the program; a folder of that name is refused with one line.</summary>
    private static string ProfileFile(string profile)
    {
        var name = $"appsettings.{profile}.json";
        var path = Path.Combine(AppContext.BaseDirectory, name);
        if (Directory.Exists(path)) throw new IOException($"{path} is a folder; the {profile} profile must be a JSON file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: the {profile} profile ships with farcast; reinstall or rebuild it.", path);
        return name;
    }

    /// <summary>
    /// Runs <paramref name="work"/> showing its progress: in a terminal one live line per run (bar, percentage, elapsed,
    /// time left, the run's tally); in a log or a pipe one plain line per run at every fifth of the way; with --quiet
    /// nothing. A Ctrl-C or SIGTERM ends the work at its next report (<see cref="Interruption"/>).
    /// </summary>
    public static T WithProgress<T>(OutputSettings console, Func<Action<RunProgress>, T> work)
    {
        if (console.Quiet) return work(_ => Interruption.ThrowIfRequested());
        if (!AnsiConsole.Profile.Capabilities.Interactive) return work(new ProgressLines().Report);
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(progress =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                result = work(report =>
                {
                    if (!tasks.TryGetValue(report.Run, out var task)) tasks[report.Run] = task = progress.AddTask(Markup.Escape(report.Run), maxValue: report.Steps);
                    task.Value = report.Step;
                    task.Description = Markup.Escape(report.Tally is null ? report.Run : $"{report.Run} · {report.Tally}");
                    Interruption.ThrowIfRequested();   // a signal stops the run here, between two reports
                });
            });
        return result;
    }

    /// <summary>Progress for a log or a pipe: per run, one line at every fifth of its steps, with the tally and the time left.</summary>
    private sealed class ProgressLines
    {
        private const int Lines = 5;
        private readonly Dictionary<string, (System.Diagnostics.Stopwatch Clock, int FirstStep, int Shown)> _runs = new();

        public void Report(RunProgress report)
        {
            if (!_runs.TryGetValue(report.Run, out var run)) run = (System.Diagnostics.Stopwatch.StartNew(), report.Step, 0);
            var shown = report.Steps > 0 ? (int)((long)Lines * report.Step / report.Steps) : Lines;
            if (shown > run.Shown)
            {
                run.Shown = shown;
                var elapsed = run.Clock.Elapsed;
                var done = report.Step - run.FirstStep;
                var left = done > 0 ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (report.Steps - report.Step) / done) : (TimeSpan?)null;
                AnsiConsole.MarkupLineInterpolated(
                    $"{report.Run}: {report.Step}/{report.Steps} ({100 * report.Step / Math.Max(1, report.Steps)} %){(report.Tally is null ? "" : $", {report.Tally}")}, {Duration(elapsed)} elapsed{(left is { } l && report.Step < report.Steps ? $", about {Duration(l)} left" : "")}");
            }
            _runs[report.Run] = run;
            Interruption.ThrowIfRequested();
        }

        private static string Duration(TimeSpan span) => span.TotalHours >= 1 ? $"{(int)span.TotalHours}h{span.Minutes:00}m" : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes}m{span.Seconds:00}s" : $"{span.TotalSeconds:0}s";
    }

    /// <summary>One run's line of the results table.</summary>
    public readonly record struct RunRow(double Figure, double Loss, long RealSteps, long EffectiveSteps, string? Jumps, double Seconds, long? StepsToTarget, double? SecondsToTarget);

    /// <summary>One seed's plain and farcast lines.</summary>
    public readonly record struct Row(int Seed, RunRow Plain, RunRow Farcast);

    /// <summary>The table rows of minibatch jobs: the final validation accuracy and loss of each run.</summary>
    public static Row[] Rows(IReadOnlyList<PairedSeedResult> results) => results.Select(r => new Row(r.Seed, RunRowOf(r.Baseline, r.BaselineTime, null),
        RunRowOf(r.Farcast, r.FarcastTime, $"{r.Jumps}/{r.RejectedJumps}"))).ToArray();

    private static RunRow RunRowOf(IReadOnlyList<TrainingPoint> points, TimeToAccuracy time, string? jumps) =>
        new(points[^1].ValidationAccuracy, points[^1].ValidationLoss, points[^1].RealSteps, points[^1].EffectiveSteps, jumps, points[^1].Seconds, time.Steps, time.Seconds);

    /// <summary>
    /// Per seed and run: the figure (<paramref name="metric"/>) and loss at the end, real/effective steps, jumps
    /// kept/rejected, training seconds and the steps and seconds to the target; then the medians from
    /// <paramref name="summary"/>. Short headers keep it whole in 80 columns.
    /// </summary>
    public static void Report(string title, IReadOnlyList<Row> rows, JsonObject summary, string metric = "acc.")
    {
        var table = new Table().Title(Markup.Escape(title)).Border(TableBorder.Simple)
            .AddColumns("seed", "run", Markup.Escape(metric), "loss", "real/eff", "jumps", "train s", "to target");
        foreach (var row in rows)
        {
            foreach (var (name, r) in new[] { ("plain", row.Plain), ("farcast", row.Farcast) })
                table.AddRow(row.Seed.ToString(), name, Figure(r.Figure), Figure(r.Loss), $"{r.RealSteps}/{r.EffectiveSteps}", r.Jumps ?? "", $"{r.Seconds:0.0}",
                    r.StepsToTarget is { } steps ? $"{steps}, {r.SecondsToTarget:0.0}s" : "not reached");
        }
        AnsiConsole.Write(table);
        var target = summary["target_description"]?.GetValue<string>() ?? $"{summary["target_loss"]!.GetValue<double>():G4}";
        AnsiConsole.MarkupLineInterpolated($"Target: {target}; speed-up (median over seeds): steps {Speedup(summary["speedup_steps"])}, wall-clock {Speedup(summary["speedup_wallclock"])}; the wrapper's own time {100 * summary["farcast_overhead_fraction"]!.GetValue<double>():0.0} % of the farcast run's training time.");
    }

    /// <summary>
    /// summary.json's <c>curves</c> as a table: per curve (each run and its weight average) the median steps to the target
    /// three ways and the final accuracy; then the speed-ups to the crossing that stands, which say what each control explains.
    /// </summary>
    public static void ReportCurves(JsonObject summary)
    {
        if (summary["curves"] is not JsonObject curves) return;
        var table = new Table().Title("Steps to the target (medians over seeds)").Border(TableBorder.Simple)
            .AddColumns("curve", "first crossing", $"standing ({curves["standing_window"]} evals)", "plain's final loss", "final acc.");
        foreach (var name in PairedSeedResult.CurveNames)
            if (curves[name] is JsonObject c)
                table.AddRow(name, Steps(c["first_crossing"]), Steps(c["standing_crossing"]), Steps(c["loss_reached"]), Figure(c["final_accuracy"]!.GetValue<double>()));
        AnsiConsole.Write(table);
        foreach (var (name, node) in curves)
            if (node is JsonObject comparison && comparison["standing_steps"] is JsonObject standing)
                AnsiConsole.MarkupLineInterpolated($"{name.Replace("_vs_", " vs ")}: {Speedup(standing["median"])} steps to the standing crossing, {Speedup(comparison["loss_steps"]!["median"])} to plain's final loss.");

        static string Steps(JsonNode? value) => value is null ? "not reached" : $"{value.GetValue<double>():0}";
    }

    /// <summary>A figure in four decimals, or in scientific notation when it is very small or large.</summary>
    internal static string Figure(double value) => Math.Abs(value) >= 1e-3 && Math.Abs(value) < 1e4 ? $"{value:0.0000}" : $"{value:0.00e0}";

    /// <summary>A speed-up as ×1.23, or <paramref name="missing"/> when there is none.</summary>
    internal static string Speedup(JsonNode? value, string missing = "not reached") => value is null ? missing : $"×{value.GetValue<double>():0.00}";
}
