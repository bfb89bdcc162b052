namespace FarcastCallback.Hosts.FullBatch;

/// <summary>When a run's training loss first reached a target: real steps and training seconds, or null if it never did.</summary>
public sealed record TimeToLoss(long? Steps, double? Seconds)
{
    public static TimeToLoss Of(IReadOnlyList<LossPoint> points, double target)
    {
        var reached = points.FirstOrDefault(p => p.Loss <= target);
        return new TimeToLoss(reached?.RealSteps, reached?.Seconds);
    }
}
