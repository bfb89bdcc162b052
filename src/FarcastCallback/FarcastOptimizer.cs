using System.Diagnostics;
using FarcastCallback.Forecasting;
using FarcastCallback.Jumping;
using FarcastCallback.Observation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback;

/// <summary>
/// Wraps a TorchSharp optimizer and skips optimizer steps by weight farcasting (LFD-2, "Less is More: Efficient
/// Weight Farcasting with 1-Layer Neural Network"). Training runs normally through <see cref="step"/>; after
/// <see cref="FarcastOptions.WarmupSteps"/> real steps each cycle observes an input window of
/// <see cref="FarcastOptions.InputSteps"/> snapshots and <see cref="FarcastOptions.Horizon"/> target snapshots, fits
/// per tensor the map <c>ŵ(last + j) = a_j · w(first) + b_j · w(last) + c_j</c>, applies it to the most recent input
/// window and writes the weights of up to <see cref="FarcastOptions.Horizon"/> snapshots ahead into the model. A guard
/// (<see cref="VerificationLoss"/> or <see cref="VerificationLosses"/>) judges every jump; a jump it rejects is rolled
/// back exactly.
/// </summary>
/// <remarks>
/// <para><c>step</c>, <c>zero_grad</c>, <c>parameters</c>, <c>add_param_group</c> and <see cref="ParamGroups"/>
/// delegate to <see cref="Inner"/>, so learning-rate schedulers built on the wrapper drive the inner optimizer.
/// The wrapper does not own <see cref="Inner"/>: disposing it frees only the farcast buffers.</para>
/// <para>Memory: three copies of the trained parameters while observing (four with
/// <see cref="FarcastOptions.ObservedAverageDecay"/>); no per-step copy of the weights.</para>
/// </remarks>
public sealed partial class FarcastOptimizer : optim.Optimizer
{
    private readonly FarcastOptions _options;
    private readonly ILogger _logger;
    private Parameter[] _parameters;
    private WindowBuffers? _buffers;
    private LeastSquaresWindowFit? _fit;
    private readonly JumpGuard _guard;
    private WindowSchedule? _window;
    private long _position;
    private int _reusesLeft;
    private int _lastKeptRung;
    private long _overheadTimestampTicks;
    private readonly bool[] _observedTargets;
    private ExponentialWeightAverage? _observedAverage;
    private bool _disposed;

    /// <summary>Wraps <paramref name="inner"/> with the given settings, which are validated here.</summary>
    /// <exception cref="OptionsValidationException">A setting is out of its range; the message names the key.</exception>
    /// <exception cref="ArgumentException">The inner optimizer has no parameter that requires gradients.</exception>
    public FarcastOptimizer(optim.Optimizer inner, FarcastOptions options, ILogger? logger = null)
        : base(IntPtr.Zero)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        FarcastOptionsValidator.ThrowIfInvalid(options);

