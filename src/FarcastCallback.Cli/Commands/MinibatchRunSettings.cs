using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>Options of the paired-run commands that train on minibatches.</summary>
public class MinibatchRunSettings : PairedRunSettings
{
    [CommandOption("--batch-size <B>")]
    [Description("Examples per step.")]
    public int BatchSize { get; init; }

    public override ValidationResult Validate() =>
        BatchSize < 1 ? ValidationResult.Error($"--batch-size must be at least 1; got {BatchSize}.") : base.Validate();
}
