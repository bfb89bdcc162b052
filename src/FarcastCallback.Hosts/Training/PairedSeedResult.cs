namespace FarcastCallback.Hosts.Training;

/// <summary>
/// One seed's plain and farcast runs and their time to two targets: the plain run's final accuracy and its final
/// validation loss (each smoothed over the last three evaluations, or a fixed accuracy), and what the guard cost.
/// </summary>
public sealed record PairedSeedResult(int Seed, IReadOnlyList<TrainingPoint> Baseline, IReadOnlyList<TrainingPoint> Farcast,
    double TargetAccuracy, TimeToAccuracy BaselineTime, TimeToAccuracy FarcastTime, int Jumps, int RejectedJumps, double OverheadSeconds = 0,
    double TargetLoss = double.NaN, TimeToAccuracy? BaselineLossTime = null, TimeToAccuracy? FarcastLossTime = null, GuardCost? Guard = null,
    IReadOnlyDictionary<string, CurveTimes>? Curves = null, TrendAgreement? Agreement = null)
{
    /// <summary>The curves <see cref="Curves"/> may hold: each run's weights and, when the job keeps them, their averages.</summary>
    public static readonly string[] CurveNames = { "plain", "plain_ema", "farcast", "farcast_ema" };

    /// <summary>The wrapper's own time (<see cref="FarcastOptimizer.Overhead"/>) as a share of the farcast run's training seconds.</summary>
    public double OverheadFraction => Farcast[^1].Seconds > 0 ? OverheadSeconds / Farcast[^1].Seconds : 0;

    /// <summary>Baseline / farcast real steps to the target; null when either never reached it (see <see cref="Speedup"/>).</summary>
    public double? SpeedupSteps => Speedup.Ratio(BaselineTime.Steps, FarcastTime.Steps);

    /// <summary>Baseline / farcast training seconds to the target; null when either never reached it.</summary>
    public double? SpeedupWallclock => Speedup.Ratio(BaselineTime.Seconds, FarcastTime.Seconds);

    /// <summary>Baseline / farcast real steps to the validation-loss target.</summary>
    public double? SpeedupStepsLoss => Speedup.Ratio(BaselineLossTime?.Steps, FarcastLossTime?.Steps);

    /// <summary>Baseline / farcast training seconds to the validation-loss target.</summary>
    public double? SpeedupWallclockLoss => Speedup.Ratio(BaselineLossTime?.Seconds, FarcastLossTime?.Seconds);

    /// <summary>Baseline steps / farcast FLOP-equivalent steps (the guard's forward passes included) to the accuracy target.</summary>
    public double? SpeedupFlops => Speedup.Ratio(BaselineTime.Steps, Guard?.FlopEquivalentSteps(FarcastTime.Steps));

    /// <summary>The same to the validation-loss target.</summary>
    public double? SpeedupFlopsLoss => Speedup.Ratio(BaselineLossTime?.Steps, Guard?.FlopEquivalentSteps(FarcastLossTime?.Steps));

    /// <summary>
    /// Runs <paramref name="plain"/> and <paramref name="farcasting"/> interleaved for <paramref name="steps"/> steps
    /// (see <see cref="TrainingRun.Interleave"/>), reporting each run's progress as (label, step, steps), and returns the result.
    /// </summary>
    public static PairedSeedResult Race(int seed, TrainingRun plain, TrainingRun farcasting, FarcastOptimizer farcast, int steps, int evaluateEvery,
        string plainName, Action<RunProgress>? progress, double? targetAccuracy = null, GuardCost? guard = null)
    {
        var (judged, agreed, trendKeeps) = (0, 0, 0);
        void Count(FarcastJumpEventArgs e, bool raceKept)
        {
            if (e.TrendAgrees is not { } agrees) return;
            judged++;
            if (agrees) agreed++;
            if (agrees == raceKept) trendKeeps++;
        }
        void Kept(object? sender, FarcastJumpEventArgs e) => Count(e, raceKept: true);
        void Rejected(object? sender, FarcastJumpEventArgs e) => Count(e, raceKept: false);
        farcast.Jumped += Kept;
        farcast.JumpRejected += Rejected;
        try
        {
            TrainingRun.Interleave(plain, farcasting, steps, evaluateEvery, step =>
            {
                progress?.Invoke(new RunProgress($"seed {seed}: plain {plainName}", step, steps, FormattableString.Invariant($"acc {plain.Points[^1].ValidationAccuracy:P1}")));
                progress?.Invoke(new RunProgress($"seed {seed}: farcast", step, steps, FormattableString.Invariant(
                    $"acc {farcasting.Points[^1].ValidationAccuracy:P1}, jumps {farcast.Jumps} kept, {farcast.RejectedJumps} rejected{(farcast.JumpUnderJudgement ? ", one under judgement" : "")}")));
            });
        }
        finally
        {
            farcast.Jumped -= Kept;
            farcast.JumpRejected -= Rejected;
        }
        return Of(seed, plain, farcasting, farcast, targetAccuracy, guard) with { Agreement = judged > 0 ? new TrendAgreement(judged, agreed, trendKeeps) : null };
    }

    /// <summary>The result of two interleaved runs of one seed: the target is fixed, or the plain run's smoothed final accuracy.</summary>
    public static PairedSeedResult Of(int seed, TrainingRun plain, TrainingRun farcasting, FarcastOptimizer farcast, double? targetAccuracy = null,
        GuardCost? guard = null) =>
        Of(seed, plain.Points, farcasting.Points, farcast.Jumps, farcast.RejectedJumps, farcast.Overhead.TotalSeconds, targetAccuracy, guard);

    /// <summary>
    /// The result of one seed from its two curves and the farcast run's tallies: what <see cref="Of(int, TrainingRun, TrainingRun, FarcastOptimizer, double?, GuardCost?)"/>
    /// computes, and what <see cref="PairedRunRecord"/> recomputes from a folder's steps.csv.
    /// </summary>
    public static PairedSeedResult Of(int seed, IReadOnlyList<TrainingPoint> plain, IReadOnlyList<TrainingPoint> farcast, int jumps, int rejectedJumps,
        double overheadSeconds, double? targetAccuracy = null, GuardCost? guard = null)
    {
        var target = targetAccuracy ?? TimeToAccuracy.Target(plain);
        var targetLoss = TimeToAccuracy.TargetLoss(plain);
        var curves = new Dictionary<string, CurveTimes>();
        foreach (var (name, points, curve) in new[] { ("plain", plain, Curve.Raw), ("plain_ema", plain, Curve.Average),
                     ("farcast", farcast, Curve.Raw), ("farcast_ema", farcast, Curve.Average) })
            if (CurveTimes.Of(points, curve, target, targetLoss) is { } times) curves[name] = times;
        return new PairedSeedResult(seed, plain, farcast, target, TimeToAccuracy.Of(plain, target), TimeToAccuracy.Of(farcast, target), jumps, rejectedJumps,
            overheadSeconds, targetLoss, TimeToAccuracy.OfLoss(plain, targetLoss), TimeToAccuracy.OfLoss(farcast, targetLoss), guard, curves);
    }
}

/// <summary>
/// Under a race (<see cref="FarcastCounterfactual.Race"/>): how many jumps the race judged, on how many the trend
/// counterfactual, judged on the same readings, decided the same way, and how many the trend would have kept.
/// </summary>
public sealed record TrendAgreement(int Judged, int Agreed, int TrendWouldKeep);
