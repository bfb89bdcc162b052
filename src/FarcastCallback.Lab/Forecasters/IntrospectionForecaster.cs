using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Lab.Forecasters;

/// <summary>
/// Introspection (Sinha et al., 2017): a 4→40→1 ReLU network that reads a weight's values at steps t, 0.7t, 0.4t
/// and 0 and predicts its value at step 2t, trained with L1 on every (series, t) pair of the training series with
/// 2t inside the series (a uniform sample of <see cref="TrainerSettings.MaxPairs"/> of them when there are more).
/// From an input window ending at t = m − 1 it reaches step 2t only (step 40 for m = 21);
/// going further would need weights between the window and 2t that neither the input nor the forecast holds, so
/// every other step is reported as unreachable (NaN).
/// </summary>
public sealed class IntrospectionForecaster : IWeightForecaster
{
    private readonly TrainerSettings _settings;
    private Sequential? _network;

    public IntrospectionForecaster(TrainerSettings? settings = null) => _settings = settings ?? new TrainerSettings();

    public string Name => "introspection";

    public long ParameterCount => _network?.parameters().Sum(p => p.numel()) ?? 0;

    public FitReport Fit(double[,] train, double[,] dev, ForecastTask task, int seed, double[,]? trainLosses = null, double[,]? devLosses = null)
    {
        task.Validate();
        random.manual_seed(seed);
        _network?.Dispose();
        _network = nn.Sequential(
            ("hidden", nn.Linear(4, 40, dtype: SeriesTensors.TrainingType)), ("relu", nn.ReLU()), ("out", nn.Linear(40, 1, dtype: SeriesTensors.TrainingType)));
        using var scope = NewDisposeScope();
        var (trainInputs, trainTargets) = Pairs(train, task.TotalSteps, _settings.MaxPairs, seed);
        var (devInputs, devTargets) = Pairs(dev, task.TotalSteps, _settings.MaxPairs, seed + 1);
        return EarlyStoppingTrainer.TrainL1(_network, trainInputs, trainTargets, devInputs, devTargets, _settings);
    }

    public double[,] Forecast(double[,] series, ForecastTask task, double[,]? losses = null)
    {
        if (_network is null) throw new InvalidOperationException($"{Name} must be fitted before it forecasts.");
        var t = task.LastInputStep;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var predictions = SeriesTensors.ToArray(_network.forward(SeriesTensors.Columns(series, Inputs(t))));
        return SeriesTensors.Assemble(series, task, (r, step) => step == 2 * t ? predictions[r, 0] : double.NaN);
    }

    private static int[] Inputs(int t) => new[] { t, (int)Math.Floor(0.7 * t), (int)Math.Floor(0.4 * t), 0 };

    private static (Tensor Inputs, Tensor Targets) Pairs(double[,] series, int steps, int budget, int seed)
    {
        var rows = series.GetLength(0);
        var times = Enumerable.Range(1, Math.Max(0, (steps - 1) / 2)).Where(t => 2 * t < steps).ToArray();
        var chosen = PairSample.Indices(rows * times.Length, budget, seed);
        var inputs = new double[chosen.Length * 4];
        var targets = new double[chosen.Length];
        for (var k = 0; k < chosen.Length; k++)
        {
            var t = times[chosen[k] / rows];
            var r = chosen[k] % rows;
            var columns = Inputs(t);
            for (var c = 0; c < 4; c++) inputs[4 * k + c] = series[r, columns[c]];
            targets[k] = series[r, 2 * t];
        }
        return (tensor(inputs, new long[] { chosen.Length, 4 }).to(SeriesTensors.TrainingType),
                tensor(targets, new long[] { chosen.Length, 1 }).to(SeriesTensors.TrainingType));
    }
}
