using System.Runtime.InteropServices;

namespace FarcastCallback.Lab.Reporting;

/// <summary>What produced a result: the command, the machine and the date, stamped into every output.</summary>
/// <param name="Command">The command line.</param>
/// <param name="Machine">Cores, operating system and .NET runtime.</param>
/// <param name="Date">When the run started (UTC).</param>
/// <param name="Device">The torch device new tensors go to (<c>--device</c>): <c>cpu</c>, <c>cuda:0</c>, …</param>
public sealed record RunInfo(string Command, string Machine, string Date, string Device = "cpu")
{
    /// <summary>This process's <c>farcast …</c> command line.</summary>
    public static RunInfo FromCommandLine() => Current("farcast " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)));

    public static RunInfo Current(string command) => new(
        command,
        $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}",
        DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture),
        TorchSharp.torch.get_default_device().ToString());
}
