using System.ComponentModel;
using Spectre.Console;
using FarcastCallback.Hosts.Training;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>Options of the commands that train a plain and a farcast run side by side for several seeds.</summary>
public class PairedRunSettings : TrainingSettings
{
    [CommandOption("--seeds <K>")]
    [Description("Seeds to run, starting at --seed. Default 1.")]
    [DefaultValue(1)]
    public int Seeds { get; init; } = 1;

    [CommandOption("--optimizer <NAME>")]
    [Description("Inner optimizer of both runs: Adam, Sgd (with --momentum) or AdamW. Default Adam.")]
    [DefaultValue(InnerOptimizer.Adam)]
    [TypeConverter(typeof(NamedEnumConverter<InnerOptimizer>))]
    public InnerOptimizer Optimizer { get; init; } = InnerOptimizer.Adam;

    [CommandOption("--momentum <M>")]
    [Description("SGD momentum. Default 0.9.")]
    [DefaultValue(0.9)]
    public double Momentum { get; init; } = 0.9;

    [CommandOption("--eval-every <N>")]
    [Description("Real steps between validation evaluations.")]
    public int EvaluateEvery { get; init; }

    public override ValidationResult Validate() =>
        Seeds < 1 ? ValidationResult.Error($"--seeds must be at least 1; got {Seeds}.")
        : Momentum is < 0 or >= 1 ? ValidationResult.Error($"--momentum must be in [0, 1); got {Momentum}.")
        : (long)Seed + Seeds - 1 > int.MaxValue ? ValidationResult.Error($"--seed {Seed} with --seeds {Seeds} runs past the largest seed, {int.MaxValue}.")
        : EvaluateEvery < 1 ? ValidationResult.Error($"--eval-every must be at least 1; got {EvaluateEvery}.")
        : base.Validate();
}
