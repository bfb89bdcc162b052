namespace FarcastCallback.Jumping;

/// <summary>One evaluation of the guard: the mean verification loss and, when the user gives them, the per-example losses.</summary>
internal readonly record struct GuardReading(double Mean, double[]? Examples)
{
    /// <summary>
    /// This reading continued along the straight line from <paramref name="earlier"/> through it, <paramref name="ahead"/>
    /// times the distance between the two (per example when both have them): where the loss is heading if training
    /// goes on as it went. Without an earlier reading, this reading itself.
    /// </summary>
    /// <exception cref="InvalidOperationException">The two readings hold different numbers of per-example losses.</exception>
    public GuardReading Extrapolated(GuardReading? earlier, double ahead)
    {
        if (earlier is not { } e) return this;
        ThrowIfMismatched(e, this, "at the start of the input window", "before the jump");
        var examples = Examples is { } now && e.Examples is { } then
            ? now.Select((value, i) => value + ahead * (value - then[i])).ToArray()
            : null;
        return new GuardReading(Mean + ahead * (Mean - e.Mean), examples);
    }

    /// <summary>Per-example losses are compared pairwise: they must come from the same examples in the same order.</summary>
    /// <exception cref="InvalidOperationException">They differ in number.</exception>
    public static void ThrowIfMismatched(GuardReading first, GuardReading second, string firstWhen, string secondWhen)
    {
        if (first.Examples is { } a && second.Examples is { } b && a.Length != b.Length)
            throw new InvalidOperationException(
                $"VerificationLosses returned {a.Length} losses {firstWhen} and {b.Length} {secondWhen}; it must give the same examples in the same order.");
    }
}
