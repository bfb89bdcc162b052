namespace FarcastCallback.Jumping;

/// <summary>The forecast steps a jump tries, longest first: H alone, or H, ⌈H/2⌉, ⌈H/4⌉, …, 1 under a horizon search.</summary>
internal static class JumpLadder
{
    public static int[] Steps(int horizon, HorizonSearch search)
    {
        if (search == HorizonSearch.Off) return new[] { horizon };
        var steps = new List<int>();
        for (var j = horizon; ; j = (j + 1) / 2)
        {
            steps.Add(j);
            if (j == 1) break;
        }
        return steps.ToArray();
    }
}
