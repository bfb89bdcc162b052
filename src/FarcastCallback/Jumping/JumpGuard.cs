using System.Diagnostics;
using static TorchSharp.torch;

namespace FarcastCallback.Jumping;

/// <summary>
/// Decides whether a written forecast may stay: the verification loss after it must be finite and not above the loss
/// before it by more than the tolerance. With per-example losses and a standard-error margin it is a paired test: the
/// mean change plus k standard errors of that mean must stay within the tolerance, so a rise hidden in the noise of a
/// small batch is not accepted as an improvement (docs/design.md, "The guard"). Measures its own time.
/// </summary>
internal sealed class JumpGuard(double tolerance, double standardErrors)
{
    private long _elapsedTicks;

    /// <summary>The mean loss on held-out data, as a float.</summary>
    public Func<float>? Loss { get; set; }

    /// <summary>The per-example losses on held-out data, a 1-D tensor; preferred over <see cref="Loss"/> when both are set.</summary>
    public Func<Tensor>? Losses { get; set; }

    public bool IsSet => Loss is not null || Losses is not null;

    public TimeSpan Elapsed => TimeSpan.FromSeconds(_elapsedTicks / (double)Stopwatch.Frequency);

    /// <summary>
    /// Evaluates the user's loss under no_grad, outside the wrapper's dispose scope (tensors the callback makes belong to
    /// the caller's scope); null when no guard is set.
    /// </summary>
    public GuardReading? Measure()
    {
        if (!IsSet) return null;
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var noGrad = no_grad();
            if (Losses is not { } losses) return new GuardReading(Loss!(), null);
            var perExample = losses();
            using var scope = NewDisposeScope();
            var values = perExample.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
            return new GuardReading(values.Length == 0 ? double.NaN : values.Average(), values);
        }
        finally
        {
            _elapsedTicks += Stopwatch.GetTimestamp() - start;
        }
    }

    /// <summary>
    /// Whether the weights that gave <paramref name="after"/> may replace those that gave <paramref name="before"/> (or,
    /// for a delayed judgement, the loss plain training is expected to have reached by then).
    /// </summary>
    /// <exception cref="InvalidOperationException">The per-example losses before and after differ in number.</exception>
    public bool Passes(GuardReading before, GuardReading after)
    {
        GuardReading.ThrowIfMismatched(before, after, "before the jump", "after");
        if (!double.IsFinite(after.Mean)) return false;
        var allowed = Math.Abs(before.Mean) * tolerance;
        if (standardErrors > 0 && before.Examples is { Length: > 1 } b && after.Examples is { } a)
        {
            var changes = a.Select((value, i) => value - b[i]).ToArray();
            var mean = changes.Average();
            var variance = changes.Sum(d => (d - mean) * (d - mean)) / (changes.Length - 1);
            return mean + standardErrors * Math.Sqrt(variance / changes.Length) <= allowed;
        }
        return after.Mean <= before.Mean + allowed;
    }
}
