namespace FarcastCallback.Hosts.Training;

/// <summary>One evaluation during a run: steps so far, training wall-clock (evaluation excluded), validation figures.</summary>
public sealed record TrainingPoint(long RealSteps, long EffectiveSteps, double Seconds, double ValidationAccuracy, double ValidationLoss);