        Inner = inner;
        _options = options.Clone();
        _logger = logger ?? NullLogger.Instance;
        _guard = new JumpGuard(options.VerifyTolerance, options.VerifyStandardErrors);
        _parameters = TrainableParameters(inner);
        if (_parameters.Length == 0)
            throw new ArgumentException("The inner optimizer has no trainable parameters to farcast.", nameof(inner));
        if (_options.JudgeAgainst == FarcastCounterfactual.Race && inner is not OptimizerHelper)
            throw new ArgumentException(
                $"{FarcastOptions.SectionName}:{nameof(FarcastOptions.JudgeAgainst)} Race needs an inner optimizer whose state TorchSharp can save (its own optimizers); {inner.GetType().Name} cannot.", nameof(inner));
        LastMaps = FixedMaps();
        _observedTargets = ObservedTargets(_options);
        _observedAverage = ObservedAverage(_parameters);
    }

    /// <summary>
    /// The target steps a window records: those a jump can use. In Resume mode with a constant horizon the ladders only
    /// ever try rungs reachable from the horizon by halving and doubling (<see cref="JumpLadder.Reachable"/>: 4, 8, 16,
    /// 32 and 64 of the 64 of the full-batch profile), and the regularizer also needs step H − 1; the other steps'
    /// statistics would cost an observation each and never be used. Stop mode's final jump and the shrinking schedule
    /// can use any step, so they record all.
    /// </summary>
    private static bool[] ObservedTargets(FarcastOptions options)
    {
        var all = Enumerable.Repeat(true, options.Horizon + 1).ToArray();
        if (options.Mode == FarcastMode.Stop || options.HorizonSchedule != FarcastHorizonSchedule.Constant) return all;
        var reachable = JumpLadder.Reachable(options.Horizon, options.MinJump);
        if (options.Lambda > 0 && options.Horizon > 1) reachable[options.Horizon - 1] = true;
        return reachable;
    }

    /// <summary>Wraps <paramref name="inner"/> with settings from dependency injection (section <c>Farcast</c>).</summary>
    public FarcastOptimizer(optim.Optimizer inner, IOptions<FarcastOptions> options, ILogger? logger = null)
        : this(inner, (options ?? throw new ArgumentNullException(nameof(options))).Value, logger)
    {
    }

    /// <summary>The wrapped optimizer, which computes every real step.</summary>
    public optim.Optimizer Inner { get; }

    /// <summary>Optimizer steps actually computed, a race's twin steps included (<see cref="FarcastCounterfactual.Race"/>).</summary>
    public long RealSteps { get; private set; }

    /// <summary>
    /// Real steps plus the optimizer steps every kept jump covered (the kept rung × <see cref="FarcastOptions.Stride"/>):
    /// the step the forecast claims the weights stand for. A kept jump only did not raise the guard's loss; it need not
    /// have saved that many steps. Measure the benefit as real steps (or seconds) to a target loss or accuracy.
    /// </summary>
    public long EffectiveSteps { get; private set; }

    /// <summary>
    /// Wall-clock time this wrapper spent in <see cref="step"/> besides the inner optimizer's step: observing, fitting,
    /// jumping, verifying and rolling back, and a race's twin steps (<see cref="FarcastCounterfactual.Race"/>). Not saved with the state.
    /// </summary>
    public TimeSpan Overhead => TimeSpan.FromSeconds(_overheadTimestampTicks / (double)Stopwatch.Frequency);

    /// <summary>Accepted jumps.</summary>
    public int Jumps { get; private set; }

    /// <summary>Jumps not kept: non-finite forecasts and failed verifications.</summary>
    public int RejectedJumps { get; private set; }

    /// <summary>
    /// <see cref="FarcastMode.Stop"/> mode: true once the weights stand for effective step
    /// <see cref="FarcastOptions.TotalSteps"/> (by the final farcast, or by training if that jump was rejected).
    /// </summary>
    public bool ShouldStop { get; private set; }

    /// <summary>Raised after a jump was written and kept.</summary>
    public event EventHandler<FarcastJumpEventArgs>? Jumped;

    /// <summary>Raised when a jump was not written or was rolled back.</summary>
    public event EventHandler<FarcastJumpEventArgs>? JumpRejected;

    /// <inheritdoc />
    public override IEnumerable<optim.ILearningRateController> ParamGroups => Inner.ParamGroups;

    /// <summary>
    /// Makes <paramref name="scheduler"/> follow effective steps: schedulers advance once per real step (the caller's
    /// <c>step</c>), so after a kept jump of k steps the schedule would lag the weights by k; this steps it k more times
    /// at every kept jump. Call it once per scheduler.
    /// </summary>
    public void FollowEffectiveSteps(optim.lr_scheduler.LRScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        Jumped += (_, e) =>
        {
            for (var k = 0; k < e.Steps; k++) scheduler.step();
        };
    }

    /// <summary>
    /// Bytes held by the farcast buffers: 0 until the first window starts, then three copies of the trained parameters;
    /// with <see cref="FarcastOptions.ObservedAverageDecay"/> one more copy, the average, from the start.
    /// </summary>
    public long BufferBytes => (_buffers?.Bytes ?? 0) + (_observedAverage?.Averages.Sum(t => t.numel() * t.ElementSize) ?? 0);

    /// <summary>The maps of the last fit, one per parameter; Stop mode reuses them for a final jump that a full window cannot reach.</summary>
    internal IReadOnlyList<Lfd2Map> LastMaps { get; private set; }

    /// <summary>Runs one real step of the inner optimizer, then observes, fits and jumps as the cycle requires.</summary>
    /// <exception cref="InvalidOperationException">No guard is set and <see cref="RunWithoutGuard"/> is false.</exception>
    /// <exception cref="ObjectDisposedException">The wrapper was disposed.</exception>
    public override Tensor step(Func<Tensor>? closure = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfNoGuardChosen(closure);
        var start = Stopwatch.GetTimestamp();
        BeginWindowIfDue();
        MeasureRecentIfDue();
        if (Races) RaceStep(closure!);
        var innerStart = Stopwatch.GetTimestamp();
        var loss = Inner.step(closure!);
        var innerEnd = Stopwatch.GetTimestamp();
        RealSteps++;
        EffectiveSteps++;
        _observedAverage?.Update();
        if (_guard.FromStepLoss) _guard.StepComputed(loss ?? throw new InvalidOperationException($"{nameof(VerifyWithStepLoss)}: the step's closure returned no loss."));
        if (_pending is not null) JudgeIfDue();
        else if (_window is not null) Observe();
        MeasureRecentIfDue();
        // A window that starts at the next step may take its first reading there, before that step computes a loss.
        if (_guard.FromStepLoss) _guard.StepEnded(keepReading: WindowMayBeginNext);
        _overheadTimestampTicks += innerStart - start + Stopwatch.GetTimestamp() - innerEnd;
        if (_options.Mode == FarcastMode.Stop && EffectiveSteps >= _options.TotalSteps)
            ShouldStop = true;
        return loss;
    }

    /// <inheritdoc />
    public override void zero_grad() => Inner.zero_grad();

    /// <inheritdoc />
    public override IEnumerable<Parameter> parameters() => Inner.parameters();

    /// <summary>
    /// Adds a parameter group to the inner optimizer; a window in progress is abandoned and restarts, and a jump under
    /// judgement is rolled back first (with the optimizer state it was written from, which fits only the groups it had).
    /// </summary>
    public override void add_param_group(TorchSharp.Modules.ParamGroup param_group)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pending is not null) RollBackPending(null);
        Inner.add_param_group(param_group);
        Track(TrainableParameters(Inner));
    }

    /// <summary>Whether <see cref="BeginWindowIfDue"/> may start a window at the next step.</summary>
    private bool WindowMayBeginNext => _window is null && _pending is null && !ShouldStop && RealSteps >= _options.WarmupSteps;

    /// <summary>Starts a window when the warm-up allows, tracking the parameters that require gradients now.</summary>
    private void BeginWindowIfDue()
    {
        if (!WindowMayBeginNext) return;
        var trainable = TrainableParameters(Inner);
        if (!trainable.SequenceEqual(_parameters, ParameterIdentity.Instance)) Track(trainable);
        if (_parameters.Length == 0) return;
        LogOnceIfUnguarded();

        var reuse = _options.Map != FarcastMap.Fitted || _reusesLeft > 0;
        // Stop mode: a fitting window must end before TotalSteps to be of use. When it would not, the final jump reuses
        // the last fitted map on a fresh input window (its step j = TotalSteps - last is at most H), so the run still
        // ends on a farcast instead of training the remaining steps.
        if (_options.Mode == FarcastMode.Stop && EffectiveSteps + _options.InputSteps - 1 + (reuse ? 0 : _options.Horizon) >= _options.TotalSteps)
        {
            if (LastMaps.Count == 0 || EffectiveSteps + _options.InputSteps - 1 >= _options.TotalSteps)
                return;
            reuse = true;
        }
        else if (reuse && _reusesLeft > 0)
        {
            _reusesLeft--;
        }

        var window = new WindowSchedule(_options.InputSteps, _options.Horizon, _options.Stride, reuse);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (buffers, fit) = EnsureWindow();
        if (window.Fits)
        {
            buffers.Refresh();
            buffers.RecordFirst();
            fit.Begin();
        }
        if (window.RecentStart == 0) RecordRecentStart(buffers);
        if (_options.Map == FarcastMap.Smoothing) buffers.BeginLine();
        _window = window;
        _position = 0;
    }

    /// <summary>Records what this real step means to the window; at its end, fits (unless the map is reused) and jumps.</summary>
    private void Observe()
    {
        var window = _window!.Value;
        var (buffers, fit) = EnsureWindow();
        _position++;
        var target = window.TargetAt(_position) is { } t && _observedTargets[t] ? t : 0;
        var lineSnapshot = _options.Map == FarcastMap.Smoothing ? window.RecentSnapshotAt(_position) : null;
        if (target == 0 && lineSnapshot is null && !window.IsInputEnd(_position) && _position != window.RecentStart && _position != window.End) return;   // nothing to record
        using (no_grad())
        using (NewDisposeScope())
        {
            if (window.IsInputEnd(_position))
            {
                buffers.RecordLast();
                fit.RecordLast(buffers);
            }
            if (_position == window.RecentStart) RecordRecentStart(buffers);
            if (target > 0) fit.RecordTarget(buffers, target);
            if (lineSnapshot is { } k) buffers.AddToLine(WindowLine.Weight(k, _options.InputSteps));
            if (_position != window.End) return;
            _window = null;
            if (window.Fits)
            {
                LastMaps = fit.Fit(_options.MinTensorSize, _options.Lambda);
                _reusesLeft = _options.RefitEvery;
            }
        }
        Jump(buffers, LastMaps);
    }

    /// <summary>The most recent input window starts: its first weight, and under a delayed guard the trend's first reading (taken after the buffer work).</summary>
    private void RecordRecentStart(WindowBuffers buffers)
    {
        buffers.RecordRecentStart();
        _recentReadingDue = JudgesLater;
    }

    /// <summary>
    /// Writes the forecast (or the rungs of a ladder), verifies it and keeps it or rolls it back exactly; under a delayed
    /// guard, writes one forecast to be judged later.
    /// </summary>
    private void Jump(WindowBuffers buffers, IReadOnlyList<Lfd2Map> maps)
    {
        var start = EffectiveSteps;
        var isFinal = _options.Mode == FarcastMode.Stop && _options.TotalSteps - start <= _options.Horizon;
        // A parameter frozen since the window began (requires_grad_(false) mid-run) is not moved.
        var moves = _parameters.Select(p => p.requires_grad).ToArray();
        if (JudgesLater && !isFinal)
        {
            WriteForJudgement(buffers, maps, moves, start);
            return;
        }
        var ladder = isFinal ? new[] { (int)(_options.TotalSteps - start) }
            : _options.Map == FarcastMap.Smoothing ? new[] { 0 }   // step 0: the window line's value now
            : JumpLadder.Steps(ScheduledHorizon(), _lastKeptRung, _options.MinJump);
        JumpOutcome outcome;
        try
        {
            outcome = maps.All(m => ladder.All(m.IsFiniteAt))
                ? JumpSearch.Run(buffers, maps, ladder, moves, _guard)
                : new JumpOutcome(0, JumpReason.NonFiniteForecast, ladder[0], null, null);
        }
        catch
        {
            Reject(start, new JumpOutcome(0, JumpReason.VerificationFailed, ladder[0], null, null));   // the guard threw: rolled back, counted
            throw;
        }
        if (outcome.Reason != JumpReason.Accepted)
        {
            Reject(start, outcome);
            return;
        }

        _observedAverage?.Reset();   // the weights were written: the observed average starts again there
        Keep(start, outcome.Step, isFinal ? JumpReason.FinalFarcast : JumpReason.Accepted, outcome.LossBefore, outcome.LossAfter, 0);
    }

    /// <summary>Counts a kept jump of <paramref name="rung"/> snapshots that started at effective step <paramref name="start"/>.</summary>
    private void Keep(long start, int rung, JumpReason reason, double? lossBefore, double? lossAfter, int judgedAfter, long? writtenAt = null, bool? trendAgrees = null)
    {
        var steps = rung * _options.Stride;   // at most one window's span, validated to fit an int
        _lastKeptRung = rung;
        EffectiveSteps += steps;
        Jumps++;
        var args = new FarcastJumpEventArgs(start, steps, reason, lossBefore, lossAfter, judgedAfter, writtenAt ?? RealSteps, trendAgrees);
        _logger.LogInformation("Farcast jump kept: {Jump}; real steps {Real}, effective steps {Effective}.", args, RealSteps, EffectiveSteps);
        if (reason == JumpReason.FinalFarcast) ShouldStop = true;
        Jumped?.Invoke(this, args);
    }

    private void Reject(long start, JumpOutcome outcome, int judgedAfter = 0, long? writtenAt = null, bool? trendAgrees = null)
    {
        RejectedJumps++;
        _reusesLeft = 0;
        var args = new FarcastJumpEventArgs(start, outcome.TriedStep * _options.Stride, outcome.Reason, outcome.LossBefore, outcome.LossAfter, judgedAfter,
            writtenAt ?? RealSteps, trendAgrees);
        _logger.LogDebug("Farcast jump rejected: {Jump}.", args);
        JumpRejected?.Invoke(this, args);
    }
}
