namespace FarcastCallback.Forecasting;

/// <summary>
/// Sufficient statistics of the least-squares LFD-2 fit for one group of scalars, in float64.
/// Features per scalar i: <c>x_i = (F_i, D_i, 1)</c> with <c>F = w(first)</c> and <c>D = w(last) - w(first)</c>;
/// targets <c>y_ij = w(last + j) - w(first)</c> for j = 1..H. Only <c>Σ x xᵀ</c> and <c>Σ x y_j</c> are kept,
/// so the window's weights are never stored: each target step contributes three sums when it arrives.
/// </summary>
internal sealed class Lfd2Statistics
{
    private readonly double[] _cross;
    private readonly bool[] _targetSeen;

    public Lfd2Statistics(int horizon)
    {
        if (horizon < 1) throw new ArgumentOutOfRangeException(nameof(horizon));
        Horizon = horizon;
        _cross = new double[3 * horizon];
        _targetSeen = new bool[horizon];
    }

    public int Horizon { get; }

    /// <summary>Number of scalars n.</summary>
    public double Count { get; private set; }

    /// <summary>Σ F², Σ F·D, Σ D², Σ F, Σ D.</summary>
    public double SumFF { get; private set; }
    public double SumFD { get; private set; }
    public double SumDD { get; private set; }
    public double SumF { get; private set; }
    public double SumD { get; private set; }

    public bool HasInput { get; private set; }

    /// <summary>Whether target step <paramref name="j"/> (1-based) was recorded.</summary>
    public bool HasTarget(int j) => _targetSeen[j - 1];

    /// <summary>Adds one scalar's trajectory: its first weight, displacement D = last - first and targets y_j = w(last + j) - first.</summary>
    public void Add(double first, double displacement, ReadOnlySpan<double> targets)
    {
        Count++;
        SumFF += first * first;
        SumFD += first * displacement;
        SumDD += displacement * displacement;
        SumF += first;
        SumD += displacement;
        HasInput = true;
        for (var j = 0; j < Horizon; j++)
        {
            _cross[3 * j] += first * targets[j];
            _cross[3 * j + 1] += displacement * targets[j];
            _cross[3 * j + 2] += targets[j];
            _targetSeen[j] = true;
        }
    }

    /// <summary>Records the Gram sums of the input window, once its last weight is known.</summary>
    public void SetInput(double count, double sumFF, double sumFD, double sumDD, double sumF, double sumD)
    {
        Count = count;
        SumFF = sumFF;
        SumFD = sumFD;
        SumDD = sumDD;
        SumF = sumF;
        SumD = sumD;
        HasInput = true;
    }

    /// <summary>Records Σ F·y_j, Σ D·y_j and Σ y_j for target step <paramref name="j"/> (1-based).</summary>
    public void SetTarget(int j, double sumFY, double sumDY, double sumY)
    {
        _cross[3 * (j - 1)] = sumFY;
        _cross[3 * (j - 1) + 1] = sumDY;
        _cross[3 * (j - 1) + 2] = sumY;
        _targetSeen[j - 1] = true;
    }

    /// <summary>The Gram matrix <c>Σ x xᵀ</c>.</summary>
    public double[,] Gram() => new[,]
    {
        { SumFF, SumFD, SumF },
        { SumFD, SumDD, SumD },
        { SumF, SumD, Count },
    };

    /// <summary>The moment vector <c>Σ x y_j</c> of target step <paramref name="j"/> (1-based).</summary>
    public Vector3 Cross(int j) => Vector3.FromArray(_cross, 3 * (j - 1));

    /// <summary>Sums the statistics of several groups, e.g. every tensor into one global group.</summary>
    public static Lfd2Statistics Sum(IReadOnlyList<Lfd2Statistics> parts)
    {
        if (parts.Count == 0) throw new ArgumentException("No statistics to sum.", nameof(parts));
        var total = new Lfd2Statistics(parts[0].Horizon);
        total.SetInput(
            parts.Sum(p => p.Count), parts.Sum(p => p.SumFF), parts.Sum(p => p.SumFD),
            parts.Sum(p => p.SumDD), parts.Sum(p => p.SumF), parts.Sum(p => p.SumD));
        for (var j = 1; j <= total.Horizon; j++)
        {
            var index = j;
            total.SetTarget(j, parts.Sum(p => p.Cross(index).X), parts.Sum(p => p.Cross(index).Y), parts.Sum(p => p.Cross(index).Z));
        }
        total.HasInput = parts.All(p => p.HasInput);
        for (var j = 0; j < total.Horizon; j++) total._targetSeen[j] = parts.All(p => p._targetSeen[j]);
        return total;
    }
}
