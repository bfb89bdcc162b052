using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace FarcastCallback;

/// <summary>The guard's public surface: the callbacks that judge a jump, or the deliberate choice to run without one.</summary>
public sealed partial class FarcastOptimizer
{
    private bool _unguardedLogged;

    /// <summary>
    /// The guard as a mean loss on held-out data (in full-batch training, the training loss itself), evaluated before and
    /// after each jump; a jump after which it is not finite or rises beyond <see cref="FarcastOptions.VerifyTolerance"/>
    /// is rolled back exactly. Called under no_grad, outside the wrapper's dispose scope, so tensors it creates belong to
    /// the caller's scope. A guard, or <see cref="RunWithoutGuard"/>, is required before the first step.
    /// </summary>
    public Func<float>? VerificationLoss { get => _guard.Loss; set => _guard.Loss = value; }

    /// <summary>
    /// The guard as per-example losses on held-out data (a 1-D tensor, the same examples in the same order at every
    /// call), used instead of <see cref="VerificationLoss"/> when set: their mean is the guard's loss, and with
    /// <see cref="FarcastOptions.VerifyStandardErrors"/> a jump must pass a paired test on them.
    /// </summary>
    public Func<Tensor>? VerificationLosses { get => _guard.Losses; set => _guard.Losses = value; }

    /// <summary>
    /// Farcast with no guard: every jump whose forecast is finite is kept unchecked. A deliberate choice, logged once;
    /// without it, a <see cref="step"/> with neither <see cref="VerificationLoss"/> nor <see cref="VerificationLosses"/>
    /// set throws. Unguarded, every full-batch task measured diverged; on minibatch tasks it is an ablation.
    /// </summary>
    public bool RunWithoutGuard { get; set; }

    /// <summary>The part of <see cref="Overhead"/> spent in the verification callbacks (the guard's forward passes).</summary>
    public TimeSpan VerificationOverhead => _guard.Elapsed;

    private void ThrowIfNoGuardChosen()
    {
        if (!_guard.IsSet && !RunWithoutGuard)
            throw new InvalidOperationException(
                $"{nameof(FarcastOptimizer)} has no guard: set {nameof(VerificationLoss)} (or {nameof(VerificationLosses)}) to a held-out or " +
                $"full-batch loss, or set {nameof(RunWithoutGuard)} = true to keep every jump unchecked.");
    }

    private void LogOnceIfUnguarded()
    {
        if (_guard.IsSet || _unguardedLogged) return;
        _unguardedLogged = true;
        _logger.LogWarning("Farcasting without a guard (RunWithoutGuard): every finite jump is kept unchecked.");
    }
}
