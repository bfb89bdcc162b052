namespace FarcastCallback.Lab.Sequences;

/// <summary>
/// Derives the seeds of one problem from the experiment's seed. Deterministic across processes and machines, unlike
/// <see cref="HashCode"/>, whose output changes with every process start.
/// </summary>
internal static class Seeds
{
    public static int Derive(int seed, int problem, int stream)
    {
        var z = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)(uint)problem * 0xBF58476D1CE4E5B9UL + (ulong)(uint)stream * 0x94D049BB133111EBUL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }
}
