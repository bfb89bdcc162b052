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

    /// <summary>The error in the options every paired-run command has, or null.</summary>
    public static string? RunOptionsError(int steps, int seeds, int batchSize, double learningRate, int evaluateEvery) =>
        steps < 1 ? $"--steps must be at least 1; got {steps}."
        : seeds < 1 ? $"--seeds must be at least 1; got {seeds}."
        : batchSize < 1 ? $"--batch-size must be at least 1; got {batchSize}."
        : learningRate <= 0 ? $"--lr must be positive; got {learningRate}."
        : evaluateEvery < 1 ? $"--eval-every must be at least 1; got {evaluateEvery}."
        : null;

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

    /// <summary>Per seed and run: validation accuracy and loss, real and effective steps, jumps, seconds, time to target; then the medians.</summary>
    public static void Report(string title, IReadOnlyList<PairedSeedResult> results, JsonObject summary)
    {
        var table = new Table().Title(Markup.Escape(title))
            .AddColumns("seed", "run", "val. accuracy", "val. loss", "real steps", "effective steps", "jumps kept/rejected", "train s", "steps to target", "s to target");
        foreach (var r in results)
        {
            foreach (var (name, points, time) in new[] { ("plain", r.Baseline, r.BaselineTime), ("farcast", r.Farcast, r.FarcastTime) })
            {
                var last = points[^1];
                table.AddRow(r.Seed.ToString(), name, $"{last.ValidationAccuracy:0.0000}", $"{last.ValidationLoss:0.0000}", $"{last.RealSteps}", $"{last.EffectiveSteps}",
                    name == "plain" ? "" : $"{r.Jumps}/{r.RejectedJumps}", $"{last.Seconds:0.0}",
                    time.Steps?.ToString() ?? "not reached", time.Seconds is { } s ? $"{s:0.0}" : "not reached");
            }
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"Target accuracy {summary["target_accuracy"]!.GetValue<double>():0.0000}; speed-up (median over seeds): steps ×{summary["speedup_steps"]!.GetValue<double>():0.00}, wall-clock ×{summary["speedup_wallclock"]!.GetValue<double>():0.00}; the wrapper's own time {100 * summary["farcast_overhead_fraction"]!.GetValue<double>():0.0} % of the farcast run's training time.");
    }

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
