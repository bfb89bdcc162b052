using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Lab.Forecasters;

/// <summary>
/// WNN (Jang et al., 2023), as used for weight nowcasting: the last 5 weights (every <see cref="Stride"/> steps) and
/// their 4 differences feed two streams of a small MLP, which predicts the change of the weight
/// <see cref="Stride"/> steps ahead (a residual to the last weight). It is iterated on its own predictions to reach
/// far checkpoints; steps between predictions are linearly interpolated (only multiples of the stride are evaluated).
/// Choices the paper leaves open: stride 5 (shorter when the input window cannot hold 5 weights 5 steps apart — the
/// CNN's 11 input steps give stride 2), streams of width 32, inputs and target standardised with training
/// statistics, trained with L1 like the other forecasters on a uniform sample of at most
/// <see cref="TrainerSettings.MaxPairs"/> (series, t) pairs.
/// </summary>
public sealed class WnnForecaster : IWeightForecaster
{
    public const int DefaultStride = 5;
    public const int Window = 5;
    private readonly TrainerSettings _settings;
    private Model? _model;
    private double _weightMean, _weightScale = 1, _differenceScale = 1, _targetScale = 1;

    public WnnForecaster(TrainerSettings? settings = null) => _settings = settings ?? new TrainerSettings();

    public string Name => "wnn";

    /// <summary>Steps between the weights WNN reads and the step it predicts: 5, or less for short input windows (set by <see cref="Fit"/>).</summary>
    public int Stride { get; private set; } = DefaultStride;

    public long ParameterCount => _model?.parameters().Sum(p => p.numel()) ?? 0;

    public FitReport Fit(double[,] train, double[,] dev, ForecastTask task, int seed, double[,]? trainLosses = null, double[,]? devLosses = null)
    {
        task.Validate();
        Stride = Math.Min(DefaultStride, task.LastInputStep / (Window - 1));
        if (Stride < 1)
            throw new ArgumentException($"WNN reads {Window} consecutive weights at least, so it needs at least {Window} input steps; got {task.InputSteps}.");
        random.manual_seed(seed);
        var (trainWeights, trainTargets) = RawPairs(train, task.TotalSteps, _settings.MaxPairs, seed);
        var all = trainWeights.Cast<double>().ToArray();
        _weightMean = all.Average();
        _weightScale = StandardDeviation(all, _weightMean);
        _differenceScale = StandardDeviation(Differences(trainWeights), 0);
        _targetScale = StandardDeviation(trainTargets, 0);

        _model?.Dispose();
        _model = new Model();
        using var scope = NewDisposeScope();
        var (trainInput, trainTarget) = Standardise(trainWeights, trainTargets);
        var (devWeights, devTargets) = RawPairs(dev, task.TotalSteps, _settings.MaxPairs, seed + 1);
        var (devInput, devTarget) = Standardise(devWeights, devTargets);
        return EarlyStoppingTrainer.TrainL1(_model, trainInput, trainTarget, devInput, devTarget, _settings);
    }

    public double[,] Forecast(double[,] series, ForecastTask task, double[,]? losses = null)
    {
        if (_model is null) throw new InvalidOperationException($"{Name} must be fitted before it forecasts.");
        var rows = series.GetLength(0);
        var known = new double[rows, task.TotalSteps];
        for (var r = 0; r < rows; r++)
            for (var t = 0; t < task.TotalSteps; t++)
                known[r, t] = t < task.InputSteps ? series[r, t] : double.NaN;

        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            for (var t = task.LastInputStep; t + Stride < task.TotalSteps; t += Stride)
            {
                var window = new double[rows, Window];
                for (var r = 0; r < rows; r++)
                    for (var k = 0; k < Window; k++)
                        window[r, k] = known[r, t - (Window - 1 - k) * Stride];
                var (input, _) = Standardise(window, new double[rows]);
                var change = SeriesTensors.ToArray(_model.forward(input));
                for (var r = 0; r < rows; r++)
                {
                    var next = known[r, t] + change[r, 0] * _targetScale;
                    for (var k = 1; k <= Stride; k++)
                        known[r, t + k] = known[r, t] + (next - known[r, t]) * k / Stride;
                }
            }
        }
        return SeriesTensors.Assemble(series, task, (r, t) => known[r, t]);
    }

    /// <summary>Windows of 5 weights <see cref="Stride"/> apart ending at t, and the change to t + stride (a sample).</summary>
    private (double[,] Windows, double[] Changes) RawPairs(double[,] series, int steps, int budget, int seed)
    {
        var rows = series.GetLength(0);
        var first = (Window - 1) * Stride;
        var times = Math.Max(0, steps - Stride - first);
        var chosen = PairSample.Indices(rows * times, budget, seed);
        var windows = new double[chosen.Length, Window];
        var changes = new double[chosen.Length];
        for (var i = 0; i < chosen.Length; i++)
        {
            var t = first + chosen[i] / rows;
            var r = chosen[i] % rows;
            for (var k = 0; k < Window; k++) windows[i, k] = series[r, t - (Window - 1 - k) * Stride];
            changes[i] = series[r, t + Stride] - series[r, t];
        }
        return (windows, changes);
    }

    private (Tensor Input, Tensor Target) Standardise(double[,] windows, double[] changes)
    {
        var count = windows.GetLength(0);
        var input = new double[count * (2 * Window - 1)];
        for (var i = 0; i < count; i++)
        {
            var row = i * (2 * Window - 1);
            for (var k = 0; k < Window; k++) input[row + k] = (windows[i, k] - _weightMean) / _weightScale;
            for (var k = 0; k < Window - 1; k++) input[row + Window + k] = (windows[i, k + 1] - windows[i, k]) / _differenceScale;
        }
        return (tensor(input, new long[] { count, 2 * Window - 1 }).to(SeriesTensors.TrainingType),
                tensor(changes.Select(c => c / _targetScale).ToArray(), new long[] { count, 1 }).to(SeriesTensors.TrainingType));
    }

    private static double[] Differences(double[,] windows)
    {
        var result = new List<double>();
        for (var i = 0; i < windows.GetLength(0); i++)
            for (var k = 0; k < Window - 1; k++)
                result.Add(windows[i, k + 1] - windows[i, k]);
        return result.ToArray();
    }

    private static double StandardDeviation(IReadOnlyCollection<double> values, double centre)
    {
        var deviation = Math.Sqrt(values.Sum(v => (v - centre) * (v - centre)) / Math.Max(1, values.Count));
        return deviation > 1e-12 ? deviation : 1.0;
    }

    /// <summary>Two streams — weights and their differences — joined by a small MLP.</summary>
    private sealed class Model : nn.Module<Tensor, Tensor>
    {
        private const int Width = 32;
        private readonly Sequential _weights = nn.Sequential(nn.Linear(Window, Width, dtype: SeriesTensors.TrainingType), nn.ReLU());
        private readonly Sequential _differences = nn.Sequential(nn.Linear(Window - 1, Width, dtype: SeriesTensors.TrainingType), nn.ReLU());
        private readonly Sequential _head = nn.Sequential(
            nn.Linear(2 * Width, Width, dtype: SeriesTensors.TrainingType), nn.ReLU(), nn.Linear(Width, 1, dtype: SeriesTensors.TrainingType));

        public Model() : base("WNN") => RegisterComponents();

        // input: [pairs, 5 weights + 4 differences] → output: [pairs, 1] standardised change
        public override Tensor forward(Tensor input) =>
            _head.forward(cat(new[] { _weights.forward(input[.., ..Window]), _differences.forward(input[.., Window..]) }, 1));
    }
}
