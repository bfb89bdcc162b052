using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>The option every command has: where results go.</summary>
public class OutputSettings : CommandSettings
{
    [CommandOption("--out <DIR>")]
    [Description("Folder for summary.json, tables (Markdown, CSV) and plots. Nothing is written without it.")]
    public string? Out { get; init; }
}
