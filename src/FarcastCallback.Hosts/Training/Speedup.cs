namespace FarcastCallback.Hosts.Training;

/// <summary>
/// Speed-ups to a target, plain ÷ farcast, and their medians over seeds. A run that never reached the target has no
/// speed-up (null), never ×0; in a median it counts as the slowest, so the median is null when half the seeds or more
/// did not reach it.
/// </summary>
public static class Speedup
{
    /// <summary>baseline ÷ farcast, or null when either did not reach the target or the farcast run needed no time at all.</summary>
    public static double? Ratio(double? baseline, double? farcast) =>
        baseline is { } b && farcast is { } f && f > 0 ? b / f : null;

    /// <summary>The median of speed-ups with null (not reached) ordered below every number.</summary>
    public static double? Median(IEnumerable<double?> values)
    {
        var sorted = values.OrderBy(v => v ?? double.NegativeInfinity).ToArray();
        if (sorted.Length == 0) return null;
        var (low, high) = (sorted[(sorted.Length - 1) / 2], sorted[sorted.Length / 2]);
        return low is { } l && high is { } h ? (l + h) / 2 : null;
    }

    /// <summary>The median of times to a target where a run that never reached it (null) is the slowest.</summary>
    public static double? MedianTime(IEnumerable<double?> times) =>
        Median(times.Select(t => t is { } v ? -v : (double?)null)) is { } negated ? -negated : null;

    /// <summary>The smallest and largest speed-up of the seeds that have one; empty when none has.</summary>
    public static double[] Range(IEnumerable<double?> values)
    {
        var reached = values.Where(v => v is not null).Select(v => v!.Value).ToArray();
        return reached.Length == 0 ? Array.Empty<double>() : new[] { reached.Min(), reached.Max() };
    }

    /// <summary>The median of plain numbers.</summary>
    public static double Median(IEnumerable<double> values) => Median(values.Select(v => (double?)v)) ?? double.NaN;
}
