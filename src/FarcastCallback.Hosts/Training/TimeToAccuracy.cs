namespace FarcastCallback.Hosts.Training;

/// <summary>When a run first reached a target validation accuracy: real steps and training seconds (null if never); points that do not stand are skipped.</summary>
public sealed record TimeToAccuracy(long? Steps, double? Seconds, double FinalAccuracy, double FinalLoss)
{
    public static TimeToAccuracy Of(IReadOnlyList<TrainingPoint> points, double target)
    {
        var reached = points.FirstOrDefault(p => p.Stands && p.ValidationAccuracy >= target);
        return new TimeToAccuracy(reached?.RealSteps, reached?.Seconds, points[^1].ValidationAccuracy, points[^1].ValidationLoss);
    }

    /// <summary>When the validation loss first fell to <paramref name="target"/> or below.</summary>
    public static TimeToAccuracy OfLoss(IReadOnlyList<TrainingPoint> points, double target)
    {
        var reached = points.FirstOrDefault(p => p.Stands && p.ValidationLoss <= target);
        return new TimeToAccuracy(reached?.RealSteps, reached?.Seconds, points[^1].ValidationAccuracy, points[^1].ValidationLoss);
    }

    /// <summary>The loss target of a plain run: its final validation loss smoothed over the last three evaluations.</summary>
    public static double TargetLoss(IReadOnlyList<TrainingPoint> baseline) => Final(baseline, p => p.ValidationLoss);

    /// <summary>
    /// The target of a plain run: its final validation accuracy smoothed over the last three evaluations (one
    /// evaluation is noisy on 1,000 images). NaN — no run reaches it — when the plain run diverged (its final
    /// validation loss is not finite): a model that outputs NaN predicts one class everywhere, and its constant accuracy
    /// would count as a target reached at step 0.
    /// </summary>
    public static double Target(IReadOnlyList<TrainingPoint> baseline) => Target(baseline, Curve.Raw);

    /// <summary><see cref="Target(IReadOnlyList{TrainingPoint})"/> of one curve of the run: its weights, or their average (NaN when it kept none).</summary>
    public static double Target(IReadOnlyList<TrainingPoint> run, Curve curve)
    {
        Func<TrainingPoint, double> accuracy = curve == Curve.Raw ? p => p.ValidationAccuracy : p => p.AverageAccuracy ?? double.NaN;
        Func<TrainingPoint, double> loss = curve == Curve.Raw ? p => p.ValidationLoss : p => p.AverageLoss ?? double.NaN;
        return double.IsFinite(Final(run, loss)) ? Final(run, accuracy) : double.NaN;
    }

    /// <summary>A figure of a run's end: its mean over the last three evaluations (never the one at step 0).</summary>
    private static double Final(IReadOnlyList<TrainingPoint> points, Func<TrainingPoint, double> figure) =>
        points.Skip(Math.Max(1, points.Count - 3)).Average(figure);
}
