namespace FarcastCallback;

/// <summary>Describes one farcast jump, kept (<see cref="FarcastOptimizer.Jumped"/>) or rejected (<see cref="FarcastOptimizer.JumpRejected"/>).</summary>
public sealed class FarcastJumpEventArgs : EventArgs
{
    internal FarcastJumpEventArgs(long step, int steps, JumpReason reason, double? lossBefore, double? lossAfter, int judgedAfterSteps = 0)
    {
        JudgedAfterSteps = judgedAfterSteps;
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
    /// The guard's loss before the jump, when a guard is set and a forecast could be written; for a delayed judgement,
    /// the loss plain training was expected to reach by then (the trend of the guard's readings).
    /// </summary>
    public double? LossBefore { get; }

    /// <summary>The guard's loss after the rung that <see cref="Steps"/> describes, when it was measured.</summary>
    public double? LossAfter { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"step {Step}, {Steps} steps: {Reason}" +
        (LossBefore is { } before ? $", loss {before:G5}" : string.Empty) +
        (LossAfter is { } after ? $" -> {after:G5}" : string.Empty) +
        (JudgedAfterSteps > 0 ? $" after {JudgedAfterSteps} steps" : string.Empty);
}
