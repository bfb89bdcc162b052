using FarcastCallback.Forecasting;
using FarcastCallback.Observation;
using static TorchSharp.torch;

namespace FarcastCallback.Jumping;

/// <summary>
/// Writes farcast weights into the parameters and takes them back. Once the map is fitted the window's F and D
/// buffers are no longer needed, so the forecast is computed in D's storage and the pre-jump weights are kept in
/// F's: a jump needs no memory beyond the recorder's three copies, and a rollback is an exact copy.
/// </summary>
internal static class WeightJump
{
    /// <summary>
    /// Computes <c>ŵ = a_j · w(recent start) + b_j · w(now) + c_j</c> for every parameter and writes it, unless any
    /// forecast value is NaN or infinite; then nothing is written and false is returned.
    /// </summary>
    public static bool TryWrite(WindowRecorder recorder, IReadOnlyList<Lfd2Map> maps, int j)
    {
        var parameters = recorder.Parameters;
        var sums = new List<Tensor>(parameters.Count);
        for (var i = 0; i < parameters.Count; i++)
        {
            var (a, b, c) = maps[i][j];
            var forecast = recorder.DisplacementView(i);
            forecast.copy_(parameters[i]).mul_(b).add_(recorder.RecentStart(i), a);
            if (c != 0) forecast.add_(c);
            // A float64 sum is finite exactly when every element is (no float32 weights can overflow it): one pass,
            // no mask allocated, and one transfer for the whole model.
            sums.Add(forecast.sum(ScalarType.Float64));
        }
        if (!double.IsFinite(stack(sums).sum().item<double>())) return false;

        for (var i = 0; i < parameters.Count; i++)
        {
            recorder.FirstView(i).copy_(parameters[i]);
            parameters[i].copy_(recorder.DisplacementView(i));
        }
        return true;
    }

    /// <summary>Restores the weights saved by the last successful <see cref="TryWrite"/>, bit for bit.</summary>
    public static void RollBack(WindowRecorder recorder)
    {
        for (var i = 0; i < recorder.Parameters.Count; i++)
            recorder.Parameters[i].copy_(recorder.FirstView(i));
    }
}
