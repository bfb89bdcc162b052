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
/// <see cref="FarcastOptions.InputSteps"/> steps and <see cref="FarcastOptions.Horizon"/> target steps, fits per
/// group the map <c>ŵ(last + j) = a_j · w(first) + b_j · w(last) + c_j</c>, applies it to the most recent input
/// window and writes the weights of <see cref="FarcastOptions.Horizon"/> steps ahead into the model.
/// </summary>
/// <remarks>
/// <para><c>step</c>, <c>zero_grad</c>, <c>parameters</c>, <c>add_param_group</c> and <see cref="ParamGroups"/>
/// delegate to <see cref="Inner"/>, so learning-rate schedulers built on the wrapper drive the inner optimizer.
/// The wrapper does not own <see cref="Inner"/>: disposing it frees only the farcast buffers.</para>
/// <para>Memory: three copies of the parameters while observing; no per-step copy of the weights.</para>
/// </remarks>
public sealed class FarcastOptimizer : optim.Optimizer
{
    private const string StateFormatName = "FarcastCallback.FarcastOptimizer";
    private const int StateFormatVersion = 2;
    private const int MaxBackoffDoublings = 10;
    private const int NotObserving = -1;

    private readonly FarcastOptions _options;
    private readonly ILogger _logger;
    private readonly SplitMix64 _random;
    private Parameter[] _parameters;
    private WindowRecorder? _recorder;
    private int _position = NotObserving;
    private bool _reusingMap;
    private int _consecutiveRejections;
    private long _resumeAtRealStep;
    private long _overheadTimestampTicks;

    /// <summary>Wraps <paramref name="inner"/> with the given settings, which are validated here.</summary>
    /// <exception cref="OptionsValidationException">A setting is out of its range; the message names the key.</exception>
    public FarcastOptimizer(optim.Optimizer inner, FarcastOptions options, ILogger? logger = null)
        : base(IntPtr.Zero)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(options);
        FarcastOptionsValidator.ThrowIfInvalid(options);
        if (options.OptimizerState == OptimizerStatePolicy.Reset && !OptimizerStateReset.IsSupported(inner))
            throw new ArgumentException(
                $"{FarcastOptions.SectionName}:{nameof(FarcastOptions.OptimizerState)} is Reset, but {inner.GetType().Name} does not expose its " +
                "per-parameter state; use Keep or a managed TorchSharp optimizer (SGD, Adam, AdamW, ...).", nameof(options));

