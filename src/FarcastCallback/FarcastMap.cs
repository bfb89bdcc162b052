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
}
