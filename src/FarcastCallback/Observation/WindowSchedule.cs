namespace FarcastCallback.Observation;

/// <summary>
/// The moments of one observation window, counted in real steps since the window began (position 0 is the weight
/// before the window's first step). A fitting window takes the first weight F at 0, the input window's last weight L
/// at <see cref="InputEnd"/>, target step j at <c>InputEnd + j</c> and ends at <see cref="End"/>, where the fitted map
/// is applied to the most recent input window, which began at <see cref="RecentStart"/>. A window that reuses an
/// earlier map observes no targets: it only needs a fresh input window, so it starts that window at 0 and jumps at
/// its end (docs/design.md, "The cycle").
/// </summary>
internal readonly record struct WindowSchedule(int InputSteps, int Horizon, bool ReusesMap)
{
    /// <summary>Where the input window ends: its last weight L is recorded here.</summary>
    public int InputEnd => InputSteps - 1;

    /// <summary>Where the most recent input window starts: the forecast's first weight is taken here.</summary>
    public int RecentStart => ReusesMap ? 0 : Horizon;

    /// <summary>Where the window is done: the map is fitted (unless reused) and the jump written.</summary>
    public int End => ReusesMap ? InputEnd : InputEnd + Horizon;

    /// <summary>Whether the first weight F and the fit's statistics start at position 0.</summary>
    public bool Fits => !ReusesMap;

    /// <summary>The target step j (1-based) observed at <paramref name="position"/>, or null.</summary>
    public int? TargetAt(int position) => Fits && position > InputEnd && position <= End ? position - InputEnd : null;

    /// <summary>Whether the input window's last weight is recorded at <paramref name="position"/>.</summary>
    public bool IsInputEnd(int position) => Fits && position == InputEnd;
}
