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
    private Tensor? _stepLoss;
    private double? _stepLossValue;

    /// <summary>The mean loss on held-out data, as a float.</summary>
    public Func<float>? Loss { get; set; }

    /// <summary>The per-example losses on held-out data, a 1-D tensor; preferred over <see cref="Loss"/> when both are set.</summary>
    public Func<Tensor>? Losses { get; set; }

    /// <summary>
    /// The guard is the loss the training step's closure computed: no forward pass of its own. A reading is then the loss
    /// of the last real step, i.e. at the weights that step started from (one update before the step's end).
    /// </summary>
    public bool FromStepLoss { get; set; }

    public bool IsSet => Loss is not null || Losses is not null || FromStepLoss;

    /// <summary>A real step returned <paramref name="loss"/>: the step-loss guard's reading until the next step (read only if asked for).</summary>
    public void StepComputed(Tensor loss)
    {
        _stepLoss = loss;
        _stepLossValue = null;
    }

    /// <summary>
    /// The step is over: the caller may dispose its loss. With <paramref name="keepReading"/> the reading is read back now,
    /// so it can still be asked for before the next step's own loss exists.
    /// </summary>
    public void StepEnded(bool keepReading)
    {
        if (keepReading && _stepLoss is not null) Measure();
        _stepLoss = null;
    }

    public TimeSpan Elapsed => TimeSpan.FromSeconds(_elapsedTicks / (double)Stopwatch.Frequency);

    /// <summary>
    /// Evaluates the user's loss under no_grad, outside the wrapper's dispose scope (tensors the callback makes belong to
    /// the caller's scope), or reads the last step's loss under <see cref="FromStepLoss"/>; null when no guard is set
    /// (or no step's loss is at hand).
    /// </summary>
    public GuardReading? Measure()
    {
        if (!IsSet) return null;
        var start = Stopwatch.GetTimestamp();
        try
        {
            if (FromStepLoss) return ReadStepLoss() is { } value ? new GuardReading(value, null) : null;
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

    /// <summary>The last step's loss as a double, read back once; null before any step has been seen.</summary>
    private double? ReadStepLoss()
    {
        if (_stepLossValue is null && _stepLoss is { } loss)
        {
            if (loss.numel() != 1)
                throw new InvalidOperationException($"The step's closure returned a loss of {loss.numel()} elements; the step-loss guard needs one scalar.");
            using var scope = NewDisposeScope();
            _stepLossValue = loss.detach().to(ScalarType.Float64).cpu().item<double>();
        }
        return _stepLossValue;
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
