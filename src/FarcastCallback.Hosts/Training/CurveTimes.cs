namespace FarcastCallback.Hosts.Training;

/// <summary>Which figures of a run a time to target reads: its raw weights, or its weight average.</summary>
public enum Curve
{
    /// <summary>The weights training produced.</summary>
    Raw,

    /// <summary>The exponential moving average of them (<see cref="ExponentialWeightAverage"/>).</summary>
    Average,
}

/// <summary>
/// When one curve of a run reached the target, three ways (points that do not stand are skipped): the first evaluation
/// at or above the target accuracy (NiNo's yardstick, a single lucky evaluation can make it); the first at which the
/// mean of the last <see cref="StandingWindow"/> evaluations is at or above it (a crossing that stands); and the first
/// at which the validation loss is at or below the plain run's smoothed final loss. Real steps, and training seconds
/// for the first two.
/// </summary>
public sealed record CurveTimes(long? FirstCrossing, double? FirstCrossingSeconds, long? StandingCrossing, double? StandingCrossingSeconds,
    long? LossReached, double FinalAccuracy, double FinalLoss)
{
    /// <summary>Evaluations a standing crossing averages.</summary>
    public const int StandingWindow = 4;

    /// <summary>The times of <paramref name="curve"/> of <paramref name="points"/>; null when the run kept no average.</summary>
    public static CurveTimes? Of(IReadOnlyList<TrainingPoint> points, Curve curve, double targetAccuracy, double targetLoss)
    {
        var standing = points.Where(p => p.Stands).ToArray();
        var figures = standing.Select(p => curve == Curve.Raw
            ? (Accuracy: (double?)p.ValidationAccuracy, Loss: (double?)p.ValidationLoss)
            : (Accuracy: p.AverageAccuracy, Loss: p.AverageLoss)).ToArray();
        if (figures.Length == 0 || figures.Any(f => f.Accuracy is null)) return null;
        int? first = null, stands = null, loss = null;
        for (var i = 0; i < standing.Length; i++)
        {
            if (first is null && figures[i].Accuracy >= targetAccuracy) first = i;
            if (stands is null && i >= StandingWindow - 1 && Enumerable.Range(i - StandingWindow + 1, StandingWindow).Average(k => figures[k].Accuracy!.Value) >= targetAccuracy) stands = i;
            if (loss is null && figures[i].Loss <= targetLoss) loss = i;
        }
        return new CurveTimes(Step(first), Seconds(first), Step(stands), Seconds(stands), Step(loss), figures[^1].Accuracy!.Value, figures[^1].Loss!.Value);

        long? Step(int? i) => i is { } k ? standing[k].RealSteps : null;
        double? Seconds(int? i) => i is { } k ? standing[k].Seconds : null;
    }
}
