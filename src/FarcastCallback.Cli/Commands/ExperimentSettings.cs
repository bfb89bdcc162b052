using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>Options every experiment command shares.</summary>
public class ExperimentSettings : CommandSettings
{
    [CommandOption("--trials <N>")]
    [Description("Trials (fresh data and initialisations each); mean (std) over them. Default 5; 1 is a smoke run.")]
    [DefaultValue(5)]
    public int Trials { get; init; } = 5;

    [CommandOption("--out <DIR>")]
    [Description("Folder for summary.json, tables (Markdown, CSV) and plots. Nothing is written without it.")]
    public string? Out { get; init; }

    [CommandOption("--models <NAMES>")]
    [Description("Comma-separated: lfd2, lfn, lfl, lfs, dlinear, introspection, wnn, lfd2-ls (and lfd2+loss). Default: the first eight.")]
    public string Models { get; init; } = string.Join(',', FarcastCallback.Lab.Forecasters.ForecasterCatalog.All);

    public override ValidationResult Validate()
    {
        if (Trials < 1) return ValidationResult.Error($"--trials must be at least 1; got {Trials}.");
        return ValidationResult.Success();
    }
}

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
