using FarcastCallback.Forecasting;
using FarcastCallback.Jumping;
using FarcastCallback.Observation;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback;

/// <summary>
/// The delayed guard (<see cref="FarcastOptions.JudgeAfterSteps"/>): a jump is written, training absorbs it for a set
/// number of real steps, and only then is it judged against where plain training would be by then
/// (docs/design.md, "The delayed guard").
/// </summary>
public sealed partial class FarcastOptimizer
{
    private PendingJump? _pending;
    private GuardReading? _recentReading;
    private bool _recentReadingDue;
    private int _nextDelayedRung;
    private readonly MemoryStream _preJumpInnerState = new();
    private readonly MemoryStream _mainInnerState = new();
    private readonly MemoryStream _liveGroupOptions = new();

    /// <summary>
    /// True while a jump written under <see cref="FarcastOptions.JudgeAfterSteps"/> awaits its judgement. Until then the
    /// weights may still be rolled back: a host should not report a target reached on them, and
    /// <c>save_state_dict</c> refuses. A rollback raises <see cref="JumpRejected"/> with
    /// <see cref="FarcastJumpEventArgs.JudgedAfterSteps"/> &gt; 0: what the host saw in those last steps is void.
    /// </summary>
    public bool JumpUnderJudgement => _pending is not null;

    /// <summary>Whether jumps wait for a delayed judgement: a delay is set and so is a guard.</summary>
    private bool JudgesLater => _options.JudgeAfterSteps > 0 && _guard.IsSet;

    /// <summary>Whether a delayed judgement races a twin (<see cref="FarcastCounterfactual.Race"/>).</summary>
    private bool RacesWhenJudging => JudgesLater && _options.JudgeAgainst == FarcastCounterfactual.Race;

    /// <summary>Whether this step trains the twin of a jump under judgement.</summary>
    private bool Races => _pending is not null && RacesWhenJudging;

    /// <summary>
    /// The longest jump allowed now, in snapshots: <see cref="FarcastOptions.Horizon"/>, or under the shrinking
    /// schedule <c>round((√H − (√H − 1) · t / T)²)</c> at effective step t of T.
    /// </summary>
    private int ScheduledHorizon()
    {
        if (_options.HorizonSchedule == FarcastHorizonSchedule.Constant) return _options.Horizon;
        var progress = Math.Min(1.0, EffectiveSteps / (double)_options.TotalSteps);
        var root = Math.Sqrt(_options.Horizon);
        return Math.Clamp((int)Math.Round(Math.Pow(root - (root - 1) * progress, 2)), 1, _options.Horizon);
    }

    /// <summary>The guard's reading at the start of the recent input window, the earlier point of the trend; taken outside the wrapper's dispose scope.</summary>
    private void MeasureRecentIfDue()
    {
        if (!_recentReadingDue) return;
        _recentReadingDue = false;
        _recentReading = _guard.Measure();
    }

    /// <summary>
    /// Writes one forecast to be judged <see cref="FarcastOptions.JudgeAfterSteps"/> real steps from now. The loss it
    /// must then beat is the guard's reading now, continued along the trend from the start of the recent input window.
    /// </summary>
    private void WriteForJudgement(WindowBuffers buffers, IReadOnlyList<Lfd2Map> maps, bool[] moves, long start)
    {
        var rung = _options.Map == FarcastMap.Smoothing ? 0 : JumpLadder.Delayed(ScheduledHorizon(), _nextDelayedRung, _options.MinJump);
        if (!maps.All(m => m.IsFiniteAt(rung)) || !JumpSearch.InScope(() => buffers.TryForecast(maps, rung, moves)))
        {
            _nextDelayedRung = JumpLadder.AfterRejected(rung);
            Reject(start, new JumpOutcome(0, JumpReason.NonFiniteForecast, rung, null, null));
            return;
        }

        GuardReading expected;
        try
        {
            var span = (_options.InputSteps - 1.0) * _options.Stride;
            expected = _guard.Measure()!.Value.Extrapolated(_recentReading, _options.JudgeAfterSteps / span);
        }
        catch
        {
            Reject(start, new JumpOutcome(0, JumpReason.VerificationFailed, rung, null, null));   // nothing written yet
            throw;
        }
        var savedInnerState = Inner is OptimizerHelper helper && SavePreJumpInnerState(helper);
        JumpSearch.InScope(buffers.Apply);
        _observedAverage?.Reset();
        _pending = new PendingJump(start, rung, expected, savedInnerState, RealSteps) { StepsLeft = _options.JudgeAfterSteps };
    }

    /// <summary>
    /// <see cref="FarcastCounterfactual.Race"/>: one step of the twin, on the batch the user's closure computes, before
    /// the jumped weights take theirs. The twin's weights live in F's storage (where a rollback reads the pre-jump
    /// weights from) and its optimizer state in the pre-jump state's buffer, so a rollback adopts the twin; D's storage,
    /// free once the forecast is written, holds the jumped weights meanwhile. A closure that throws leaves the jumped
    /// weights and their optimizer state in place and the twin as it was.
    /// </summary>
    private void RaceStep(Func<Tensor> closure)
    {
        var helper = (OptimizerHelper)Inner;
        var buffers = _buffers!;
        SaveInnerStateInto(helper, _mainInnerState);
        JumpSearch.InScope(buffers.SwapInPreJump);
        var advanced = false;
        try
        {
            RestorePreJumpInnerState(helper);
            Inner.zero_grad();
            Inner.step(closure);
            SavePreJumpInnerState(helper);
            advanced = true;
        }
        finally
        {
            JumpSearch.InScope(() => buffers.SwapOutPreJump(keepTwin: advanced));
            LoadInnerStateFrom(helper, _mainInnerState);
            Inner.zero_grad();
        }
        RealSteps++;
    }

