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

    /// <summary>An MLP classifier (spirals, two moons, or a CSV file).</summary>
    Classifier,
}

/// <summary>The built-in data of <c>farcast fullbatch --task classifier</c>.</summary>
public enum ClassifierDataset
{
    /// <summary>Three noisy spiral arms: validation accuracy keeps improving over thousands of full-batch steps.</summary>
    Spirals,

    /// <summary>Two moons (noise 0.1): saturates at 99.9 % test accuracy within a few hundred steps.</summary>
    Moons,
}

/// <summary>Per-task defaults of <c>farcast fullbatch</c>.</summary>
public static class FullBatchTaskDefaults
{
    /// <summary>
    /// Plain Adam's best rate for each built-in task, chosen with <c>--lr-grid</c> on seeds 1–3 (docs/benchmarks.md): the
    /// baseline farcasting has to beat is the tuned one.
    /// </summary>
    public static double LearningRate(this FullBatchTaskName task, ClassifierDataset dataset = ClassifierDataset.Spirals) => task switch
    {
        FullBatchTaskName.Inr => 0.02,
        FullBatchTaskName.Classifier => dataset == ClassifierDataset.Moons ? 0.1 : 0.02,
        _ => 0.05,
    };
}

/// <summary>
/// <c>farcast fullbatch [--task inr|pinn|classifier] [--steps 3000] [--lr RATE] [--seeds 1] [--seed 1] [--out DIR]</c>:
/// a full-batch task trained with the plain inner optimizer and with <see cref="FarcastOptimizer"/> guarded by the exact
/// training loss, from the same initial weights, interleaved; real steps and seconds to the task's target in the
/// user's terms (best smoothed validation loss, PSNR, L2 error of the plain run), and to the training-loss target. Farcast settings
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
        [TypeConverter(typeof(NamedEnumConverter<FullBatchTaskName>))]
        public FullBatchTaskName Task { get; init; } = FullBatchTaskName.Inr;

        [CommandOption("--reference-lr <RATE>")]
        [Description("The targets come from a plain run at this rate (its best mean of 10 steps of the task's target and of the training loss) instead of from the plain run itself.")]
        public double? ReferenceLearningRate { get; init; }

        [CommandOption("--target-loss <LOSS>")]
        [Description("An explicit target for the training-loss race (overrides the plain or reference run's best); the task's target is unchanged.")]
        public double? TargetLoss { get; init; }

        [CommandOption("--no-guard")]
        [Description("Keep every finite forecast without checking the training loss (an ablation: unguarded jumps can diverge).")]
        public bool NoGuard { get; init; }

        [CommandOption("--step-loss-guard")]
        [Description("Judge jumps by the training loss each step computes anyway, with no forward pass of the guard's own (needs --Farcast:JudgeAfterSteps=1 or more: a jump is judged by the loss R steps after it).")]
        public bool StepLossGuard { get; init; }

        [CommandOption("--ema-decay <D>")]
        [Description("Both runs keep an exponential moving average of their weights with this decay, read at every step beside them (curves plain_ema and farcast_ema in summary.json: the control a saving must beat); 0: none. Default 0.")]
        [DefaultValue(0.0)]
        public double EmaDecay { get; init; }

        [CommandOption("--lr-grid <RATES>")]
        [Description("Tune the baseline instead: plain runs only, at each comma-separated rate, to the best smoothed target (validation loss, MSE, L2 error) of the run at --reference-lr (default 0.001, Adam's usual default); prints and writes (lr-grid.json) the rate with the fewest median steps among those that reach it on most seeds.")]
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
        [TypeConverter(typeof(NamedEnumConverter<CoordinateActivation>))]
        public CoordinateActivation Activation { get; init; } = CoordinateActivation.Tanh;

        [CommandOption("--points <N>")]
        [Description("pinn: collocation points. Default 256.")]
        [DefaultValue(256)]
        public int Points { get; init; } = 256;

        [CommandOption("--dataset <NAME>")]
        [Description("classifier: Spirals (3 noisy arms) or Moons (two moons), each 2,000 training, 1,000 validation and 1,000 test points. Default Spirals.")]
        [DefaultValue(ClassifierDataset.Spirals)]
        [TypeConverter(typeof(NamedEnumConverter<ClassifierDataset>))]
        public ClassifierDataset Dataset { get; init; } = ClassifierDataset.Spirals;

        [CommandOption("--csv <FILE>")]
        [Description("classifier: a CSV file with a header, numeric feature columns and --label-column (strings or numbers; NA, ? or an empty field is reported as missing, with its record), split 60/20/20 into training, validation and test.")]
        public string? Csv { get; init; }

        [CommandOption("--label-column <NAME>")]
        [Description("classifier: the CSV column of the classes. Default 'label'.")]
        [DefaultValue("label")]
        public string LabelColumn { get; init; } = "label";

        public override ValidationResult Validate()
        {
            if (!(EmaDecay >= 0 && EmaDecay < 1)) return ValidationResult.Error($"--ema-decay must be at least 0 and below 1; got {EmaDecay}.");
            if (ReferenceLearningRate is { } r && !IsLearningRate(r)) return ValidationResult.Error($"--reference-lr must be a positive number of at most {MaxLearningRate:G}; got {r}.");
            if (TargetLoss is { } t && !(t > 0 && double.IsFinite(t))) return ValidationResult.Error($"--target-loss must be a positive finite number (a training loss is never below 0); got {t}.");
            if (Size is < 2 or > InrImage.MaxSize) return ValidationResult.Error($"--size must be between 2 and {InrImage.MaxSize}; got {Size}.");
            if (Points is < 2 or > PinnTask.MaxPoints) return ValidationResult.Error($"--points must be between 2 and {PinnTask.MaxPoints}; got {Points}.");
            if (InvalidGrid(LearningRateGrid) is { } invalidGrid) return invalidGrid;
            if (Image is not null && Task != FullBatchTaskName.Inr) return ValidationResult.Error("--image applies to --task inr only.");
            if (Csv is not null && Task != FullBatchTaskName.Classifier) return ValidationResult.Error("--csv applies to --task classifier only.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var arguments = context.Arguments;
        arguments.RefuseWhere(settings.Task != FullBatchTaskName.Inr, "--task inr", "--size", "--activation");
        arguments.RefuseWhere(settings.Task != FullBatchTaskName.Pinn, "--task pinn", "--points");
        arguments.RefuseWhere(settings.Csv is null, "--csv (the classifier's CSV file)", "--label-column");
        arguments.RefuseWhere(settings.Optimizer != InnerOptimizer.Sgd, "--optimizer Sgd", "--momentum");
        arguments.RefuseWhere(settings.Task != FullBatchTaskName.Classifier, "--task classifier", "--dataset");
        if (settings.LearningRateGrid is not null && arguments.Given("--ema-decay"))
            throw new ArgumentException("--ema-decay applies to the paired runs only; --lr-grid trains plain runs to tune the rate.");
        if (settings.Csv is not null && arguments.Given("--dataset")) throw new ArgumentException("--dataset and --csv are two sources of data; give one.");
        var options = PairedRunConsole.FarcastOptions(farcastSettings, "fullbatch");
        if (settings.StepLossGuard && settings.NoGuard) throw new ArgumentException("--step-loss-guard and --no-guard contradict each other; give one.");
        if (settings.StepLossGuard && options.JudgeAfterSteps == 0)
            throw new ArgumentException("--step-loss-guard judges a jump by the losses of the steps after it: give --Farcast:JudgeAfterSteps=1 or more (1 judges the loss at the jumped weights).");
        if (options.Mode == FarcastMode.Stop)
            throw new ArgumentException("Farcast:Mode=Stop does not apply to fullbatch: both runs train for --steps real steps and race to a target; use Resume.");
        using var loggers = ConsoleLogging.Create(settings);
        using var task = CreateTask(settings);
        AnsiConsole.MarkupLineInterpolated($"[bold]{task.Description}[/]");
        var given = arguments.Given("--lr");
        var learningRate = given || settings.Optimizer != InnerOptimizer.Adam ? settings.LearningRate : settings.Task.LearningRate(settings.Dataset);
        var jobSettings = new FullBatchSettings(settings.Steps, settings.Seeds, settings.Seed, learningRate, settings.Optimizer, settings.Momentum,
            settings.EvaluateEvery, settings.ReferenceLearningRate, settings.TargetLoss, Guard: !settings.NoGuard,
            StepLossGuard: settings.StepLossGuard, AverageDecay: settings.EmaDecay);
        var run = RunInfo.FromCommandLine();

        if (settings.LearningRateGrid is not null)
            return TuneBaseline(task, jobSettings with { ReferenceLearningRate = settings.ReferenceLearningRate ?? 1e-3 }, Settings.Rates(settings.LearningRateGrid)!, run, settings, settings.Out);

        PairedRunConsole.WarnIfNoJumpFits(options, settings.Steps);
        var comparison = task is InrTask inr ? new InrComparison(inr.Image) : null;
        var renderAt = new[] { settings.Steps / 10, settings.Steps / 3, settings.Steps };
        var results = PairedRunConsole.WithProgress(settings, progress => FullBatchJob.Run(task, jobSettings, options, loggers.CreateLogger("farcast.fullbatch"), progress,
            (seed, step, plain, farcast) =>
            {
                if (comparison is not null && seed == settings.Seed && renderAt.Contains(step))
                    comparison.Add(step, ((InrTask)task).Render(plain.Model), ((InrTask)task).Render(farcast.Model));
            },
            done => ResultSummary.WritePartial(settings.Out, FullBatchReport.Summary(task, done, run, jobSettings, options), done.Count, jobSettings.Seeds)));

        var summary = ResultSummary.Complete(FullBatchReport.Summary(task, results, run, jobSettings, options), jobSettings.Seeds);
        Report(task, results, summary, settings.Optimizer);
        if (settings.Out is not null)
        {
            comparison?.Save(EnsureFolder(settings.Out, "images.png"));
            FullBatchReport.Write(settings.Out, task, results, summary, settings.EvaluateEvery);
            AnsiConsole.MarkupLineInterpolated($"Wrote steps.csv, figures.csv, target-vs-steps.png, loss-vs-steps.png, loss-vs-seconds.png{(comparison is null ? "" : ", images.png")} and summary.json to [bold]{settings.Out}[/].");
        }
        return 0;
    }

    /// <summary>
    /// Per seed and run: the target in the user's terms, steps and seconds to it, the figure there and at the end, jumps;
    /// then the medians, the training-loss race beside them, and what the wrapper cost.
    /// </summary>
    private static void Report(IFullBatchTask task, IReadOnlyList<FullBatchSeedResult> results, System.Text.Json.Nodes.JsonObject summary, InnerOptimizer optimizer)
    {
        var figure = task.FigureName.Replace('_', ' ');
        var table = new Table().Title(Markup.Escape($"{task.Description.Split(':')[0]}: plain {optimizer} vs FarcastOptimizer, race to the target"))
            .Border(TableBorder.Simple).AddColumns("seed", "run", "to target", Markup.Escape($"{figure} there"), Markup.Escape($"{figure} at end"), "jumps", "train s");
        foreach (var r in results)
        {
            foreach (var (name, run, jumps) in new[] { ("plain", r.Plain, ""), ("farcast", r.Farcast, $"{r.Jumps}/{r.RejectedJumps}"),
                         ("plain + EMA", r.Plain.Average, ""), ("farcast + EMA", r.Farcast.Average, "") })
                if (run is not null)
                    table.AddRow(r.Seed.ToString(), name, run.Time.Steps is { } steps ? $"{steps}, {run.Time.Seconds:0.0}s" : "not reached",
                        run.Time.Figure is { } there ? PairedRunConsole.Figure(there) : "–", PairedRunConsole.Figure(run.FinalFigure), jumps, $"{run.Final.Seconds:0.0}");
        }
        AnsiConsole.Write(table);
        foreach (var r in results) AnsiConsole.MarkupLineInterpolated($"seed {r.Seed} target: {r.TargetDescription}");
        var loss = summary["training_loss_race"]!;
        AnsiConsole.MarkupLineInterpolated($"Speed-up to the target (median over seeds): steps {Speedup(summary["speedup_steps"])}, wall-clock {Speedup(summary["speedup_wallclock"])}; to the training-loss target {loss["target_loss"]!.GetValue<double>():G3}: steps {Speedup(loss["speedup_steps"])}, wall-clock {Speedup(loss["speedup_wallclock"])}.");
        if (summary["curves"] is System.Text.Json.Nodes.JsonObject curves)
            foreach (var (name, node) in curves)
                if (node?["target_steps"] is { } steps)
                    AnsiConsole.MarkupLineInterpolated($"{name.Replace("_vs_", " vs ")}: {Speedup(steps["median"])} steps to the target, {Speedup(node["loss_steps"]!["median"])} to the training-loss target.");
        AnsiConsole.MarkupLineInterpolated($"The wrapper's own time {100 * summary["farcast_overhead_fraction"]!.GetValue<double>():0.0} % of the farcast run's training time, the guard's {100 * summary["verification_overhead_fraction"]!.GetValue<double>():0.0} %. Steps saved to the target (median): {summary["steps_saved_to_target"]?.ToString() ?? "n/a"}; EffectiveSteps claims {summary["claimed_skipped_steps"]}.");
    }

    private static string Speedup(System.Text.Json.Nodes.JsonNode? value) => PairedRunConsole.Speedup(value, "none (a run did not reach it)");

    private static int TuneBaseline(IFullBatchTask task, FullBatchSettings settings, IReadOnlyList<double> rates, RunInfo run, OutputSettings console, string? output)
    {
        var results = PairedRunConsole.WithProgress(console, progress => LearningRateGrid.Run(task, settings, rates, progress));
        var table = new Table().Title(Markup.Escape($"{task.Description.Split(':')[0]}: plain {settings.Optimizer} steps to the best {task.TargetName.Replace('_', ' ')} at lr {settings.ReferenceLearningRate ?? settings.LearningRate:G3}"))
            .Border(TableBorder.Simple).AddColumns(new[] { "lr" }.Concat(Enumerable.Range(settings.FirstSeed, settings.Seeds).Select(s => $"seed {s}")).Append("median").Append("stable").ToArray());
        foreach (var r in results)
            table.AddRow(new[] { $"{r.LearningRate:G3}" }.Concat(r.PerSeed.Select(t => t.Steps?.ToString() ?? "not reached"))
                .Append(r.MedianSteps is { } m ? $"{m:0}" : "not reached").Append(r.Stable ? "yes" : "no (most seeds miss it)").ToArray());
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
        FullBatchTaskName.Classifier => new ClassifierTask(settings.Csv is { } csv ? TabularData.FromCsv(csv, settings.LabelColumn)
            : settings.Dataset == ClassifierDataset.Moons ? TabularData.TwoMoons() : TabularData.Spirals()),
        _ => new InrTask(settings.Image is { } path ? InrImage.Load(path, settings.Size) : InrImage.Procedural(settings.Size), activation: settings.Activation),
    };
}
