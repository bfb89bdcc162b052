using System.ComponentModel;
using FarcastCallback.Hosts.FullBatch;
using FarcastCallback.Hosts.Training;
using FarcastCallback.Lab.Reporting;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>The task of <c>farcast fullbatch</c>.</summary>
public enum FullBatchTaskName
{
    /// <summary>An implicit neural representation of an image.</summary>
    Inr,

    /// <summary>A physics-informed network for 1-D Poisson.</summary>
    Pinn,

    /// <summary>An MLP classifier (two moons, or a CSV file).</summary>
    Classifier,
}

/// <summary>Per-task defaults of <c>farcast fullbatch</c>.</summary>
public static class FullBatchTaskDefaults
{
    /// <summary>
    /// Plain Adam's best rate for each built-in task, chosen with <c>--lr-grid</c> on seeds 1–3 (docs/benchmarks.md): the
    /// baseline farcasting has to beat is the tuned one.
    /// </summary>
    public static double LearningRate(this FullBatchTaskName task) => task switch
    {
        FullBatchTaskName.Inr => 0.02,
        FullBatchTaskName.Classifier => 0.1,
        _ => 0.01,
    };
}

/// <summary>
/// <c>farcast fullbatch [--task inr|pinn|classifier] [--steps 3000] [--lr RATE] [--seeds 1] [--seed 1] [--out DIR]</c>:
/// a full-batch task trained with the plain inner optimizer and with <see cref="FarcastOptimizer"/> guarded by the exact
/// training loss, from the same initial weights, interleaved; real steps and seconds to the target loss. Farcast settings
/// come from appsettings.json overlaid by appsettings.fullbatch.json, overridden as <c>--Farcast:KEY=VALUE</c>.
/// </summary>
public sealed class FullBatchCommand(FarcastSettingArguments farcastSettings) : Command<FullBatchCommand.Settings>
{
    public sealed class Settings : PairedRunSettings
    {
        public Settings()
        {
            Steps = 3000;
            LearningRate = 1e-3;   // only for validation; the task's tuned rate applies unless --lr is given
            EvaluateEvery = 100;
        }

        [CommandOption("--task <NAME>")]
        [Description("inr (image fitting), pinn (1-D Poisson) or classifier (two moons, or --csv). Default inr.")]
        [DefaultValue(FullBatchTaskName.Inr)]
        public FullBatchTaskName Task { get; init; } = FullBatchTaskName.Inr;

        [CommandOption("--reference-lr <RATE>")]
        [Description("Target = the final loss of a plain run at this rate (e.g. the default rate, when --lr is a tuned one). Default: the plain run's own final loss.")]
        public double? ReferenceLearningRate { get; init; }

        [CommandOption("--target-loss <LOSS>")]
        [Description("An explicit target training loss (overrides --reference-lr).")]
        public double? TargetLoss { get; init; }

        [CommandOption("--no-guard")]
        [Description("Keep every finite forecast without checking the training loss (an ablation: unguarded jumps can diverge).")]
        public bool NoGuard { get; init; }

        [CommandOption("--lr-grid <RATES>")]
        [Description("Tune the baseline instead: plain runs only, at each comma-separated rate, to the final loss of the run at --reference-lr (default 0.001, Adam's usual default); prints and writes (lr-grid.json) the stable rate with the fewest median steps.")]
        public string? LearningRateGrid { get; init; }

        [CommandOption("--image <FILE>")]
        [Description("inr: a PNG or JPEG file (grayscale or RGB). Default: a procedural test image.")]
        public string? Image { get; init; }

        [CommandOption("--size <N>")]
        [Description("inr: the image is resized to N × N pixels. Default 64.")]
        [DefaultValue(64)]
        public int Size { get; init; } = 64;

        [CommandOption("--activation <NAME>")]
        [Description("inr: Tanh, or Sine (SIREN: fits a 64×64 image to 60 dB in ~250 steps, then Adam at 1e-3 spikes, which makes time to a final loss meaningless). Default Tanh.")]
        [DefaultValue(CoordinateActivation.Tanh)]
        public CoordinateActivation Activation { get; init; } = CoordinateActivation.Tanh;

