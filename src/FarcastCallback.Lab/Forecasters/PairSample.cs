using FarcastCallback.Lab.Sequences;

namespace FarcastCallback.Lab.Forecasters;

/// <summary>A seeded uniform sample of training-pair indices, so pair-based forecasters fit in bounded time.</summary>
internal static class PairSample
{
    /// <summary>All of [0, count) when it fits the budget, else a sorted uniform sample of <paramref name="budget"/> of them.</summary>
    public static int[] Indices(int count, int budget, int seed)
    {
        if (count <= budget) return Enumerable.Range(0, count).ToArray();
        var chosen = new GaussianRandom(seed).Choose(count, budget);
        Array.Sort(chosen);
        return chosen;
    }
}
