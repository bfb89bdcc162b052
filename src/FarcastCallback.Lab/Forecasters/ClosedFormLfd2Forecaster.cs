using System.Diagnostics;
using FarcastCallback.Forecasting;

namespace FarcastCallback.Lab.Forecasters;

/// <summary>
/// LFD-2 fitted in closed form by least squares — the library's own fit (<see cref="Lfd2Regression"/>), the
/// one <c>FarcastOptimizer</c> uses live: one map (a_j, b_j, c_j) per forecast step shared by every training series,
/// from the sufficient statistics of (w(0), w(m − 1), 1). No iterations, no dev split.
/// </summary>
public sealed class ClosedFormLfd2Forecaster : IWeightForecaster
{
    private readonly double _lambda;
    private Lfd2Map? _map;

    public ClosedFormLfd2Forecaster(double lambda = 0, string name = "lfd2-ls")
    {
        _lambda = lambda;
        Name = name;
    }

    public string Name { get; }

    public long ParameterCount => _map is null ? 0 : 3L * _map.Horizon;

    public FitReport Fit(double[,] train, double[,] dev, ForecastTask task, int seed, double[,]? trainLosses = null, double[,]? devLosses = null)
    {
        task.Validate();
        var clock = Stopwatch.StartNew();
        var regression = new Lfd2Regression(task.Horizon);
        var targets = new double[task.Horizon];
        for (var r = 0; r < train.GetLength(0); r++)
        {
            for (var j = 1; j <= task.Horizon; j++) targets[j - 1] = train[r, task.LastInputStep + j];
            regression.Add(train[r, 0], train[r, task.LastInputStep], targets);
        }
        _map = regression.Fit(_lambda);
        return new FitReport(1, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The fitted coefficients (a_j, b_j, c_j) of forecast step j (1-based).</summary>
    public (double A, double B, double C) Coefficients(int j) =>
        (_map ?? throw new InvalidOperationException($"{Name} must be fitted first."))[j];

    public double[,] Forecast(double[,] series, ForecastTask task, double[,]? losses = null)
    {
        var map = _map ?? throw new InvalidOperationException($"{Name} must be fitted before it forecasts.");
        return SeriesTensors.Assemble(series, task, (r, t) => map.Forecast(t - task.LastInputStep, series[r, 0], series[r, task.LastInputStep]));
    }
}
