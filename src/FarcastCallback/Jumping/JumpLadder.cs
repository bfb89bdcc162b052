namespace FarcastCallback.Jumping;

/// <summary>
/// The forecast steps a jump tries, longest first: H alone, or a halving ladder under a horizon search. The ladder starts
/// at twice the last kept rung (at most H): the reach that paid last time is where to look first, so an attempt does
/// not spend guard checks on rungs far beyond it, and it can still grow by doubling.
/// </summary>
internal static class JumpLadder
{
    public static int[] Steps(int horizon, HorizonSearch search, int lastKept = 0)
    {
        if (search == HorizonSearch.Off) return new[] { horizon };
        var top = lastKept > 0 ? Math.Min(horizon, 2 * lastKept) : horizon;
        var steps = new List<int>();
        for (var j = top; ; j = (j + 1) / 2)
        {
            steps.Add(j);
            if (j == 1) break;
        }
        return steps.ToArray();
    }
}
