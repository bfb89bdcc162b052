namespace FarcastCallback.Jumping;

/// <summary>
/// The forecast lengths a jump tries, longest first: a halving ladder from the top down to
/// <see cref="FarcastOptions.MinJump"/> (a jump that skips fewer steps than its guard checks cost is a loss). The ladder
/// starts at twice the last kept rung (at most H): the reach that paid last time is where to look first, so an attempt
/// does not spend guard checks on rungs far beyond it, and it can still grow by doubling. With MinJump = H it is H alone.
/// A delayed judgement writes one rung per attempt and walks the same ladder across attempts: doubling after a kept jump,
/// halving after a rejected one (<see cref="Delayed"/>).
/// </summary>
internal static class JumpLadder
{
    /// <param name="horizon">The longest rung.</param>
    /// <param name="lastKept">The rung the last kept jump used; 0 when none.</param>
    /// <param name="minJump">The shortest rung tried (at most the horizon).</param>
    public static int[] Steps(int horizon, int lastKept, int minJump)
    {
        var floor = Math.Clamp(minJump, 1, horizon);
        var top = lastKept > 0 ? Math.Clamp(2 * lastKept, floor, horizon) : horizon;
        var steps = new List<int>();
        for (var j = top; ; j = (j + 1) / 2)
        {
            steps.Add(j);
            if (j == 1 || (j + 1) / 2 < floor) break;
        }
        return steps.ToArray();
    }

    /// <summary>
    /// The one rung a delayed judgement writes (no ladder: a rung costs its delay to judge): <paramref name="next"/>
    /// within [min(MinJump, horizon), horizon], or the horizon itself at the first attempt (<paramref name="next"/> 0).
    /// </summary>
    public static int Delayed(int horizon, int next, int minJump) =>
        next == 0 ? horizon : Math.Clamp(next, Math.Min(minJump, horizon), horizon);

    /// <summary>The next delayed rung after one of <paramref name="rung"/> was kept: twice as long, at most the horizon.</summary>
    public static int AfterKept(int rung, int horizon) => Math.Min(2 * rung, horizon);

    /// <summary>The next delayed rung after one of <paramref name="rung"/> was not kept: half as long, at least one snapshot.</summary>
    public static int AfterRejected(int rung) => Math.Max(1, (rung + 1) / 2);

    /// <summary>
    /// Every rung either ladder can try with a constant <paramref name="horizon"/>, as flags indexed 1..horizon: the
    /// horizon, and what halving (<see cref="Steps"/>, <see cref="AfterRejected"/>) and doubling (a ladder's top after
    /// a kept jump, <see cref="AfterKept"/>) reach from it within [min(MinJump, H), H]. For a power-of-two horizon these
    /// are the powers of two down to the floor.
    /// </summary>
    public static bool[] Reachable(int horizon, int minJump)
    {
        var floor = Math.Clamp(minJump, 1, horizon);
        var reached = new bool[horizon + 1];
        var pending = new Stack<int>();
        void Reach(int j)
        {
            if (reached[j]) return;
            reached[j] = true;
            pending.Push(j);
        }
        Reach(horizon);
        while (pending.Count > 0)
        {
            var j = pending.Pop();
            if (j > 1 && (j + 1) / 2 >= floor) Reach((j + 1) / 2);       // the next rung down a ladder
            Reach(Delayed(horizon, AfterRejected(j), minJump));              // a delayed rung after a rejection
            Reach(Delayed(horizon, AfterKept(j, horizon), minJump));        // a delayed rung after a kept jump
            Reach(Math.Clamp(2 * j, floor, horizon));                         // a ladder's top after a kept jump
        }
        return reached;
    }
}
