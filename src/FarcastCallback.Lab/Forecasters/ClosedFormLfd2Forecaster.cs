using System.Diagnostics;
using FarcastCallback.Forecasting;

namespace FarcastCallback.Lab.Forecasters;

/// <summary>
/// LFD-2 fitted in closed form by least squares — the library's own fit (<see cref="LeastSquaresLfd2Fitter"/>), the
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
        var statistics = new Lfd2Statistics(task.Horizon);
        var rows = train.GetLength(0);
        double sumFF = 0, sumFD = 0, sumDD = 0, sumF = 0, sumD = 0;
        var cross = new double[task.Horizon, 3];
        for (var r = 0; r < rows; r++)
        {
            var first = train[r, 0];
            var displacement = train[r, task.LastInputStep] - first;
            sumFF += first * first;
            sumFD += first * displacement;
            sumDD += displacement * displacement;
            sumF += first;
            sumD += displacement;
            for (var j = 1; j <= task.Horizon; j++)
            {
                var target = train[r, task.LastInputStep + j] - first;
                cross[j - 1, 0] += first * target;
                cross[j - 1, 1] += displacement * target;
                cross[j - 1, 2] += target;
            }
        }
        statistics.SetInput(rows, sumFF, sumFD, sumDD, sumF, sumD);
        for (var j = 1; j <= task.Horizon; j++) statistics.SetTarget(j, cross[j - 1, 0], cross[j - 1, 1], cross[j - 1, 2]);
        _map = LeastSquaresLfd2Fitter.Fit(statistics, _lambda);
        return new FitReport(1, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The fitted coefficients (a_j, b_j, c_j) of forecast step j (1-based).</summary>
    public (double A, double B, double C) Coefficients(int j) =>
        (_map ?? throw new InvalidOperationException($"{Name} must be fitted first."))[j];

    public double[,] Forecast(double[,] series, ForecastTask task, double[,]? losses = null)
    {
        var map = _map ?? throw new InvalidOperationException($"{Name} must be fitted before it forecasts.");
        return SeriesTensors.Assemble(series, task, (r, t) =>
        {
            var (a, b, c) = map[t - task.LastInputStep];
            return a * series[r, 0] + b * series[r, task.LastInputStep] + c;
        });
    }
}
