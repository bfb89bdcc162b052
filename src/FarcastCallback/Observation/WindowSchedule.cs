namespace FarcastCallback.Observation;

/// <summary>
/// The moments of one observation window, counted in real steps since the window began (position 0 is the weight
/// before the window's first step); snapshots are <see cref="Stride"/> real steps apart. A fitting window takes the
/// first weight F at 0, the input window's last weight L at <see cref="InputEnd"/>, target snapshot j at
/// <c>InputEnd + j·Stride</c> and ends at <see cref="End"/>, where the fitted map is applied to the most recent input
/// window, which began at <see cref="RecentStart"/>. A window that reuses a map observes no targets: it only needs a
/// fresh input window, so it starts that window at 0 and jumps at its end (docs/design.md, "The cycle").
/// </summary>
internal readonly record struct WindowSchedule(int InputSteps, int Horizon, int Stride, bool ReusesMap)
{
    /// <summary>Where the input window ends: its last weight L is recorded here.</summary>
    public long InputEnd => (InputSteps - 1L) * Stride;

    /// <summary>Where the most recent input window starts: the forecast's first weight is taken here.</summary>
    public long RecentStart => ReusesMap ? 0 : (long)Horizon * Stride;

    /// <summary>Where the window is done: the map is fitted (unless reused) and the jump written.</summary>
    public long End => ReusesMap ? InputEnd : InputEnd + (long)Horizon * Stride;

    /// <summary>Whether the first weight F and the fit's statistics start at position 0.</summary>
    public bool Fits => !ReusesMap;

    /// <summary>The target snapshot j (1-based) observed at <paramref name="position"/>, or null.</summary>
    public int? TargetAt(long position) =>
        Fits && position > InputEnd && position <= End && (position - InputEnd) % Stride == 0 ? (int)((position - InputEnd) / Stride) : null;

    /// <summary>
    /// Snapshot k (1 to InputSteps − 1) of the most recent input window taken at <paramref name="position"/>, or null;
    /// snapshot 0 is at <see cref="RecentStart"/>.
    /// </summary>
    public int? RecentSnapshotAt(long position)
    {
        var offset = position - RecentStart;
        return offset > 0 && offset <= InputEnd && offset % Stride == 0 ? (int)(offset / Stride) : null;
    }

    /// <summary>Whether the input window's last weight is recorded at <paramref name="position"/>.</summary>
    public bool IsInputEnd(long position) => Fits && position == InputEnd;
}
