using System.ComponentModel;
using System.Diagnostics;
using FarcastCallback.Hosts.Training;
using FarcastCallback.Hosts.Paper;
using FarcastCallback.Hosts.Text;
using FarcastCallback.Lab.Forecasters;
using FarcastCallback.Lab.Reporting;
using FarcastCallback.Lab.Sequences;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>
/// <c>farcast paper distilbert [--checkpoint DIR] [--steps 60] [--seed 1] [--lr 1e-4] [--batch-size 16] [--scalars 4096] [--trials 5] [--out DIR]</c>: one
/// AdamW fine-tuning run recorded at sampled scalars, the forecasters fitted on its first half and tested on its
/// second (Table 4, BERT columns). Without <c>--checkpoint</c> the offline all-MiniLM-L6-v2 stands in for DistilBERT.
/// </summary>
public sealed class PaperTextCommand : Command<PaperTextCommand.Settings>
{
    public sealed class Settings : TextModelSettings
    {
        public Settings() => Steps = 60;

        [CommandOption("--scalars <N>")]
        [Description("Scalars per sample (a fit/test and an early-stopping sample are drawn). Default 4096.")]
        [DefaultValue(4096)]
        public int Scalars { get; init; } = 4096;

        // The same two options as ExperimentSettings: this command's settings inherit the text options instead.
        [CommandOption("--trials <N>")]
        [Description("Refits of every forecaster with fresh initialisations; mean (std) over them. Default 5.")]
        [DefaultValue(5)]
        public int Trials { get; init; } = 5;

        [CommandOption("--models <NAMES>")]
        [Description("Comma-separated forecasters. Default: all eight.")]
        public string Models { get; init; } = string.Join(',', ForecasterCatalog.All);

        [CommandOption("--sequences <FILE>")]
        [Description("Evaluate a text-sequences.npy written by an earlier run instead of fine-tuning.")]
        public string? Sequences { get; init; }

        public override ValidationResult Validate()
        {
            var fewest = 2 * TextTable4.Checkpoints[^1];
            if (Steps < fewest || Steps % 2 != 0) return ValidationResult.Error($"--steps must be even and at least {fewest} (Table 4 reports window step {TextTable4.Checkpoints[^1]}); got {Steps}.");
            if (Scalars < 1) return ValidationResult.Error($"--scalars must be at least 1; got {Scalars}.");
            if (Trials < 1) return ValidationResult.Error($"--trials must be at least 1; got {Trials}.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // With --sequences nothing is fine-tuned: the options that choose the model, the texts and the training do not apply.
        context.Arguments.RefuseWhere(settings.Sequences is not null, "fine-tuning (without --sequences)", "--checkpoint", "--data", "--categories", "--csv",
            "--text-column", "--label-column", "--labels", "--max-length", "--batch-size", "--lr");
        TextInputs.RefuseUnused(context.Arguments, settings);
        var run = RunInfo.FromCommandLine();
        using var loggers = ConsoleLogging.Create(settings);
        string modelName;
        WeightSequences sequences;
        if (settings.Sequences is not null)
        {
            sequences = NpyFile.Read(settings.Sequences);
            modelName = Path.GetFileName(settings.Sequences);
        }
        else
        {
            var inputs = TextInputs.Load(settings, verification: 0, loggers.CreateLogger("farcast.paper"));
            modelName = inputs.ModelName;
            var trajectory = new TextTrajectorySettings(settings.Steps, settings.Scalars, settings.Seed,
                new TextJobSettings(settings.Steps, BatchSize: settings.BatchSize, LearningRate: settings.LearningRate, MaxLength: settings.MaxLength));
            sequences = PairedRunConsole.WithProgress(settings, progress => TextTrajectories.Collect(inputs.Split, inputs.Tokenizer, inputs.Pretrained, trajectory,
                new SynchronousProgress<int>(step => progress(new RunProgress("fine-tuning trajectory", step, settings.Steps)))));
            AnsiConsole.MarkupLineInterpolated($"Kept {sequences.Values.Length * 8L / 1024.0:0} KiB of trajectory (float64); process peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0} MiB.");
            if (settings.Out is not null)
            {
                Directory.CreateDirectory(settings.Out);
                NpyFile.Write(Path.Combine(settings.Out, "text-sequences.npy"), sequences);
            }
        }

        var results = ConsoleReport.WithProgress("Table 4 BERT",
            progress => TextTable4.Evaluate(sequences, modelName, ForecasterCatalog.Parse(settings.Models), settings.Trials, settings.Out, run, progress));
        ConsoleReport.Table($"Table 4 — {modelName}: test MSE, mean (std) over {settings.Trials} trial(s)", results);
        if (settings.Out is not null) AnsiConsole.MarkupLineInterpolated($"Wrote text-sequences.npy, summary.json, table.md and table.csv to [bold]{settings.Out}[/].");
        return 0;
    }
}
