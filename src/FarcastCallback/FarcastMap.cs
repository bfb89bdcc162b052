namespace FarcastCallback;

/// <summary>Where the jump's coefficients (a_j, b_j, c_j) come from.</summary>
public enum FarcastMap
{
    /// <summary>LFD-2 fitted to the window's observed target steps (least squares, per tensor or pooled group).</summary>
    Fitted = 0,

    /// <summary>
    /// Fixed coefficients that continue the input window's displacement: <c>ŵ_j = L + (j / (m - 1)) · (L - F)</c>, i.e.
    /// a_j = -j/(m-1), b_j = 1 + j/(m-1), c_j = 0. No target steps are observed and nothing is fitted. With
    /// <see cref="FarcastOptions.InputSteps"/> = 2 and a horizon search this is fast-forward (Rahamim et al. 2024):
    /// repeat the last update as long as the guard's loss falls.
    /// </summary>
    LinearExtrapolation = 1,

    /// <summary>
    /// A control, not a speed-up: each jump writes the least-squares line through the input window's
    /// <see cref="FarcastOptions.InputSteps"/> snapshots (per scalar), evaluated at the last of them — the window's
    /// de-noised current weights — and skips no steps (a kept jump covers 0 steps). It says how much of a jump's gain is
    /// smoothing rather than extrapolation (docs/design.md, "The smoothing-only control"). No target steps are observed
    /// and no memory is added; with <see cref="FarcastOptions.InputSteps"/> = 2 the line passes through both snapshots
    /// and the jump changes nothing. Needs <see cref="FarcastMode.Resume"/>.
    /// </summary>
    Smoothing = 2,
}
