namespace FarcastCallback.Lab.Forecasters;

/// <summary>
/// A forecaster of weight series in the paper's channel-independent setting: every scalar's trajectory is one
/// univariate series, rows of a <c>[series, steps]</c> matrix.
/// </summary>
public interface IWeightForecaster
{
    /// <summary>The short name used in tables, JSON and <c>--models</c>.</summary>
    string Name { get; }

    /// <summary>Trainable parameters (or fitted coefficients) after <see cref="Fit"/>.</summary>
    long ParameterCount { get; }

    /// <summary>Fits on the training series, early-stopping on the dev series where the model trains iteratively.</summary>
    FitReport Fit(double[,] train, double[,] dev, ForecastTask task, int seed, double[,]? trainLosses = null, double[,]? devLosses = null);

    /// <summary>
    /// Forecasts from the first <see cref="ForecastTask.InputSteps"/> steps of each series: a <c>[series, steps]</c>
    /// matrix whose first m columns repeat the input and whose other columns hold the forecast, or NaN at steps the
    /// model cannot reach.
    /// </summary>
    double[,] Forecast(double[,] series, ForecastTask task, double[,]? losses = null);
}
