using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>The options every command has: where results go, and whether an earlier result there may be overwritten.</summary>
public class OutputSettings : CommandSettings
{
    [CommandOption("--out <DIR>")]
    [Description("Folder for summary.json, tables (Markdown, CSV) and plots. Nothing is written without it.")]
    public string? Out { get; init; }

    [CommandOption("--force")]
    [Description("Write into a non-empty --out folder (its old files stay beside the new ones).")]
    public bool Force { get; init; }

    /// <summary>
    /// Checks --out before any work starts, so a long run never ends on a folder it cannot write: not a file, not a
    /// non-empty folder (unless --force, so an old steps.csv never sits beside a new summary.json unasked), and writable.
    /// </summary>
    public override ValidationResult Validate()
    {
        if (Out is not { } folder) return ValidationResult.Success();
        if (string.IsNullOrWhiteSpace(folder)) return ValidationResult.Error("--out is empty; give a folder.");
        if (File.Exists(folder)) return ValidationResult.Error($"--out '{folder}' is a file; give a folder.");
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any() && !Force)
            return ValidationResult.Error($"--out '{folder}' is not empty; choose a new folder, or pass --force to write into it.");
        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".farcast-write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return ValidationResult.Error($"--out '{folder}' cannot be written: {exception.Message}");
        }
        return ValidationResult.Success();
    }
}
