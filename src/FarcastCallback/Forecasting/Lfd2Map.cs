namespace FarcastCallback.Forecasting;

/// <summary>
/// The LFD-2 map of one group of scalars: <c>ŵ(last + j) = a_j · w(first) + b_j · w(last) + c_j</c> for
/// j = 1..H, where <c>first</c> and <c>last</c> are the first and last steps of an input window.
/// </summary>
public sealed class Lfd2Map
{
    private readonly double[] _a;
    private readonly double[] _b;
    private readonly double[] _c;

    /// <summary>A map from its coefficients: element j - 1 of each array belongs to forecast step j.</summary>
    /// <exception cref="ArgumentException">The arrays are empty or of different lengths.</exception>
    public Lfd2Map(double[] a, double[] b, double[] c)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(c);
        if (a.Length != b.Length || a.Length != c.Length || a.Length == 0)
            throw new ArgumentException("LFD-2 coefficient arrays must be non-empty and of equal length.");
        _a = (double[])a.Clone();
        _b = (double[])b.Clone();
        _c = (double[])c.Clone();
    }

    /// <summary>
    /// The last observed weight w(last) = F + D in displacement form: the "step 0" of a forecast, which the
    /// regularizer compares the first forecast step with when H = 1.
    /// </summary>
    internal static readonly Vector3 LastObservedInDisplacementForm = new(0, 1, 0);

    /// <summary>
    /// The fixed map that continues an input window of <paramref name="inputSteps"/> snapshots at its mean rate:
    /// <c>ŵ_j = L + (j / (m - 1)) · (L - F)</c> for j = 1..<paramref name="horizon"/>.
    /// </summary>
    public static Lfd2Map LinearExtrapolation(int inputSteps, int horizon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSteps, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        var rate = Enumerable.Range(1, horizon).Select(j => j / (inputSteps - 1.0)).ToArray();
        return new Lfd2Map(rate.Select(r => -r).ToArray(), rate.Select(r => 1 + r).ToArray(), new double[horizon]);
    }

    /// <summary>The number of steps H the map forecasts.</summary>
    public int Horizon => _a.Length;

    /// <summary>The coefficients (a_j, b_j, c_j) of forecast step <paramref name="j"/> (1-based).</summary>
    public (double A, double B, double C) this[int j] => (_a[j - 1], _b[j - 1], _c[j - 1]);

    /// <summary>The forecast <c>ŵ(last + j)</c> of one scalar whose input window began at <paramref name="first"/> and ended at <paramref name="last"/>.</summary>
    public double Forecast(int j, double first, double last) => _a[j - 1] * first + _b[j - 1] * last + _c[j - 1];

    /// <summary>True when no coefficient is NaN or infinite.</summary>
    public bool IsFinite => _a.Concat(_b).Concat(_c).All(double.IsFinite);

    /// <summary>True when step <paramref name="j"/>'s coefficients are finite (a step the fit did not observe is NaN).</summary>
    internal bool IsFiniteAt(int j) => double.IsFinite(_a[j - 1]) && double.IsFinite(_b[j - 1]) && double.IsFinite(_c[j - 1]);

    /// <summary>
    /// Builds the map from coefficients fitted in displacement form,
    /// <c>ŵ(last + j) - w(first) = p_j · w(first) + q_j · (w(last) - w(first)) + c_j</c>, which is better conditioned
    /// than (first, last) because first and last are nearly equal. Then a_j = 1 + p_j - q_j and b_j = q_j.
    /// </summary>
    internal static Lfd2Map FromDisplacementForm(IReadOnlyList<Vector3> theta)
    {
        var a = new double[theta.Count];
        var b = new double[theta.Count];
        var c = new double[theta.Count];
        for (var j = 0; j < theta.Count; j++)
        {
            a[j] = 1.0 + theta[j].X - theta[j].Y;
            b[j] = theta[j].Y;
            c[j] = theta[j].Z;
        }
        return new Lfd2Map(a, b, c);
    }

    internal void Write(BinaryWriter writer)
    {
        writer.Write(Horizon);
        for (var j = 0; j < Horizon; j++)
        {
            writer.Write(_a[j]);
            writer.Write(_b[j]);
            writer.Write(_c[j]);
        }
    }

    internal static Lfd2Map Read(BinaryReader reader)
    {
        var horizon = reader.ReadInt32();
        if (horizon < 1 || horizon > 100_000) throw new InvalidDataException($"Saved LFD-2 map has an invalid horizon {horizon}.");
        var a = new double[horizon];
        var b = new double[horizon];
        var c = new double[horizon];
        for (var j = 0; j < horizon; j++)
        {
            a[j] = reader.ReadDouble();
            b[j] = reader.ReadDouble();
            c[j] = reader.ReadDouble();
        }
        return new Lfd2Map(a, b, c);
    }
}
