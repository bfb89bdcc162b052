namespace FarcastCallback;

/// <summary>Describes one farcast jump, kept (<see cref="FarcastOptimizer.Jumped"/>) or rejected (<see cref="FarcastOptimizer.JumpRejected"/>).</summary>
public sealed class FarcastJumpEventArgs : EventArgs
{
    internal FarcastJumpEventArgs(long step, int steps, JumpReason reason, double? lossBefore, double? lossAfter, int judgedAfterSteps = 0,
        long writtenAtRealStep = 0, bool? trendAgrees = null)
    {
        JudgedAfterSteps = judgedAfterSteps;
        WrittenAtRealStep = writtenAtRealStep;
        TrendAgrees = trendAgrees;
        Step = step;
        Steps = steps;
        Reason = reason;
        LossBefore = lossBefore;
        LossAfter = lossAfter;
    }

    /// <summary>The effective step the jump started from.</summary>
    public long Step { get; }

    /// <summary>
    /// The optimizer steps the jump covers (snapshots × <see cref="FarcastOptions.Stride"/>): for a kept jump, the steps
    /// it skipped; for a rejected one, the rung the guard judged last — under a ladder of lengths the shortest one tried,
    /// so that <see cref="LossAfter"/> is that rung's loss — or the longest rung when no forecast could be written.
    /// </summary>
    public int Steps { get; }

    /// <summary>The same as <see cref="Steps"/>: optimizer steps, not snapshots like <see cref="FarcastOptions.Horizon"/>.</summary>
    [Obsolete("Counts optimizer steps, not snapshots like FarcastOptions.Horizon; use Steps.")]
    public int Horizon => Steps;

    /// <summary>Why the jump was kept or rejected.</summary>
    public JumpReason Reason { get; }

    /// <summary>
    /// Real steps trained on the jumped weights before the jump was judged (<see cref="FarcastOptions.JudgeAfterSteps"/>);
    /// 0 for a jump judged at once. For a rejection, those steps' weights were rolled back: whatever a host measured on
    /// them does not stand.
    /// </summary>
    public int JudgedAfterSteps { get; }

    /// <summary>
    /// <see cref="FarcastOptimizer.RealSteps"/> at the end of the step that wrote the jump (for a jump judged at once, the
    /// step it was judged in). For a delayed rejection, every evaluation a host made from that real step on was made on
    /// weights that were then replaced.
    /// </summary>
    public long WrittenAtRealStep { get; }

    /// <summary>
    /// Under <see cref="FarcastCounterfactual.Race"/>: whether the trend counterfactual, judged on the same readings, would
    /// have decided as the race did; null otherwise.
    /// </summary>
    public bool? TrendAgrees { get; }

    /// <summary>
    /// The guard's loss before the jump, when a guard is set and a forecast could be written; for a delayed judgement,
    /// the loss plain training was expected to reach by then (the trend of the guard's readings).
    /// </summary>
    public double? LossBefore { get; }

    /// <summary>The guard's loss after the rung that <see cref="Steps"/> describes, when it was measured.</summary>
    public double? LossAfter { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"step {Step}, {Steps} steps: {Reason}" +
        (LossBefore is { } before ? $", {(TrendAgrees is null ? "loss" : "twin's loss")} {before:G5}" : string.Empty) +
        (LossAfter is { } after ? $" -> {after:G5}" : string.Empty) +
        (JudgedAfterSteps > 0 ? $" after {JudgedAfterSteps} steps" : string.Empty) +
        (TrendAgrees is { } agrees ? (agrees ? ", the trend agrees" : ", the trend disagrees") : string.Empty);
}
