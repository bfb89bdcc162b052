using System.Runtime.InteropServices;

namespace FarcastCallback.Cli.Commands;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM as a request to stop, not an abrupt kill: the signal is recorded, the run stops at its
/// next progress report (every evaluation or 1 % of the steps), and the command exits non-zero with the seeds that
/// finished before it already written (summary.json marked incomplete).
/// </summary>
internal sealed class Interruption : IDisposable
{
    private static volatile string? _signal;
    private readonly PosixSignalRegistration[] _registrations;

    private Interruption()
    {
        _signal = null;
        _registrations = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM }
            .Select(signal => PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;   // let the run stop at its next report and write what is done
                _signal = context.Signal.ToString();
            })).ToArray();
    }

    /// <summary>Listens until disposed.</summary>
    public static Interruption Listen() => new();

    /// <summary>The exit code of a run stopped by a signal: 128 + its number, as shells report it.</summary>
    public static int ExitCode(string signal) => signal == nameof(PosixSignal.SIGTERM) ? 143 : 130;

    /// <summary>Throws <see cref="RunInterruptedException"/> once a signal has arrived.</summary>
    public static void ThrowIfRequested()
    {
        if (_signal is { } signal) throw new RunInterruptedException(signal);
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
    }
}

/// <summary>A run stopped by <paramref name="signal"/> between two progress reports.</summary>
internal sealed class RunInterruptedException(string signal) : Exception($"interrupted by {signal}")
{
    public string Signal { get; } = signal;
}
