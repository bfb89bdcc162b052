using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Lab.Forecasters;

/// <summary>
/// DLinear (Zeng et al., LTSF-Linear) with RevIN: the input window is normalised per series (mean, standard deviation,
/// learnable affine), split by a moving average into trend and remainder, each mapped by its own
/// <c>Linear(m → H)</c>, summed and de-normalised. Choices the paper leaves open: moving-average kernel 5 with
/// replicated edges (the LTSF default of 25 exceeds a 21-step window), trained like the other forecasters
/// (L1 loss, Adam, early stopping on the dev MSE). The paper's own DLinear script is RevIN + residual MLPs + a linear
/// projection; this is the published DLinear, which is what its name promises.
/// </summary>
public sealed class DLinearForecaster : IWeightForecaster
{
    public const int MovingAverageKernel = 5;
    private readonly TrainerSettings _settings;
    private Model? _model;

    public DLinearForecaster(TrainerSettings? settings = null) => _settings = settings ?? new TrainerSettings();

    public string Name => "dlinear";

    public long ParameterCount => _model?.parameters().Sum(p => p.numel()) ?? 0;

    public FitReport Fit(double[,] train, double[,] dev, ForecastTask task, int seed, double[,]? trainLosses = null, double[,]? devLosses = null)
    {
        task.Validate();
        random.manual_seed(seed);
        _model?.Dispose();
        _model = new Model(task.InputSteps, task.Horizon);
        using var scope = NewDisposeScope();
        var trainInputs = SeriesTensors.Range(train, 0, task.InputSteps);
        var trainTargets = SeriesTensors.Range(train, task.InputSteps, task.Horizon);
        var devInputs = SeriesTensors.Range(dev, 0, task.InputSteps);
        var devTargets = SeriesTensors.Range(dev, task.InputSteps, task.Horizon);
        return EarlyStoppingTrainer.TrainL1(_model, trainInputs, trainTargets, devInputs, devTargets, _settings);
    }

    public double[,] Forecast(double[,] series, ForecastTask task, double[,]? losses = null)
    {
        if (_model is null) throw new InvalidOperationException($"{Name} must be fitted before it forecasts.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var forecast = SeriesTensors.ToArray(_model.forward(SeriesTensors.Range(series, 0, task.InputSteps)));
        return SeriesTensors.Assemble(series, task, (r, t) => forecast[r, t - task.InputSteps]);
    }

    private sealed class Model : nn.Module<Tensor, Tensor>
    {
        private const double Epsilon = 1e-5;
        private readonly Parameter _affineWeight = new(ones(1, SeriesTensors.TrainingType));
        private readonly Parameter _affineBias = new(zeros(1, SeriesTensors.TrainingType));
        private readonly Linear _trend;
        private readonly Linear _remainder;

        public Model(int inputSteps, int horizon) : base("DLinear")
        {
            _trend = nn.Linear(inputSteps, horizon, dtype: SeriesTensors.TrainingType);
            _remainder = nn.Linear(inputSteps, horizon, dtype: SeriesTensors.TrainingType);
            RegisterComponents();
        }

        // input: [series, m] → output: [series, H]
        public override Tensor forward(Tensor input)
        {
            var mean = input.mean(new long[] { 1 }, keepdim: true);
            var deviation = (input.var(1, unbiased: false, keepdim: true) + Epsilon).sqrt();
            var normalised = (input - mean) / deviation * _affineWeight + _affineBias;
            var trend = MovingAverage(normalised);
            var output = _trend.forward(trend) + _remainder.forward(normalised - trend);
            return (output - _affineBias) / (_affineWeight + Epsilon * Epsilon) * deviation + mean;
        }

        private static Tensor MovingAverage(Tensor x)
        {
            var pad = (MovingAverageKernel - 1) / 2;
            var front = x[.., ..1].repeat(1, pad);
            var back = x[.., ^1..].repeat(1, pad);
            var padded = cat(new[] { front, x, back }, 1).unsqueeze(1);   // [series, 1, m + 2 pad]
            return nn.functional.avg_pool1d(padded, MovingAverageKernel, 1).squeeze(1);
        }
    }
}
