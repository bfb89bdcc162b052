namespace FarcastCallback.Lab.Forecasters;

/// <summary>A seeded uniform sample of training-pair indices, so pair-based forecasters fit in bounded time.</summary>
internal static class PairSample
{
    /// <summary>All of [0, count) when it fits the budget, else a sorted uniform sample of <paramref name="budget"/> of them.</summary>
    public static int[] Indices(int count, int budget, int seed)
    {
        if (count <= budget) return Enumerable.Range(0, count).ToArray();
        var random = new Random(seed);
        var pool = Enumerable.Range(0, count).ToArray();
        for (var i = 0; i < budget; i++)
        {
            var j = i + random.Next(count - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        var chosen = pool[..budget];
        Array.Sort(chosen);
        return chosen;
    }
}
