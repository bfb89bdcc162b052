namespace FarcastCallback;

/// <summary>Describes one farcast jump, kept (<see cref="FarcastOptimizer.Jumped"/>) or rejected (<see cref="FarcastOptimizer.JumpRejected"/>).</summary>
public sealed class FarcastJumpEventArgs : EventArgs
{
    internal FarcastJumpEventArgs(long step, int horizon, JumpReason reason, double? lossBefore, double? lossAfter)
    {
        Step = step;
        Horizon = horizon;
        Reason = reason;
        LossBefore = lossBefore;
        LossAfter = lossAfter;
    }

    /// <summary>The effective step the jump started from.</summary>
    public long Step { get; }

    /// <summary>The number of optimizer steps the jump covers (skipped if kept).</summary>
    public int Horizon { get; }

    /// <summary>Why the jump was kept or rejected.</summary>
    public JumpReason Reason { get; }

    /// <summary>The verification loss before the jump, when <see cref="FarcastOptimizer.VerificationLoss"/> is set.</summary>
    public double? LossBefore { get; }

    /// <summary>The verification loss after the jump, when it was measured.</summary>
    public double? LossAfter { get; }

    /// <inheritdoc />
    public override string ToString() =>
        $"step {Step}, horizon {Horizon}: {Reason}" +
        (LossBefore is { } before ? $", loss {before:G5}" : string.Empty) +
        (LossAfter is { } after ? $" -> {after:G5}" : string.Empty);
}
