namespace FarcastCallback.Forecasting;

/// <summary>
/// The least-squares line through m equally spaced snapshots w_0 … w_(m−1), evaluated at the last: its value is
/// <c>Σ_k c_k · w_k</c> with <c>c_k = 1/m + (m − 1 − x̄)(k − x̄) / S</c>, x̄ = (m − 1)/2 and S = Σ_k (k − x̄)² = m(m² − 1)/12.
/// The weights sum to 1, so the value is also <c>w_0 + Σ_(k ≥ 1) c_k · (w_k − w_0)</c>, the form the buffers accumulate
/// (displacements are small and exact for nearby weights). For m = 5: −0.2, 0, 0.2, 0.4, 0.6.
/// </summary>
internal static class WindowLine
{
    /// <summary>The weight c_k of snapshot <paramref name="k"/> (0-based) of <paramref name="snapshots"/>.</summary>
    public static double Weight(int k, int snapshots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(snapshots, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, snapshots);
        var mean = (snapshots - 1) / 2.0;
        var spread = snapshots * ((double)snapshots * snapshots - 1) / 12.0;
        return 1.0 / snapshots + (snapshots - 1 - mean) * (k - mean) / spread;
    }
}
