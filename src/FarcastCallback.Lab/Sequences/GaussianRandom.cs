namespace FarcastCallback.Lab.Sequences;

/// <summary>A seeded source of uniform and standard normal numbers (Box–Muller), deterministic for a seed.</summary>
internal sealed class GaussianRandom
{
    private readonly Random _random;
    private double? _spare;

    public GaussianRandom(int seed) => _random = new Random(seed);

    public double Uniform() => _random.NextDouble();

    public double Normal()
    {
        if (_spare is { } spare)
        {
            _spare = null;
            return spare;
        }
        double u, v, s;
        do
        {
            u = 2 * _random.NextDouble() - 1;
            v = 2 * _random.NextDouble() - 1;
            s = u * u + v * v;
        }
        while (s is >= 1 or 0);
        var factor = Math.Sqrt(-2 * Math.Log(s) / s);
        _spare = v * factor;
        return u * factor;
    }

    /// <summary><paramref name="count"/> distinct indices drawn uniformly from [0, <paramref name="population"/>).</summary>
    public int[] Choose(int population, int count)
    {
        if (count > population) throw new ArgumentOutOfRangeException(nameof(count));
        var pool = Enumerable.Range(0, population).ToArray();
        for (var i = 0; i < count; i++)
        {
            var j = i + _random.Next(population - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool[..count];
    }
}
