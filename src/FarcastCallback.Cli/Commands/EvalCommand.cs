using System.ComponentModel;
using System.Globalization;
using FarcastCallback.Lab.Evaluation;
using FarcastCallback.Lab.Forecasters;
using FarcastCallback.Lab.Reporting;
using FarcastCallback.Lab.Sequences;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>
/// <c>farcast eval --sequences FILE.npy [--input-steps 21] [--checkpoints 40,80,160,200] [--models ...]</c>:
/// the paper's protocol on a user's sequences. The file is split once (first half train, next quarter dev, last
/// quarter test); trials repeat the fits with other initialisations.
/// </summary>
public sealed class EvalCommand : Command<EvalCommand.Settings>
{
    public sealed class Settings : ExperimentSettings
    {
        [CommandOption("--sequences <FILE>")]
        [Description("A .npy file of shape (sequences, steps, scalars), float64 or float32.")]
        public string Sequences { get; init; } = "";

        [CommandOption("--input-steps <M>")]
        [Description("Known steps 0..m−1 of each series. Default 21.")]
        [DefaultValue(21)]
        public int InputSteps { get; init; } = 21;

        [CommandOption("--checkpoints <STEPS>")]
        [Description("Comma-separated absolute steps to report. Default 40,80,160,200.")]
        public string Checkpoints { get; init; } = "40,80,160,200";

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Sequences)) return ValidationResult.Error("--sequences FILE.npy is required.");
            if (InputSteps < 2) return ValidationResult.Error($"--input-steps must be at least 2; got {InputSteps}.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var sequences = NpyFile.Read(settings.Sequences);
        var models = ForecasterCatalog.Parse(settings.Models);
        var checkpoints = settings.Checkpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var step)
                ? step
                : throw new ArgumentException($"--checkpoints must be comma-separated step numbers; got '{c}'."))
            .ToArray();
        if (checkpoints.Length == 0) throw new ArgumentException("--checkpoints names no step; give comma-separated step numbers.");
        var task = new ForecastTask(settings.InputSteps, sequences.Steps);
        var run = RunInfo.FromCommandLine();
        AnsiConsole.MarkupLineInterpolated($"{settings.Sequences}: {sequences.Sequences} sequences × {sequences.Steps} steps × {sequences.Scalars} scalars.");
        if (NonFinite(sequences.Values) is var nonFinite and > 0)
            AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] {nonFinite} values are NaN or infinite; every model's MSE at a step they touch is undefined (—).");

        var results = ConsoleReport.WithProgress("eval",
            progress => ForecastEvaluation.Run(_ => sequences, models, task, checkpoints, settings.Trials, progress: progress));
        ConsoleReport.Table($"{Path.GetFileName(settings.Sequences)}: test MSE, mean (std) over {settings.Trials} trial(s)", results);
        if (settings.Out is not null)
        {
            ResultTables.WriteAll(settings.Out, "", Path.GetFileNameWithoutExtension(settings.Sequences),
                $"{Path.GetFileName(settings.Sequences)}", run, settings.InputSteps, settings.Trials, results);
            AnsiConsole.MarkupLineInterpolated($"Wrote summary.json, table.md and table.csv to [bold]{settings.Out}[/].");
        }
        return 0;
    }

    private static int NonFinite(ReadOnlySpan<double> values)
    {
        var count = 0;
        foreach (var v in values) if (!double.IsFinite(v)) count++;
        return count;
    }
}
