using Microsoft.Extensions.Logging;

namespace FarcastCallback.Cli.Commands;

/// <summary>
/// The console logger every command hands the wrapper and the hosts: one line per entry, warnings and errors by default
/// (a guard disabled, a target never reached, a fresh classification head), every jump event with --verbose.
/// </summary>
internal static class ConsoleLogging
{
    public static ILoggerFactory Create(OutputSettings output) =>
        LoggerFactory.Create(builder => builder
            .AddSimpleConsole(console => console.SingleLine = true)
            .SetMinimumLevel(output.Verbose ? LogLevel.Debug : LogLevel.Warning));
}
