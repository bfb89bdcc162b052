using FarcastCallback.Forecasting;
using FarcastCallback.Observation;
using static TorchSharp.torch;

namespace FarcastCallback.Jumping;

/// <summary>
/// Writes farcast weights into the parameters and takes them back. Once the map is fitted the window's F and D
/// buffers are no longer needed, so the forecast is computed in D's storage and the pre-jump weights are kept in
/// F's: a jump needs no memory beyond the window's three copies, and a rollback is an exact copy.
/// </summary>
internal static class WeightJump
{
    /// <summary>
    /// Computes <c>ŵ = a_j · w(recent start) + b_j · w(now) + c_j</c> for every parameter and writes it, unless any
    /// forecast value is NaN or infinite; then nothing is written and false is returned.
    /// </summary>
    public static bool TryWrite(WindowBuffers buffers, IReadOnlyList<Lfd2Map> maps, int j)
    {
        var parameters = buffers.Parameters;
        var checks = new List<Tensor>(parameters.Count);
        for (var i = 0; i < parameters.Count; i++)
        {
            var (a, b, c) = maps[i][j];
            var forecast = buffers.DisplacementView(i);
            forecast.copy_(parameters[i]).mul_(b).add_(buffers.RecentStart(i), a);
            if (c != 0) forecast.add_(c);
            checks.Add(FiniteCheck(forecast));
        }
        if (!double.IsFinite(stack(checks).sum().item<double>())) return false;

        for (var i = 0; i < parameters.Count; i++)
        {
            buffers.FirstView(i).copy_(parameters[i]);
            parameters[i].copy_(buffers.DisplacementView(i));
        }
        return true;
    }

    /// <summary>
    /// A float64 scalar that is finite when every element of <paramref name="forecast"/> is. For float32 and float64
    /// weights that is their plain sum — one read, nothing allocated; a finite tensor whose sum overflowed would
    /// only cost a jump, never write a bad one. Half-precision sums overflow too easily, so those count NaN/Inf.
    /// </summary>
    private static Tensor FiniteCheck(Tensor forecast)
    {
        if (forecast.dtype is ScalarType.Float32 or ScalarType.Float64)
            return forecast.sum().to(ScalarType.Float64);
        var allFinite = isfinite(forecast).all();
        return where(allFinite, zeros_like(allFinite, ScalarType.Float64), full_like(allFinite, double.NaN, ScalarType.Float64));
    }

    /// <summary>Restores the weights saved by the last successful <see cref="TryWrite"/>, bit for bit.</summary>
    public static void RollBack(WindowBuffers buffers)
    {
        for (var i = 0; i < buffers.Parameters.Count; i++)
            buffers.Parameters[i].copy_(buffers.FirstView(i));
    }
}
