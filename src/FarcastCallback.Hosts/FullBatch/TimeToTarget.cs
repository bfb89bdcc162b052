namespace FarcastCallback.Hosts.FullBatch;

/// <summary>
/// When a run reached a target by <see cref="SmoothedTarget"/>'s rule: real steps and training seconds, and the task's
/// reading at that step (the figure — e.g. test accuracy — and the target's detail), or all null if it never did.
/// </summary>
public sealed record TimeToTarget(long? Steps, double? Seconds, double? Figure = null, double? Detail = null)
{
    /// <summary>
    /// The first step whose trailing mean of <paramref name="values"/> (one per entry of <paramref name="points"/>) is at
    /// or below <paramref name="target"/>.
    /// </summary>
    public static TimeToTarget Of(IReadOnlyList<LossPoint> points, IReadOnlyList<double> values, double target, IReadOnlyList<TaskReading>? readings = null)
    {
        if (SmoothedTarget.FirstReached(values, target) is not { } i) return new TimeToTarget(null, null);
        return new TimeToTarget(points[i].RealSteps, points[i].Seconds, readings?[i].Figure, readings?[i].Detail);
    }
}
