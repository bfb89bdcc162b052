namespace FarcastCallback.Forecasting;

/// <summary>
/// The closed-form least-squares LFD-2 fit offline, the same math <see cref="FarcastOptimizer"/> runs live: add the
/// trajectories of any number of scalars (the first and last weight of their input window and the H weights after
/// it), then <see cref="Fit"/> one map shared by all of them. Only float64 sums are kept, never the trajectories.
/// </summary>
/// <example>
/// <code>
/// var regression = new Lfd2Regression(horizon: 3);
/// regression.Add(first: 1.0, last: 0.8, targets: new[] { 0.75, 0.7, 0.66 });
/// var map = regression.Fit(lambda: 0);
/// var forecast = map.Forecast(3, first: 2.0, last: 1.7);
/// </code>
/// </example>
public sealed class Lfd2Regression
{
    private readonly Lfd2Statistics _sums;
    private readonly double[] _targets;

    /// <summary>A regression of <paramref name="horizon"/> forecast steps.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="horizon"/> is less than 1.</exception>
    public Lfd2Regression(int horizon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        Horizon = horizon;
        _sums = new Lfd2Statistics(horizon);
        _targets = new double[horizon];
    }

    /// <summary>The number of forecast steps H.</summary>
    public int Horizon { get; }

    /// <summary>The number of scalar trajectories added.</summary>
    public long Count => (long)_sums.Count;

    /// <summary>Adds one scalar's trajectory: its input window's first and last weight and the next H weights.</summary>
    /// <exception cref="ArgumentException"><paramref name="targets"/> does not hold exactly H values.</exception>
    public void Add(double first, double last, ReadOnlySpan<double> targets)
    {
        if (targets.Length != Horizon)
            throw new ArgumentException($"Expected {Horizon} target weights; got {targets.Length}.", nameof(targets));
        // Displacement form (F, D = last - first, 1) with targets y_j - F: see docs/design.md, "The closed form".
        for (var j = 0; j < Horizon; j++) _targets[j] = targets[j] - first;
        _sums.Add(first, last - first, _targets);
    }

    /// <summary>
    /// The map minimising <c>mean_(i,j) (ŵ_ij - w_ij)² + λ · mean_i (ŵ_iH - ŵ_i(H-1))²</c>; directions the data do not
    /// determine (e.g. every trajectory constant) get the minimum-norm solution, never NaN.
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing was added.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lambda"/> is negative or not finite.</exception>
    public Lfd2Map Fit(double lambda = 0)
    {
        if (_sums.Count == 0) throw new InvalidOperationException("No trajectories were added to the LFD-2 regression.");
        if (!double.IsFinite(lambda) || lambda < 0)
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be finite and non-negative.");
        return LeastSquaresLfd2Fitter.Fit(_sums, lambda);
    }
}
