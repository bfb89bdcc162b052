namespace FarcastCallback.Hosts.Training;

/// <summary>
/// One progress report of a long job: which run, how far (real steps of how many), and a running tally for the
/// console — jumps kept and rejected, the latest loss or accuracy — or null.
/// </summary>
public readonly record struct RunProgress(string Run, int Step, int Steps, string? Tally = null);
