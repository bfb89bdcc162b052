using FarcastCallback.Hosts.Training;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>What one run recorded: the loss at every step, the figure at each evaluation, and when it reached the target.</summary>
public sealed record FullBatchRunResult(IReadOnlyList<LossPoint> Points, IReadOnlyList<FigurePoint> Figures, TimeToLoss Time)
{
    public LossPoint Final => Points[^1];

    public double FinalFigure => Figures[^1].Figure;
}

/// <summary>One seed's plain and farcast runs, the target they raced to, and what the wrapper did and cost.</summary>
/// <param name="Seed">The seed of the initial weights.</param>
/// <param name="Plain">The plain run.</param>
/// <param name="Farcast">The farcast run.</param>
/// <param name="TargetLoss">The training loss both raced to.</param>
/// <param name="ReferenceFinalLoss">The final loss of the reference run that set the target, when there was one.</param>
/// <param name="Jumps">Jumps kept.</param>
/// <param name="RejectedJumps">Jumps rejected.</param>
/// <param name="OverheadSeconds">The wrapper's own time (<see cref="FarcastOptimizer.Overhead"/>).</param>
/// <param name="VerificationSeconds">Of that, the guard's forward passes (<see cref="FarcastOptimizer.VerificationOverhead"/>).</param>
/// <param name="KeptSteps">The optimizer steps each kept jump covered, in order.</param>
public sealed record FullBatchSeedResult(int Seed, FullBatchRunResult Plain, FullBatchRunResult Farcast, double TargetLoss, double? ReferenceFinalLoss,
    int Jumps, int RejectedJumps, double OverheadSeconds, double VerificationSeconds, IReadOnlyList<int> KeptSteps)
{
    public double? SpeedupSteps => Speedup.Ratio(Plain.Time.Steps, Farcast.Time.Steps);

    public double? SpeedupWallclock => Speedup.Ratio(Plain.Time.Seconds, Farcast.Time.Seconds);

    /// <summary>Real steps the farcast run saved to the target (plain minus farcast); null unless both reached it.</summary>
    public long? StepsSavedToTarget => Plain.Time.Steps - Farcast.Time.Steps;

    /// <summary>What <see cref="FarcastOptimizer.EffectiveSteps"/> claims was skipped: the sum of the kept jumps' horizons.</summary>
    public long ClaimedSkippedSteps => Farcast.Final.EffectiveSteps - Farcast.Final.RealSteps;

    public double OverheadFraction => Farcast.Final.Seconds > 0 ? OverheadSeconds / Farcast.Final.Seconds : 0;

    public double VerificationFraction => Farcast.Final.Seconds > 0 ? VerificationSeconds / Farcast.Final.Seconds : 0;

    /// <summary>Why a speed-up is missing, or null when there is one.</summary>
    public string? MissingReason =>
        !double.IsFinite(TargetLoss) ? "the target is not finite: the run that set it diverged"
        : Plain.Time.Steps is null ? "the plain run never reached the target"
        : Farcast.Time.Steps is null ? "the farcast run never reached the target"
        : Farcast.Time.Steps == 0 ? "the target was reached before the first step"
        : null;
}
