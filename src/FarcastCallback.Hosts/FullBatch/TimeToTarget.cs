namespace FarcastCallback.Hosts.FullBatch;

/// <summary>
/// When a run reached a target by <see cref="SmoothedTarget"/>'s rule: real steps and training seconds, and the task's
/// reading at that step (the figure — e.g. test accuracy — and the target's detail), or all null if it never did.
/// </summary>
public sealed record TimeToTarget(long? Steps, double? Seconds, double? Figure = null, double? Detail = null)
{
    /// <summary>
    /// The first step whose trailing mean of <paramref name="values"/> (one per entry of <paramref name="points"/>) is at
    /// or below <paramref name="target"/>, over the points that stand: weights a delayed judgement rolled back are left
    /// out of the series, so neither a crossing on them nor their values in a trailing mean count.
    /// </summary>
    public static TimeToTarget Of(IReadOnlyList<LossPoint> points, IReadOnlyList<double> values, double target, IReadOnlyList<TaskReading>? readings = null)
    {
        var standing = Enumerable.Range(0, points.Count).Where(i => points[i].Stands).ToArray();
        if (SmoothedTarget.FirstReached(standing.Select(i => values[i]).ToArray(), target) is not { } k) return new TimeToTarget(null, null);
        var i = standing[k];
        return new TimeToTarget(points[i].RealSteps, points[i].Seconds, readings?[i].Figure, readings?[i].Detail);
    }
}
