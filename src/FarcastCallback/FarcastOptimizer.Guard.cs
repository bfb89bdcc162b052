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

    /// <summary>
    /// Full-batch training: the guard is the loss that <c>step(closure)</c> computes anyway, so a judgement costs no
    /// forward pass of its own. Requires <see cref="FarcastOptions.JudgeAfterSteps"/> ≥ 1 — a jump is judged by the loss
    /// the R-th step after it computes (R = 1: the loss at the jumped weights themselves) against the trend of the
    /// losses the steps before it computed — and a closure that computes the loss and its gradients and returns the
    /// loss at every <see cref="step"/>. Every reading is one update old (the loss at the weights a step started from),
    /// the same offset for all of them, so the trend spans the same steps as with a callback. A rejected jump costs its
    /// R steps, which stay counted as real steps, and nothing else: the rollback happens at the end of the R-th step,
    /// and the next step computes its own loss at the restored weights (docs/design.md, "The step-loss guard").
    /// </summary>
    /// <exception cref="InvalidOperationException">Set to true while <see cref="FarcastOptions.JudgeAfterSteps"/> is 0,
    /// or while a verification callback is set.</exception>
    public bool VerifyWithStepLoss
    {
        get => _guard.FromStepLoss;
        set
        {
            if (value && _options.JudgeAfterSteps == 0)
                throw new InvalidOperationException(
                    $"{nameof(VerifyWithStepLoss)} judges a jump by the losses of the steps after it: set {nameof(FarcastOptions.JudgeAfterSteps)} to at least 1 (1 judges the loss at the jumped weights).");
            if (value && _options.JudgeAgainst == FarcastCounterfactual.Race)
                throw new InvalidOperationException(
                    $"{nameof(VerifyWithStepLoss)} judges against the trend; {nameof(FarcastOptions.JudgeAgainst)} Race needs a guard that can read the twin's weights ({nameof(VerificationLoss)} or {nameof(VerificationLosses)}).");
            if (value && (_guard.Loss is not null || _guard.Losses is not null))
                throw new InvalidOperationException(
                    $"{nameof(VerifyWithStepLoss)} replaces {nameof(VerificationLoss)} and {nameof(VerificationLosses)}: set one guard, not both.");
            _guard.FromStepLoss = value;
        }
    }

    /// <summary>The part of <see cref="Overhead"/> spent in the verification callbacks (the guard's forward passes; under <see cref="VerifyWithStepLoss"/>, reading the step's loss back).</summary>
    public TimeSpan VerificationOverhead => _guard.Elapsed;

    private void ThrowIfNoGuardChosen(Func<Tensor>? closure)
    {
        if (_guard.FromStepLoss && closure is null)
            throw new InvalidOperationException(
                $"{nameof(VerifyWithStepLoss)} reads the loss that step(closure) computes: pass a closure that computes the loss and its gradients and returns the loss.");
        if (_guard.FromStepLoss && (_guard.Loss is not null || _guard.Losses is not null))
            throw new InvalidOperationException(
                $"{nameof(VerifyWithStepLoss)} replaces {nameof(VerificationLoss)} and {nameof(VerificationLosses)}: set one guard, not both.");
        if (RacesWhenJudging && closure is null)
            throw new InvalidOperationException(
                $"{nameof(FarcastOptions.JudgeAgainst)} Race trains a twin on the same batch as each step: pass step(closure) a closure that computes the loss and its gradients.");
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
