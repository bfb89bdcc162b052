namespace FarcastCallback.Hosts.FullBatch;

/// <summary>
/// The rule every full-batch race uses, for a series read at every step where lower is better (a loss, an error): the
/// target is the plain run's best <em>smoothed</em> value within the budget — the minimum of the trailing mean of
/// <see cref="Window"/> consecutive readings — and a run reaches it at the first step where its own trailing mean is at
/// or below it. A single lucky reading (or the value a loss spike happens to end on) neither sets the target nor counts
/// as reaching it; a crossing counts only once it has held, on average, for a whole window.
/// </summary>
public static class SmoothedTarget
{
    /// <summary>Readings averaged: ten steps.</summary>
    public const int Window = 10;

    /// <summary>The trailing means; entry i averages readings i − Window + 1 … i (NaN until a whole window exists).</summary>
    public static double[] TrailingMeans(IReadOnlyList<double> values, int window = Window)
    {
        var means = new double[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            if (i < window - 1)
            {
                means[i] = double.NaN;
                continue;
            }
            double sum = 0;   // summed afresh: a NaN or infinity leaves only the windows that hold it
            for (var k = i - window + 1; k <= i; k++) sum += values[k];
            means[i] = sum / window;
        }
        return means;
    }

    /// <summary>The best (lowest) finite trailing mean; NaN when there is none (no whole window, or the run diverged from the start).</summary>
    public static double Best(IReadOnlyList<double> values, int window = Window)
    {
        var finite = TrailingMeans(values, window).Where(double.IsFinite).ToArray();
        return finite.Length == 0 ? double.NaN : finite.Min();
    }

    /// <summary>The index of the first reading whose trailing mean is at or below <paramref name="target"/>, or null.</summary>
    public static int? FirstReached(IReadOnlyList<double> values, double target, int window = Window)
    {
        if (!double.IsFinite(target)) return null;
        var means = TrailingMeans(values, window);
        for (var i = window - 1; i < means.Length; i++)
            if (means[i] <= target) return i;
        return null;
    }
}
