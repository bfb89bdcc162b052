using FarcastCallback.Hosts.Training;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>
/// What one run recorded — the loss and the task's reading at every step — and when it reached the task's target
/// (<see cref="Time"/>) and the training-loss target (<see cref="LossTime"/>); <see cref="Average"/> is the same for the
/// run's weight average, when it kept one (its points carry the averaged weights' loss, at the run's steps and seconds).
/// </summary>
public sealed record FullBatchRunResult(IReadOnlyList<LossPoint> Points, IReadOnlyList<TaskReading> Readings, TimeToTarget Time, TimeToTarget LossTime,
    FullBatchRunResult? Average = null)
{
    public LossPoint Final => Points[^1];

    public double FinalFigure => Readings[^1].Figure;

    /// <summary>The task's target value at every step (validation loss, MSE, L2 error), entry for entry with <see cref="Points"/>.</summary>
    public IReadOnlyList<double> Targets => Readings.Targets();

    /// <summary>The training loss at every step.</summary>
    public IReadOnlyList<double> Losses => Points.Losses();

    public static FullBatchRunResult Of(FullBatchRun run, double target, double targetLoss)
    {
        var average = run.AverageReadings.Count == 0 ? null
            : Of(run.Points.Select((p, i) => p with { Loss = run.AverageLosses[i] }).ToArray(), run.AverageReadings, target, targetLoss, null);
        return Of(run.Points, run.Readings, target, targetLoss, average);
    }

    private static FullBatchRunResult Of(IReadOnlyList<LossPoint> points, IReadOnlyList<TaskReading> readings, double target, double targetLoss,
        FullBatchRunResult? average) =>
        new(points, readings, TimeToTarget.Of(points, readings.Targets(), target, readings), TimeToTarget.Of(points, points.Losses(), targetLoss, readings), average);
}

/// <summary>One seed's plain and farcast runs, the targets they raced to, and what the wrapper did and cost.</summary>
/// <param name="Seed">The seed of the initial weights.</param>
/// <param name="Plain">The plain run.</param>
/// <param name="Farcast">The farcast run.</param>
/// <param name="Target">The task's target: the best smoothed value (<see cref="SmoothedTarget"/>) of the run that set it.</param>
/// <param name="TargetDescription">The target in the user's terms, e.g. <c>validation loss 0.312 (accuracy 94.2 %)</c>.</param>
/// <param name="TargetLoss">The training-loss target, by the same rule (or given with <c>--target-loss</c>).</param>
/// <param name="ReferenceLearningRate">The rate of the plain run that set both targets, when it was not the plain run itself.</param>
/// <param name="Jumps">Jumps kept.</param>
/// <param name="RejectedJumps">Jumps rejected.</param>
/// <param name="OverheadSeconds">The wrapper's own time (<see cref="FarcastOptimizer.Overhead"/>).</param>
/// <param name="VerificationSeconds">Of that, the guard's forward passes (<see cref="FarcastOptimizer.VerificationOverhead"/>).</param>
/// <param name="KeptSteps">The optimizer steps each kept jump covered, in order.</param>
public sealed record FullBatchSeedResult(int Seed, FullBatchRunResult Plain, FullBatchRunResult Farcast, double Target, string TargetDescription, double TargetLoss,
    double? ReferenceLearningRate, int Jumps, int RejectedJumps, double OverheadSeconds, double VerificationSeconds, IReadOnlyList<int> KeptSteps)
{
    /// <summary>
    /// The curves summary.json's <c>curves</c> compares (<see cref="PairedSeedResult.CurveNames"/>): each run's weights and,
    /// when the job kept them, their averages.
    /// </summary>
    public IReadOnlyDictionary<string, FullBatchRunResult> Curves
    {
        get
        {
            var curves = new Dictionary<string, FullBatchRunResult> { ["plain"] = Plain, ["farcast"] = Farcast };
            if (Plain.Average is { } plainAverage) curves["plain_ema"] = plainAverage;
            if (Farcast.Average is { } farcastAverage) curves["farcast_ema"] = farcastAverage;
            return curves;
        }
    }

    /// <summary>Plain's real steps to the task's target over the farcast run's.</summary>
    public double? SpeedupSteps => Speedup.Ratio(Plain.Time.Steps, Farcast.Time.Steps);

    public double? SpeedupWallclock => Speedup.Ratio(Plain.Time.Seconds, Farcast.Time.Seconds);

    /// <summary>The same for the training-loss target.</summary>
    public double? LossSpeedupSteps => Speedup.Ratio(Plain.LossTime.Steps, Farcast.LossTime.Steps);

    public double? LossSpeedupWallclock => Speedup.Ratio(Plain.LossTime.Seconds, Farcast.LossTime.Seconds);

    /// <summary>Real steps the farcast run saved to the task's target (plain minus farcast); null unless both reached it.</summary>
    public long? StepsSavedToTarget => Plain.Time.Steps - Farcast.Time.Steps;

    /// <summary>What <see cref="FarcastOptimizer.EffectiveSteps"/> claims was skipped: the sum of the kept jumps' horizons.</summary>
    public long ClaimedSkippedSteps => Farcast.Final.EffectiveSteps - Farcast.Final.RealSteps;

    public double OverheadFraction => Farcast.Final.Seconds > 0 ? OverheadSeconds / Farcast.Final.Seconds : 0;

    public double VerificationFraction => Farcast.Final.Seconds > 0 ? VerificationSeconds / Farcast.Final.Seconds : 0;

    /// <summary>Why the speed-up to the task's target is missing, or null when there is one.</summary>
    public string? MissingReason =>
        !double.IsFinite(Target) ? "the target is not finite: the run that set it diverged"
        : Plain.Time.Steps is null ? "the plain run never reached the target"
        : Farcast.Time.Steps is null ? "the farcast run never reached the target"
        : null;
}
