namespace FarcastCallback;

/// <summary>How the longest jump <see cref="FarcastOptimizer"/> writes changes over a run.</summary>
public enum FarcastHorizonSchedule
{
    /// <summary>Every jump may reach <see cref="FarcastOptions.Horizon"/> snapshots.</summary>
    Constant = 0,

    /// <summary>
    /// NiNo's schedule (Knyazev et al., 2025): long jumps early, short ones late. At effective step t of a run of
    /// <see cref="FarcastOptions.TotalSteps"/> the longest jump is <c>round((√H − (√H − 1) · t / T)²)</c> snapshots
    /// (H = <see cref="FarcastOptions.Horizon"/>), from H at the start down to 1 at the end. Windows still fit all H
    /// steps; the schedule lowers the longest one written.
    /// </summary>
    Shrinking = 1,
}
