namespace FarcastCallback;

/// <summary>How far each jump goes: the fixed <see cref="FarcastOptions.Horizon"/>, or a search over shorter ones.</summary>
public enum HorizonSearch
{
    /// <summary>Every jump forecasts exactly <see cref="FarcastOptions.Horizon"/> snapshots ahead.</summary>
    Off = 0,

    /// <summary>
    /// Try the ladder H, ⌈H/2⌉, ⌈H/4⌉, …, 1 from the top and keep the first forecast that passes the guard: the furthest
    /// jump the guard accepts, for one guard evaluation when the full horizon passes. Without a guard, the full horizon.
    /// </summary>
    Furthest = 1,

    /// <summary>
    /// Evaluate the guard at every rung of the same ladder and keep the passing forecast with the lowest verification
    /// loss: one evaluation per rung, but a jump that overshoots is not preferred over a shorter, better one.
    /// </summary>
    Best = 2,
}
