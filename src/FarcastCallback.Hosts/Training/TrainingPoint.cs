namespace FarcastCallback.Hosts.Training;

/// <summary>
/// One evaluation during a run: steps so far, training wall-clock (evaluation excluded), validation figures, the same
/// figures of the run's weight average when it keeps one, and whether the point stands: a point measured on weights a
/// delayed guard later rolled back does not.
/// </summary>
public sealed record TrainingPoint(long RealSteps, long EffectiveSteps, double Seconds, double ValidationAccuracy, double ValidationLoss,
    double? AverageAccuracy = null, double? AverageLoss = null, bool Stands = true);