        Inner = inner;
        _options = options.Clone();
        _logger = logger ?? NullLogger.Instance;
        _random = new SplitMix64((ulong)options.Seed);
        _parameters = CaptureParameters(inner);
    }

    /// <summary>Wraps <paramref name="inner"/> with settings from dependency injection (section <c>Farcast</c>).</summary>
    public FarcastOptimizer(optim.Optimizer inner, IOptions<FarcastOptions> options, ILogger? logger = null)
        : this(inner, (options ?? throw new ArgumentNullException(nameof(options))).Value, logger)
    {
    }

    /// <summary>The wrapped optimizer, which computes every real step.</summary>
    public optim.Optimizer Inner { get; }

    /// <summary>Optimizer steps actually computed.</summary>
    public long RealSteps { get; private set; }

    /// <summary>Real steps plus the steps skipped by accepted jumps: the step the weights stand for.</summary>
    public long EffectiveSteps { get; private set; }

    /// <summary>
    /// Wall-clock time this wrapper spent in <see cref="step"/> besides the inner optimizer's step: observing, fitting,
    /// jumping, verifying and rolling back. Not saved with the state.
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

    /// <summary>
    /// Optional loss on a held-out batch, evaluated before and after each jump; a jump after which it is not finite or
    /// rises beyond <see cref="FarcastOptions.VerifyTolerance"/> is rolled back exactly. Called under no_grad.
    /// </summary>
    public Func<float>? VerificationLoss { get; set; }

    /// <summary>Raised after a jump was written and kept.</summary>
    public event EventHandler<FarcastJumpEventArgs>? Jumped;

    /// <summary>Raised when a jump was not written or was rolled back.</summary>
    public event EventHandler<FarcastJumpEventArgs>? JumpRejected;

    /// <inheritdoc />
    public override IEnumerable<optim.ILearningRateController> ParamGroups => Inner.ParamGroups;

    /// <summary>Bytes held by the farcast buffers (0 until the first window starts).</summary>
    internal long BufferBytes => _recorder?.BufferBytes ?? 0;

    /// <summary>The maps of the last fit, one per parameter; Stop mode reuses them for a final jump that a full window cannot reach.</summary>
    internal IReadOnlyList<Lfd2Map> LastMaps { get; private set; } = Array.Empty<Lfd2Map>();

    /// <summary>Runs one real step of the inner optimizer, then observes, fits and jumps as the cycle requires.</summary>
    public override Tensor step(Func<Tensor>? closure = null)
    {
        var start = Stopwatch.GetTimestamp();
        BeginWindowIfDue();
        var innerStart = Stopwatch.GetTimestamp();
        var loss = Inner.step(closure!);
        var innerEnd = Stopwatch.GetTimestamp();
        RealSteps++;
        EffectiveSteps++;
        if (_position != NotObserving)
        {
            _position++;
            ObserveAndMaybeJump();
        }
        _overheadTimestampTicks += innerStart - start + Stopwatch.GetTimestamp() - innerEnd;
        if (_options.Mode == FarcastMode.Stop && EffectiveSteps >= _options.TotalSteps)
            ShouldStop = true;
        return loss;
    }

    /// <inheritdoc />
    public override void zero_grad() => Inner.zero_grad();

    /// <inheritdoc />
    public override IEnumerable<Parameter> parameters() => Inner.parameters();

    /// <summary>Adds a parameter group to the inner optimizer; a window in progress is abandoned and restarts.</summary>
    public override void add_param_group(TorchSharp.Modules.ParamGroup param_group)
    {
        Inner.add_param_group(param_group);
        _recorder?.Dispose();
        _recorder = null;
        _position = NotObserving;
        _parameters = CaptureParameters(Inner);
    }

    /// <summary>
    /// Saves the inner optimizer's state (managed TorchSharp optimizers) and the farcast state — counters, window
    /// statistics and buffers, random generator — so a run resumed from it produces the same weights.
    /// </summary>
    public void save_state_dict(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(StateFormatName);
        writer.Write(StateFormatVersion);
        if (Inner is OptimizerHelper helper)
        {
            writer.Write(true);
            helper.save_state_dict(writer);
        }
        else
        {
            writer.Write(false);
        }

        writer.Write(_parameters.Length);
        writer.Write(_options.InputSteps);
        writer.Write(_options.Horizon);
        writer.Write((int)_options.Fit);
        writer.Write((int)_options.Granularity);
        writer.Write(RealSteps);
        writer.Write(EffectiveSteps);
        writer.Write(Jumps);
        writer.Write(RejectedJumps);
        writer.Write(ShouldStop);
        writer.Write(_random.State);
        writer.Write(_consecutiveRejections);
        writer.Write(_resumeAtRealStep);
        writer.Write(_position);
        writer.Write(_reusingMap);
        writer.Write(LastMaps.Count);
        foreach (var map in LastMaps) map.Write(writer);
        if (_position != NotObserving)
        {
            using var scope = NewDisposeScope();
            _recorder!.Write(writer);
        }
    }

    /// <summary>Saves the state to a file; see <see cref="save_state_dict(BinaryWriter)"/>.</summary>
    public void save_state_dict(string location)
    {
        using var stream = File.Create(location);
        using var writer = new BinaryWriter(stream);
        save_state_dict(writer);
    }

    /// <summary>Loads a state written by <see cref="save_state_dict(BinaryWriter)"/> with the same settings and parameters.</summary>
    /// <exception cref="InvalidDataException">The stream is not farcast state, or was saved with other settings.</exception>
    public void load_state_dict(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var name = reader.ReadString();
        if (name != StateFormatName)
            throw new InvalidDataException($"Not a FarcastOptimizer state: found '{name}'.");
        var version = reader.ReadInt32();
        if (version != StateFormatVersion)
            throw new InvalidDataException($"FarcastOptimizer state format {version} is not supported (expected {StateFormatVersion}).");
        if (reader.ReadBoolean())
        {
            if (Inner is not OptimizerHelper helper)
                throw new InvalidDataException($"The state holds an inner optimizer state, but {Inner.GetType().Name} cannot load one.");
            helper.load_state_dict(reader);
        }

        Expect(reader.ReadInt32(), _parameters.Length, "parameter tensors");
        Expect(reader.ReadInt32(), _options.InputSteps, FarcastOptions.SectionName + ":" + nameof(FarcastOptions.InputSteps));
        Expect(reader.ReadInt32(), _options.Horizon, FarcastOptions.SectionName + ":" + nameof(FarcastOptions.Horizon));
        Expect(reader.ReadInt32(), (int)_options.Fit, FarcastOptions.SectionName + ":" + nameof(FarcastOptions.Fit));
        Expect(reader.ReadInt32(), (int)_options.Granularity, FarcastOptions.SectionName + ":" + nameof(FarcastOptions.Granularity));
        RealSteps = reader.ReadInt64();
        EffectiveSteps = reader.ReadInt64();
        Jumps = reader.ReadInt32();
        RejectedJumps = reader.ReadInt32();
        ShouldStop = reader.ReadBoolean();
        _random.State = reader.ReadUInt64();
        _consecutiveRejections = reader.ReadInt32();
        _resumeAtRealStep = reader.ReadInt64();
        _position = reader.ReadInt32();
        _reusingMap = reader.ReadBoolean();
        var mapCount = reader.ReadInt32();
        if (mapCount != 0) Expect(mapCount, _parameters.Length, "fitted maps");
        LastMaps = Enumerable.Range(0, mapCount).Select(_ => Lfd2Map.Read(reader)).ToArray();
        if (_position != NotObserving)
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            _recorder ??= new WindowRecorder(_parameters, _options);
            _recorder.Read(reader);
        }
    }

    /// <summary>Loads the state from a file; see <see cref="load_state_dict(BinaryReader)"/>.</summary>
    public void load_state_dict(string location)
    {
        using var stream = File.OpenRead(location);
        using var reader = new BinaryReader(stream);
        load_state_dict(reader);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _recorder?.Dispose();
            _recorder = null;
        }
        base.Dispose(disposing);
    }

    private void BeginWindowIfDue()
    {
        if (_position != NotObserving || ShouldStop || Jumps >= _options.MaxJumps || RealSteps < _options.WarmupSteps
            || RealSteps < _resumeAtRealStep)
            return;

        // Stop mode: a full window must end before TotalSteps to be of use. When it would not, the final jump reuses
        // the last fitted map on a fresh input window (its step j = TotalSteps - last is at most H), so the run still
        // ends on a farcast instead of training the remaining steps.
        var fullWindowEnd = EffectiveSteps + _options.InputSteps - 1 + _options.Horizon;
        var reuse = false;
        if (_options.Mode == FarcastMode.Stop && fullWindowEnd >= _options.TotalSteps)
        {
            if (LastMaps.Count == 0 || EffectiveSteps + _options.InputSteps - 1 >= _options.TotalSteps)
                return;
            reuse = true;
        }

        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        _recorder ??= new WindowRecorder(_parameters, _options);
        if (reuse)
            _recorder.RecordRecentStart();
        else
            _recorder.BeginWindow(_random);
        _reusingMap = reuse;
        _position = 0;
    }

    private void ObserveAndMaybeJump()
    {
        var inputEnd = _options.InputSteps - 1;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var recorder = _recorder!;
        if (_reusingMap)
        {
            if (_position == inputEnd)
            {
                _position = NotObserving;
                Jump(recorder, LastMaps);
            }
            return;
        }

        var windowEnd = inputEnd + _options.Horizon;
        if (_position == inputEnd) recorder.RecordLast();
        if (_position == _options.Horizon) recorder.RecordRecentStart();
        if (_position > inputEnd) recorder.RecordTarget(_position - inputEnd);
        if (_position == windowEnd)
        {
            _position = NotObserving;
            LastMaps = Lfd2GroupFitter.Fit(recorder, _options);
            Jump(recorder, LastMaps);
        }
    }

    private void Jump(WindowRecorder recorder, IReadOnlyList<Lfd2Map> maps)
    {
        var start = EffectiveSteps;
        var remaining = _options.TotalSteps - start;
        var isFinal = _options.Mode == FarcastMode.Stop && remaining <= _options.Horizon;
        var horizon = isFinal ? (int)remaining : _options.Horizon;

        if (!maps.All(m => m.IsFinite))
        {
            Reject(start, horizon, JumpReason.NonFiniteForecast, null, null);
            return;
        }

        double? before = VerificationLoss is { } verify ? verify() : null;
        if (!WeightJump.TryWrite(recorder, maps, horizon))
        {
            Reject(start, horizon, JumpReason.NonFiniteForecast, before, null);
            return;
        }

        double? after = null;
        if (VerificationLoss is { } check)
        {
            try
            {
                after = check();
            }
            catch
            {
                WeightJump.RollBack(recorder);
                throw;
            }
            var limit = before!.Value + Math.Abs(before.Value) * _options.VerifyTolerance;
            if (!double.IsFinite(after.Value) || after.Value > limit)
            {
                WeightJump.RollBack(recorder);
                Reject(start, horizon, JumpReason.VerificationFailed, before, after);
                return;
            }
        }

        EffectiveSteps += horizon;
        Jumps++;
        _consecutiveRejections = 0;
        if (_options.OptimizerState == OptimizerStatePolicy.Reset)
            OptimizerStateReset.Reset(Inner);
        var args = new FarcastJumpEventArgs(start, horizon, isFinal ? JumpReason.FinalFarcast : JumpReason.Accepted, before, after);
        _logger.LogInformation("Farcast jump kept: {Jump}; real steps {Real}, effective steps {Effective}.", args, RealSteps, EffectiveSteps);
        if (isFinal) ShouldStop = true;
        Jumped?.Invoke(this, args);
    }

    private void Reject(long start, int horizon, JumpReason reason, double? before, double? after)
    {
        RejectedJumps++;
        _consecutiveRejections++;
        if (_options.BackoffSteps > 0)
            _resumeAtRealStep = RealSteps + ((long)_options.BackoffSteps << Math.Min(_consecutiveRejections - 1, MaxBackoffDoublings));
        var args = new FarcastJumpEventArgs(start, horizon, reason, before, after);
        _logger.LogWarning("Farcast jump rejected: {Jump}.", args);
        JumpRejected?.Invoke(this, args);
    }

    private static Parameter[] CaptureParameters(optim.Optimizer optimizer)
    {
        var parameters = optimizer.parameters().ToArray();
        if (parameters.Length == 0)
            throw new ArgumentException("The inner optimizer has no parameters to farcast.", nameof(optimizer));
        return parameters;
    }

    private static void Expect(int actual, int expected, string what)
    {
        if (actual != expected)
            throw new InvalidDataException($"Saved farcast state does not match this optimizer: {what} is {actual} in the state, {expected} here.");
    }
}
