using System.Runtime.InteropServices;

namespace FarcastCallback.Lab.Reporting;

/// <summary>What produced a result: the command, the machine and the date, stamped into every output.</summary>
public sealed record RunInfo(string Command, string Machine, string Date)
{
    /// <summary>This process's <c>farcast …</c> command line.</summary>
    public static RunInfo FromCommandLine() => Current("farcast " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)));

    public static RunInfo Current(string command) => new(
        command,
        $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}",
        DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture));
}
