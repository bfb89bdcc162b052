namespace FarcastCallback;

/// <summary>How far each jump goes: the fixed <see cref="FarcastOptions.Horizon"/>, or a search over shorter ones.</summary>
public enum HorizonSearch
{
    /// <summary>Every jump forecasts exactly <see cref="FarcastOptions.Horizon"/> snapshots ahead.</summary>
    Off = 0,

    /// <summary>
    /// Try a halving ladder from the top and keep the first forecast that passes the guard: the furthest jump the guard
    /// accepts, for one guard evaluation when the top rung passes. The ladder starts at H, or at twice the last kept rung
    /// when that is shorter, and halves down to 1. Without a guard, the top rung.
    /// </summary>
    Furthest = 1,

    /// <summary>
    /// Evaluate the guard at every rung of the same ladder and keep the passing forecast with the lowest verification
    /// loss: one evaluation per rung, but a jump that overshoots is not preferred over a shorter, better one.
    /// </summary>
    Best = 2,
}
