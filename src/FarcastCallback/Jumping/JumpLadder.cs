namespace FarcastCallback.Jumping;

/// <summary>
/// The forecast lengths a jump tries, longest first: a halving ladder from the top down to
/// <see cref="FarcastOptions.MinJump"/> (a jump that skips fewer steps than its guard checks cost is a loss). The ladder
/// starts at twice the last kept rung (at most H): the reach that paid last time is where to look first, so an attempt
/// does not spend guard checks on rungs far beyond it, and it can still grow by doubling. With MinJump = H it is H alone.
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
}
