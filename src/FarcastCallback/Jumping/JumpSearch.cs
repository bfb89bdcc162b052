using FarcastCallback.Forecasting;
using FarcastCallback.Observation;
using static TorchSharp.torch;

namespace FarcastCallback.Jumping;

/// <summary>What one jump attempt kept: the forecast step (0 when none), why, and the guard's losses.</summary>
internal readonly record struct JumpOutcome(int Step, JumpReason Reason, double? LossBefore, double? LossAfter);

/// <summary>
/// One jump attempt over a ladder of forecast steps (longest first): each rung is written, judged by the guard and
/// rolled back unless it is kept. Without a guard the first rung that can be written is kept. With
/// <c>keepBest</c> false the first passing rung is kept (the furthest); with true every rung is judged and
/// the passing one with the lowest loss is written again. Nothing non-finite is ever left in the weights.
/// </summary>
internal static class JumpSearch
{
    public static JumpOutcome Run(WindowBuffers buffers, IReadOnlyList<Lfd2Map> maps, IReadOnlyList<int> ladder, JumpGuard guard, bool keepBest)
    {
        var before = guard.Measure();
        var reason = JumpReason.NonFiniteForecast;
        GuardReading? lastAfter = null, bestAfter = null;
        var best = 0;
        foreach (var j in ladder)
        {
            if (!Write(buffers, maps, j)) continue;
            if (before is not { } reference) return new JumpOutcome(j, JumpReason.Accepted, null, null);

            GuardReading after;
            try
            {
                after = guard.Measure()!.Value;
            }
            catch
            {
                RollBack(buffers);
                throw;
            }
            lastAfter = after;
            if (guard.Passes(reference, after))
            {
                if (!keepBest) return new JumpOutcome(j, JumpReason.Accepted, reference.Mean, after.Mean);
                if (bestAfter is null || after.Mean < bestAfter.Value.Mean) (best, bestAfter) = (j, after);
            }
            else
            {
                reason = JumpReason.VerificationFailed;
            }
            RollBack(buffers);
        }

        if (bestAfter is { } kept && Write(buffers, maps, best))
            return new JumpOutcome(best, JumpReason.Accepted, before!.Value.Mean, kept.Mean);
        return new JumpOutcome(0, reason, before?.Mean, lastAfter?.Mean);
    }

    private static bool Write(WindowBuffers buffers, IReadOnlyList<Lfd2Map> maps, int j)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return WeightJump.TryWrite(buffers, maps, j);
    }

    private static void RollBack(WindowBuffers buffers)
    {
        using var noGrad = no_grad();
        WeightJump.RollBack(buffers);
    }
}