    /// <summary>The guard's reading at the twin's weights, which are swapped in for it and out again.</summary>
    private GuardReading MeasureTwin()
    {
        var buffers = _buffers!;
        JumpSearch.InScope(buffers.SwapInPreJump);
        try
        {
            return _guard.Measure()!.Value;
        }
        finally
        {
            JumpSearch.InScope(() => buffers.SwapOutPreJump(keepTwin: false));
        }
    }

    /// <summary>Counts a real step of the jump under judgement; at the last, keeps the jump or rolls it back.</summary>
    private void JudgeIfDue()
    {
        var pending = _pending!;
        if (--pending.StepsLeft > 0) return;
        GuardReading after, against;
        bool passes;
        bool? trendAgrees = null;
        try
        {
            after = _guard.Measure()!.Value;
            against = RacesWhenJudging ? MeasureTwin() : pending.Expected;
            passes = _guard.Passes(against, after);
            if (RacesWhenJudging) trendAgrees = _guard.Passes(pending.Expected, after) == passes;
        }
        catch
        {
            RollBackPending(null);
            throw;
        }
        if (!passes)
        {
            RollBackPending(after.Mean, against.Mean, trendAgrees);
            return;
        }
        _pending = null;
        _nextDelayedRung = JumpLadder.AfterKept(pending.Rung, _options.Horizon);
        Keep(pending.Start, pending.Rung, JumpReason.Accepted, against.Mean, after.Mean, _options.JudgeAfterSteps, pending.WrittenAt, trendAgrees);
    }

    /// <summary>
    /// Puts back the pre-jump weights (bit for bit) and, when the inner optimizer can save its state, the pre-jump
    /// optimizer state; the weights stand again for the effective step the jump started from, and the steps trained
    /// since count as real steps. Under a race the twin is adopted instead — its weights and state, which stand for the
    /// start plus the steps it trained. Reported as a rejection with the guard's losses, when they were read.
    /// </summary>
    private void RollBackPending(double? lossAfter, double? lossAgainst = null, bool? trendAgrees = null)
    {
        var pending = _pending!;
        var raced = RacesWhenJudging;
        _pending = null;
        JumpSearch.InScope(_buffers!.RollBack);
        _observedAverage?.Reset();   // the average of the pre-jump run is not kept: it starts again at the restored weights
        if (pending.SavedInnerState) RestorePreJumpInnerState((OptimizerHelper)Inner);
        var judgedAfter = _options.JudgeAfterSteps - pending.StepsLeft;
        EffectiveSteps = pending.Start + (raced ? judgedAfter : 0);
        _nextDelayedRung = JumpLadder.AfterRejected(pending.Rung);
        Reject(pending.Start, new JumpOutcome(0, JumpReason.VerificationFailed, pending.Rung, lossAgainst ?? pending.Expected.Mean, lossAfter), judgedAfter,
            pending.WrittenAt, trendAgrees);
    }

    /// <summary>
    /// The inner optimizer's state right before a jump is written, as TorchSharp's own state bytes, into one buffer the
    /// wrapper keeps and reuses (no allocation per jump).
    /// </summary>
    private bool SavePreJumpInnerState(OptimizerHelper helper)
    {
        SaveInnerStateInto(helper, _preJumpInnerState);
        return true;
    }

    /// <summary>Puts back the state <see cref="SavePreJumpInnerState"/> kept: written by the same optimizer moments ago, so it fits.</summary>
    private void RestorePreJumpInnerState(OptimizerHelper helper) => LoadInnerStateFrom(helper, _preJumpInnerState);

    private static void SaveInnerStateInto(OptimizerHelper helper, MemoryStream into)
    {
        into.SetLength(0);
        using var writer = new BinaryWriter(into, System.Text.Encoding.UTF8, leaveOpen: true);
        helper.save_state_dict(writer);
    }

    /// <summary>
    /// Loads the per-parameter state <paramref name="from"/> holds (moments, step counts) and keeps the live parameter
    /// groups' options — the learning rate and whatever else a schedule has set since the state was saved: TorchSharp's
    /// state bytes carry each group's rate, and bringing back the rate of the step a jump was written at would train the
    /// twin, or the run after a rollback, at a stale rate (and a chainable schedule would then go on from it).
    /// </summary>
    private void LoadInnerStateFrom(OptimizerHelper helper, MemoryStream from)
    {
        var options = helper.state_dict().Options;
        _liveGroupOptions.SetLength(0);
        using (var writer = new BinaryWriter(_liveGroupOptions, System.Text.Encoding.UTF8, leaveOpen: true))
            foreach (var group in options) group.SaveStateDict(writer);
        from.Position = 0;
        using (var reader = new BinaryReader(from, System.Text.Encoding.UTF8, leaveOpen: true))
            helper.load_state_dict(reader);
        _liveGroupOptions.Position = 0;
        using (var reader = new BinaryReader(_liveGroupOptions, System.Text.Encoding.UTF8, leaveOpen: true))
            foreach (var group in options) group.LoadStateDict(reader);
    }

    /// <summary>
    /// A jump written and waiting: where it started, its length in snapshots, the loss it must beat (the trend's), whether
    /// the optimizer's state before it was kept, and the real step it was written at.
    /// </summary>
    private sealed record PendingJump(long Start, int Rung, GuardReading Expected, bool SavedInnerState, long WrittenAt)
    {
        public int StepsLeft { get; set; }
    }
}
