using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>Options of the commands that generate synthetic sequences.</summary>
public class SyntheticSettings : ExperimentSettings
{
    [CommandOption("--problems <N>")]
    [Description("Sequences generated per trial (the paper: 200, split 100/50/50).")]
    [DefaultValue(200)]
    public int Problems { get; init; } = 200;

    public override ValidationResult Validate() =>
        Problems < 3 ? ValidationResult.Error($"--problems must be at least 3 (train, dev, test); got {Problems}.") : base.Validate();
}
