using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>Options of the commands that train a plain and a farcast run side by side for several seeds.</summary>
public class PairedRunSettings : TrainingSettings
{
    [CommandOption("--seeds <K>")]
    [Description("Seeds to run, starting at --seed. Default 1.")]
    [DefaultValue(1)]
    public int Seeds { get; init; } = 1;

    [CommandOption("--eval-every <N>")]
    [Description("Real steps between validation evaluations.")]
    public int EvaluateEvery { get; init; }

    public override ValidationResult Validate() =>
        Seeds < 1 ? ValidationResult.Error($"--seeds must be at least 1; got {Seeds}.")
        : (long)Seed + Seeds - 1 > int.MaxValue ? ValidationResult.Error($"--seed {Seed} with --seeds {Seeds} runs past the largest seed, {int.MaxValue}.")
        : EvaluateEvery < 1 ? ValidationResult.Error($"--eval-every must be at least 1; got {EvaluateEvery}.")
        : base.Validate();
}
