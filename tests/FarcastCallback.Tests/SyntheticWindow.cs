using FarcastCallback.Forecasting;

namespace FarcastCallback.Tests;

/// <summary>A noisy synthetic window of n scalars: F, D and targets y_j = α_j F + β_j D + γ_j + noise.</summary>
internal sealed class SyntheticWindow
{
    public SyntheticWindow(int seed, int count, int horizon, double noise)
    {
        var random = new Random(seed);
        First = new double[count];
        Displacement = new double[count];
        Targets = new double[horizon][];
        for (var i = 0; i < count; i++)
        {
            First[i] = random.NextDouble() - 0.5;
            Displacement[i] = 0.1 * (random.NextDouble() - 0.5);
        }
        for (var j = 0; j < horizon; j++)
        {
            Targets[j] = new double[count];
            for (var i = 0; i < count; i++)
                Targets[j][i] = -0.01 * (j + 1) * First[i] + (1 + 0.3 * (j + 1)) * Displacement[i] + 0.001 * j + noise * (random.NextDouble() - 0.5);
        }
    }

    public double[] First { get; }
    public double[] Displacement { get; }
    public double[][] Targets { get; }
    public int Horizon => Targets.Length;

    public Lfd2Statistics Statistics()
    {
        var s = new Lfd2Statistics(Horizon);
        s.SetInput(First.Length, Sum((f, d) => f * f), Sum((f, d) => f * d), Sum((f, d) => d * d), First.Sum(), Displacement.Sum());
        for (var j = 1; j <= Horizon; j++)
        {
            var y = Targets[j - 1];
            s.SetTarget(j, First.Select((f, i) => f * y[i]).Sum(), Displacement.Select((d, i) => d * y[i]).Sum(), y.Sum());
        }
        return s;
    }

    /// <summary>The forecast ŵ(last + j) of scalar i under a map, in displacement form relative to F.</summary>
    public double Forecast(Lfd2Map map, int j, int i)
    {
        var (a, b, c) = map[j];
        return a * First[i] + b * (First[i] + Displacement[i]) + c - First[i];
    }

    public double SquaredObjective(Lfd2Map map, double lambda) => Objective(map, lambda, r => r * r);

    public double AbsoluteObjective(Lfd2Map map, double lambda) => Objective(map, lambda, Math.Abs);

    /// <summary>mean_(i,j) φ(ŵ - w) + λ mean_i φ(ŵ_H - ŵ_(H-1)), with ŵ_0 = w(last).</summary>
    private double Objective(Lfd2Map map, double lambda, Func<double, double> penalty)
    {
        double data = 0;
        for (var j = 1; j <= Horizon; j++)
            for (var i = 0; i < First.Length; i++)
                data += penalty(Forecast(map, j, i) - Targets[j - 1][i]);
        double regularizer = 0;
        for (var i = 0; i < First.Length; i++)
        {
            var previous = Horizon == 1 ? Displacement[i] : Forecast(map, Horizon - 1, i);
            regularizer += penalty(Forecast(map, Horizon, i) - previous);
        }
        return data / (First.Length * Horizon) + lambda * regularizer / First.Length;
    }

    public double LastStepChange(Lfd2Map map) =>
        Enumerable.Range(0, First.Length).Average(i => Math.Pow(Forecast(map, Horizon, i) - Forecast(map, Horizon - 1, i), 2));

    /// <summary>The map with the coefficients of one step moved by up to ±size/2 each.</summary>
    public static Lfd2Map Perturb(Lfd2Map map, int step, Random random, double size)
    {
        var h = map.Horizon;
        var a = Enumerable.Range(1, h).Select(j => map[j].A).ToArray();
        var b = Enumerable.Range(1, h).Select(j => map[j].B).ToArray();
        var c = Enumerable.Range(1, h).Select(j => map[j].C).ToArray();
        a[step - 1] += size * (random.NextDouble() - 0.5);
        b[step - 1] += size * (random.NextDouble() - 0.5);
        c[step - 1] += size * (random.NextDouble() - 0.5);
        return new Lfd2Map(a, b, c);
    }

    private double Sum(Func<double, double, double> term) => First.Select((f, i) => term(f, Displacement[i])).Sum();
}