        [CommandOption("--points <N>")]
        [Description("pinn: collocation points. Default 256.")]
        [DefaultValue(256)]
        public int Points { get; init; } = 256;

        [CommandOption("--csv <FILE>")]
        [Description("classifier: a CSV file with a header, numeric feature columns and --label-column. Default: two moons (2,000 training, 1,000 test points).")]
        public string? Csv { get; init; }

        [CommandOption("--label-column <NAME>")]
        [Description("classifier: the CSV column of the classes. Default 'label'.")]
        [DefaultValue("label")]
        public string LabelColumn { get; init; } = "label";

        /// <summary>The rates of <c>--lr-grid</c>, or null when it does not parse.</summary>
        internal static double[]? Rates(string text)
        {
            var parts = text.Split(',', StringSplitOptions.TrimEntries);
            var rates = parts.Select(p => double.TryParse(p, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var r) && r > 0 && double.IsFinite(r) ? r : double.NaN).ToArray();
            return rates.Length == 0 || rates.Any(double.IsNaN) ? null : rates;
        }

        public override ValidationResult Validate()
        {
            if (ReferenceLearningRate is { } r && (!(r > 0) || !double.IsFinite(r))) return ValidationResult.Error($"--reference-lr must be a positive number; got {r}.");
            if (TargetLoss is { } t && !double.IsFinite(t)) return ValidationResult.Error($"--target-loss must be a finite number; got {t}.");
            if (Size is < 2 or > InrImage.MaxSize) return ValidationResult.Error($"--size must be between 2 and {InrImage.MaxSize}; got {Size}.");
            if (Points is < 2 or > 1_000_000) return ValidationResult.Error($"--points must be between 2 and 1000000; got {Points}.");
            if (LearningRateGrid is not null && Rates(LearningRateGrid) is null) return ValidationResult.Error($"--lr-grid must be comma-separated positive numbers; got '{LearningRateGrid}'.");
            if (Image is not null && Task != FullBatchTaskName.Inr) return ValidationResult.Error("--image applies to --task inr only.");
            if (Csv is not null && Task != FullBatchTaskName.Classifier) return ValidationResult.Error("--csv applies to --task classifier only.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = PairedRunConsole.FarcastOptions(farcastSettings, profile: "fullbatch");
        using var loggers = ConsoleLogging.Create(LogLevel.Warning);
        using var task = CreateTask(settings);
        AnsiConsole.MarkupLineInterpolated($"[bold]{task.Description}[/]");
        var given = context.Arguments.Any(a => a == "--lr" || a.StartsWith("--lr=", StringComparison.Ordinal));
        var learningRate = given || settings.Optimizer != InnerOptimizer.Adam ? settings.LearningRate : settings.Task.LearningRate();
        var jobSettings = new FullBatchSettings(settings.Steps, settings.Seeds, settings.Seed, learningRate, settings.Optimizer, settings.Momentum,
            settings.EvaluateEvery, settings.ReferenceLearningRate, settings.TargetLoss, Guard: !settings.NoGuard);
        var run = RunInfo.FromCommandLine();

        if (settings.LearningRateGrid is not null)
            return TuneBaseline(task, jobSettings with { ReferenceLearningRate = settings.ReferenceLearningRate ?? 1e-3 }, Settings.Rates(settings.LearningRateGrid)!, run, settings.Out);

        var comparison = task is InrTask inr ? new InrComparison(inr.Image) : null;
        var renderAt = new[] { settings.Steps / 10, settings.Steps / 3, settings.Steps };
        var results = PairedRunConsole.WithProgress(progress => FullBatchJob.Run(task, jobSettings, options, loggers.CreateLogger("farcast.fullbatch"), progress,
            (seed, step, plain, farcast) =>
            {
                if (comparison is not null && seed == settings.Seed && renderAt.Contains(step))
                    comparison.Add(step, ((InrTask)task).Render(plain.Model), ((InrTask)task).Render(farcast.Model));
            }));

        var summary = FullBatchReport.Summary(task, results, run, jobSettings, options);
        PairedRunConsole.Report($"{task.Description.Split(':')[0]}: plain {settings.Optimizer} vs FarcastOptimizer", results.Select(Row).ToArray(), summary, task.FigureName);
        AnsiConsole.MarkupLineInterpolated($"Guard (full-batch loss checks): {100 * summary["verification_overhead_fraction"]!.GetValue<double>():0.0} % of the farcast run's time. Steps saved to target (median): {summary["steps_saved_to_target"]?.ToString() ?? "n/a"}; EffectiveSteps claims {summary["claimed_skipped_steps"]}.");
        if (settings.Out is not null)
        {
            comparison?.Save(EnsureFolder(settings.Out, "images.png"));
            FullBatchReport.Write(settings.Out, task, results, summary);
            AnsiConsole.MarkupLineInterpolated($"Wrote steps.csv, figures.csv, loss-vs-steps.png, loss-vs-seconds.png{(comparison is null ? "" : ", images.png")} and summary.json to [bold]{settings.Out}[/].");
        }
        return 0;
    }

    private static int TuneBaseline(IFullBatchTask task, FullBatchSettings settings, IReadOnlyList<double> rates, RunInfo run, string? output)
    {
        var results = PairedRunConsole.WithProgress(progress => LearningRateGrid.Run(task, settings, rates, progress));
        var table = new Table().Title(Markup.Escape($"{task.Description.Split(':')[0]}: plain {settings.Optimizer} steps to the final loss at lr {settings.ReferenceLearningRate ?? settings.LearningRate:G3}"))
            .Border(TableBorder.Simple).AddColumns(new[] { "lr" }.Concat(Enumerable.Range(settings.FirstSeed, settings.Seeds).Select(s => $"seed {s}")).Append("median").Append("stable").ToArray());
        foreach (var r in results)
            table.AddRow(new[] { $"{r.LearningRate:G3}" }.Concat(r.PerSeed.Select(t => t.Steps?.ToString() ?? "not reached"))
                .Append(r.MedianSteps is { } m ? $"{m:0}" : "not reached").Append(r.Stable ? "yes" : "no (ends above)").ToArray());
        AnsiConsole.Write(table);
        var best = LearningRateGrid.Best(results);
        AnsiConsole.MarkupLineInterpolated($"Best learning rate: {(best is { } b ? b.ToString("G3", System.Globalization.CultureInfo.InvariantCulture) : "none reached the target")}.");
        if (output is not null)
        {
            JsonFiles.Write(EnsureFolder(output, "lr-grid.json"), LearningRateGrid.Summary(task, results, run, settings));
            AnsiConsole.MarkupLineInterpolated($"Wrote lr-grid.json to [bold]{output}[/].");
        }
        return 0;
    }

    private static string EnsureFolder(string folder, string file)
    {
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, file);
    }

