using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>Options of the commands that fit and compare forecasters on weight sequences (the paper's tables).</summary>
public class ExperimentSettings : OutputSettings
{
    [CommandOption("--trials <N>")]
    [Description("Trials (fresh data and initialisations each); mean (std) over them. Default 5; 1 is a smoke run.")]
    [DefaultValue(5)]
    public int Trials { get; init; } = 5;

    [CommandOption("--models <NAMES>")]
    [Description("Comma-separated: lfd2, lfn, lfl, lfs, dlinear, introspection, wnn, lfd2-ls (and lfd2+loss). Default: the first eight.")]
    public string Models { get; init; } = string.Join(',', FarcastCallback.Lab.Forecasters.ForecasterCatalog.All);

    public override ValidationResult Validate() =>
        Trials < 1 ? ValidationResult.Error($"--trials must be at least 1; got {Trials}.") : base.Validate();
}
