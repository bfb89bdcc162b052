namespace FarcastCallback.Observation;

/// <summary>
/// A small seeded generator whose whole state is one integer, so it saves and loads with the farcast state and a
/// resumed run draws the same samples as an uninterrupted one (System.Random cannot be serialised).
/// </summary>
internal sealed class SplitMix64
{
    public SplitMix64(ulong state) => State = state;

    public ulong State { get; set; }

    public ulong NextUInt64()
    {
        var z = State += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform integer in [0, <paramref name="exclusiveBound"/>).</summary>
    public long NextInt64(long exclusiveBound)
    {
        if (exclusiveBound <= 0) throw new ArgumentOutOfRangeException(nameof(exclusiveBound));
        var bound = (ulong)exclusiveBound;
        var limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong value;
        do value = NextUInt64(); while (value >= limit);
        return (long)(value % bound);
    }

    /// <summary>
    /// <paramref name="count"/> distinct integers drawn uniformly from [0, <paramref name="population"/>), sorted
    /// (Floyd's algorithm: one draw per element, no shuffle of the population).
    /// </summary>
    public long[] SampleWithoutReplacement(long population, int count)
    {
        if (count >= population)
        {
            var all = new long[population];
            for (long i = 0; i < population; i++) all[i] = i;
            return all;
        }
        var chosen = new HashSet<long>();
        for (var j = population - count; j < population; j++)
        {
            var candidate = NextInt64(j + 1);
            chosen.Add(chosen.Contains(candidate) ? j : candidate);
        }
        var result = chosen.ToArray();
        Array.Sort(result);
        return result;
    }
}
