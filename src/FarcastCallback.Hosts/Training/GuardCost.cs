namespace FarcastCallback.Hosts.Training;

/// <summary>
/// What the guard's forward passes cost, counted as Fast Forward (Rahamim et al. 2024) counts it: a training step is
/// three forward passes of its batch (forward and a backward twice as expensive), a verification call one forward pass
/// of its examples. A run's FLOP-equivalent steps are its real steps plus its verification calls so far, converted.
/// </summary>
/// <param name="CallSteps">The real step at each verification call, in order.</param>
/// <param name="ExamplesPerCall">Examples one verification call evaluates.</param>
/// <param name="ExamplesPerStep">Examples in one training batch.</param>
public sealed record GuardCost(IReadOnlyList<long> CallSteps, int ExamplesPerCall, int ExamplesPerStep)
{
    /// <summary>Real steps plus the guard's forward passes made by then, in training steps; null stays null.</summary>
    public double? FlopEquivalentSteps(long? realSteps) => realSteps is { } steps
        ? steps + CallSteps.Count(s => s <= steps) * ExamplesPerCall / (3.0 * ExamplesPerStep)
        : null;
}