    private static IFullBatchTask CreateTask(Settings settings) => settings.Task switch
    {
        FullBatchTaskName.Pinn => new PinnTask(settings.Points),
        FullBatchTaskName.Classifier => new ClassifierTask(settings.Csv is { } csv ? TabularData.FromCsv(csv, settings.LabelColumn) : TabularData.TwoMoons()),
        _ => new InrTask(settings.Image is { } path ? InrImage.Load(path, settings.Size) : InrImage.Procedural(settings.Size), activation: settings.Activation),
    };

    /// <summary>A full-batch seed in the shape of the shared results table: the figure and the loss at the end of each run.</summary>
    private static PairedRunConsole.Row Row(FullBatchSeedResult r) => new(r.Seed,
        new PairedRunConsole.RunRow(r.Plain.FinalFigure, r.Plain.Final.Loss, r.Plain.Final.RealSteps, r.Plain.Final.EffectiveSteps, null, r.Plain.Final.Seconds, r.Plain.Time.Steps, r.Plain.Time.Seconds),
        new PairedRunConsole.RunRow(r.Farcast.FinalFigure, r.Farcast.Final.Loss, r.Farcast.Final.RealSteps, r.Farcast.Final.EffectiveSteps, $"{r.Jumps}/{r.RejectedJumps}",
            r.Farcast.Final.Seconds, r.Farcast.Time.Steps, r.Farcast.Time.Seconds));
}
