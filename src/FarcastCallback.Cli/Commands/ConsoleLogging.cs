using Microsoft.Extensions.Logging;

namespace FarcastCallback.Cli.Commands;

/// <summary>The console logger every command hands the wrapper and the hosts (jump lines, checkpoint notes).</summary>
internal static class ConsoleLogging
{
    public static ILoggerFactory Create(LogLevel minimum = LogLevel.Information) =>
        LoggerFactory.Create(builder => builder.AddConsole().SetMinimumLevel(minimum));
}
