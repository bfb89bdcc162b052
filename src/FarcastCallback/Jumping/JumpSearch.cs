using FarcastCallback.Forecasting;
using FarcastCallback.Observation;
using static TorchSharp.torch;

namespace FarcastCallback.Jumping;

/// <summary>
/// What one jump attempt did: the forecast step kept (0 when none, and for a kept smoothing-only jump; <see cref="Reason"/>
/// is <see cref="JumpReason.Accepted"/> exactly when one was kept), why, the rung the guard judged last (the kept one,
/// or for a rejection the shortest rung judged; the top rung when none could be written) and the guard's losses.
/// </summary>
internal readonly record struct JumpOutcome(int Step, JumpReason Reason, int TriedStep, double? LossBefore, double? LossAfter);

/// <summary>
/// One jump attempt over a ladder of forecast steps (longest first): each rung's forecast is computed in scratch and
/// checked for NaN/Inf before anything is written, then written, judged by the guard and rolled back unless it passes;
/// the first rung that passes is kept. The guard's "before" reading is taken only once a rung can be written, so a
/// forecast that is never written costs no forward pass. Without a guard the first rung that can be written is kept.
/// A guard that throws (or returns a different number of per-example losses) leaves the pre-jump weights in place.
/// Buffer work runs in its own dispose scope; the guard runs outside it (its tensors belong to the caller).
/// </summary>
internal static class JumpSearch
{
    public static JumpOutcome Run(WindowBuffers buffers, IReadOnlyList<Lfd2Map> maps, IReadOnlyList<int> ladder, IReadOnlyList<bool> moves, JumpGuard guard)
    {
        GuardReading? before = null;
        GuardReading? lastAfter = null;
        var reason = JumpReason.NonFiniteForecast;
        var tried = ladder[0];
        foreach (var j in ladder)
        {
            if (!InScope(() => buffers.TryForecast(maps, j, moves))) continue;
            if (!guard.IsSet)
            {
                InScope(buffers.Apply);
                return new JumpOutcome(j, JumpReason.Accepted, j, null, null);
            }

            before ??= guard.Measure();
            InScope(buffers.Apply);
            GuardReading after;
            bool passes;
            try
            {
                after = guard.Measure()!.Value;
                passes = guard.Passes(before!.Value, after);
            }
            catch
            {
                InScope(buffers.RollBack);
                throw;
            }
            (tried, lastAfter) = (j, after);
            if (passes) return new JumpOutcome(j, JumpReason.Accepted, j, before!.Value.Mean, after.Mean);
            reason = JumpReason.VerificationFailed;
            InScope(buffers.RollBack);
        }
        return new JumpOutcome(0, reason, tried, before?.Mean, lastAfter?.Mean);
    }

    /// <summary>Runs buffer work under no_grad in a dispose scope of its own.</summary>
    internal static void InScope(Action work) => InScope(() => { work(); return true; });

    /// <summary>Runs buffer work under no_grad in a dispose scope of its own and returns its answer.</summary>
    internal static bool InScope(Func<bool> work)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return work();
    }
}
