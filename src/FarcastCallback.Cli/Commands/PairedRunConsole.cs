using System.Text.Json.Nodes;
using FarcastCallback.Hosts.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>
/// What <c>farcast mnist</c> and <c>farcast text</c> share on the console: farcast settings, option checks, progress
/// bars (also used by the trajectory collection of <c>farcast paper cnn|distilbert</c>), the results table.
/// </summary>
internal static class PairedRunConsole
{
    /// <summary>The farcast settings: appsettings.json's Farcast section, overridden by <c>--Farcast:KEY=VALUE</c> arguments, validated.</summary>
    public static FarcastOptions FarcastOptions(IRemainingArguments remaining)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddCommandLine(ConfigurationArguments(remaining))
            .Build();
        // Through dependency injection, as an application would: the options are bound and validated on first use.
        using var services = new ServiceCollection().AddFarcast(configuration).BuildServiceProvider();
        return services.GetRequiredService<IOptions<FarcastOptions>>().Value;
    }

    /// <summary>Runs <paramref name="work"/> with one progress bar per label it reports.</summary>
    public static T WithProgress<T>(Func<Action<string, int, int>, T> work)
    {
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(progress =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                result = work((label, step, total) =>
                {
                    if (!tasks.TryGetValue(label, out var task)) tasks[label] = task = progress.AddTask(Markup.Escape(label), maxValue: total);
                    task.Value = step;
                });
            });
        return result;
    }

    /// <summary>
    /// Per seed and run: validation accuracy and loss, real/effective steps, jumps kept/rejected, training seconds and the
    /// steps and seconds to the target ("jumps" is kept/rejected); then the medians. Short headers keep it whole in 80 columns.
    /// </summary>
    public static void Report(string title, IReadOnlyList<PairedSeedResult> results, JsonObject summary, string metric = "acc.")
    {
        var table = new Table().Title(Markup.Escape(title)).Border(TableBorder.Simple)
            .AddColumns("seed", "run", metric, "loss", "real/eff", "jumps", "train s", "to target");
        foreach (var column in table.Columns) column.Padding(1, 0, 1, 0);
        foreach (var r in results)
        {
            foreach (var (name, points, time) in new[] { ("plain", r.Baseline, r.BaselineTime), ("farcast", r.Farcast, r.FarcastTime) })
            {
                var last = points[^1];
                table.AddRow(r.Seed.ToString(), name, Figure(last.ValidationAccuracy), Figure(last.ValidationLoss), $"{last.RealSteps}/{last.EffectiveSteps}",
                    name == "plain" ? "" : $"{r.Jumps}/{r.RejectedJumps}", $"{last.Seconds:0.0}",
                    time.Steps is { } steps ? $"{steps}, {time.Seconds:0.0}s" : "not reached");
            }
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"Target {summary["target_accuracy"]!.GetValue<double>():G4}; speed-up (median over seeds): steps {Speedup(summary["speedup_steps"])}, wall-clock {Speedup(summary["speedup_wallclock"])}; the wrapper's own time {100 * summary["farcast_overhead_fraction"]!.GetValue<double>():0.0} % of the farcast run's training time.");
    }

    private static string Figure(double value) => Math.Abs(value) >= 1e-3 && Math.Abs(value) < 1e4 ? $"{value:0.0000}" : $"{value:0.00e0}";

    private static string Speedup(JsonNode? value) => value is null ? "not reached" : $"×{value.GetValue<double>():0.00}";

    /// <summary>
    /// Spectre.Console.Cli splits <c>--Farcast:Horizon=20</c> at the colon into option <c>Farcast</c> with value
    /// <c>Horizon=20</c>; this puts such pairs back together for the configuration's command-line provider.
    /// </summary>
    internal static string[] ConfigurationArguments(IRemainingArguments remaining) =>
        remaining.Parsed
            .SelectMany(group => group.Where(value => value is not null).Select(value => $"--{group.Key.TrimStart('-')}:{value}"))
            .Concat(remaining.Raw)
            .ToArray();
}
