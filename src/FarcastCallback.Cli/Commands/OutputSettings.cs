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

    [CommandOption("--quiet")]
    [Description("Print only the result table (no progress, no log lines but errors and warnings).")]
    public bool Quiet { get; init; }

    [CommandOption("--verbose")]
    [Description("Also print every farcast jump event, kept and rejected.")]
    public bool Verbose { get; init; }

    [CommandOption("--force")]
    [Description("Write into a non-empty --out folder: what it holds is first moved into its subfolder 'previous' (replacing an earlier one), so no old file sits beside the new result.")]
    public bool Force { get; init; }

    /// <summary>
    /// Checks --out before any work starts, so a long run never ends on a folder it cannot write: not a file, not a
    /// non-empty folder (unless --force, which moves the old contents into <see cref="PreviousFolder"/> first, so a
    /// stale summary.json never sits beside a new or failed run), and writable.
    /// </summary>
    public override ValidationResult Validate()
    {
        if (Quiet && Verbose) return ValidationResult.Error("--quiet and --verbose contradict each other; give one.");
        if (Out is not { } folder) return ValidationResult.Success();
        if (string.IsNullOrWhiteSpace(folder)) return ValidationResult.Error("--out is empty; give a folder.");
        if (File.Exists(folder)) return ValidationResult.Error($"--out '{folder}' is a file; give a folder.");
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any() && !Force && !GoesOnInOut)
            return ValidationResult.Error($"--out '{folder}' is not empty; choose a new folder, or pass --force to write into it.");
        try
        {
            if (Force) SetAsidePrevious(folder);
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

    /// <summary>Whether the command goes on with the result already in --out (<c>farcast mnist --resume</c>), so a non-empty folder is expected.</summary>
    protected virtual bool GoesOnInOut => false;

    /// <summary>Where <c>--force</c> moves what a non-empty --out folder held.</summary>
    public const string PreviousFolder = "previous";

    private static void SetAsidePrevious(string folder)
    {
        if (!Directory.Exists(folder)) return;
        var entries = Directory.EnumerateFileSystemEntries(folder).Where(e => Path.GetFileName(e) != PreviousFolder).ToArray();
        if (entries.Length == 0) return;
        var previous = Path.Combine(folder, PreviousFolder);
        if (Directory.Exists(previous)) Directory.Delete(previous, recursive: true);
        Directory.CreateDirectory(previous);
        foreach (var entry in entries)
        {
            var target = Path.Combine(previous, Path.GetFileName(entry));
            if (Directory.Exists(entry)) Directory.Move(entry, target);
            else File.Move(entry, target);
        }
    }
}
