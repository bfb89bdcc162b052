using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Lab.Forecasters;

/// <summary>
/// The paper's one-layer linear forecasters, which differ only in the input steps they read: a single
/// <c>Linear(k → H)</c> from k chosen input steps to all H forecast steps (direct multi-step, channel-independent).
/// <list type="bullet">
/// <item>LFN: every input step; LFL: the last; LFS: the Introspection columns t, 0.7t, 0.4t, 0 (t = m − 1).</item>
/// <item>LFD-2: the first and last input step, with the paper's first-order-optimality regularizer
/// λ · mean |ŵ_H − ŵ_(H−1)|; optionally with the training loss at both steps appended (Table 5).</item>
/// </list>
/// All are trained with the paper's L1 loss by <see cref="EarlyStoppingTrainer"/>; early stopping uses the dev MSE.
/// </summary>
public sealed class LinearWindowForecaster : IWeightForecaster
{
    private readonly Func<ForecastTask, int[]> _columns;
    private readonly double _lambda;
    private readonly bool _appendLoss;
    private readonly TrainerSettings _settings;
    private Linear? _layer;

    private LinearWindowForecaster(string name, Func<ForecastTask, int[]> columns, double lambda, bool appendLoss, TrainerSettings? settings)
    {
        Name = name;
        _columns = columns;
        _lambda = lambda;
        _appendLoss = appendLoss;
        _settings = settings ?? new TrainerSettings();
    }

    /// <summary>The regularizer weight the paper-faithful LFD-2 is trained with (the paper does not publish its value).</summary>
    public const double DefaultLambda = 0.01;

    public static LinearWindowForecaster Lfn(TrainerSettings? settings = null) =>
        new("lfn", task => Enumerable.Range(0, task.InputSteps).ToArray(), 0, false, settings);

    public static LinearWindowForecaster Lfl(TrainerSettings? settings = null) =>
        new("lfl", task => new[] { task.LastInputStep }, 0, false, settings);

    public static LinearWindowForecaster Lfs(TrainerSettings? settings = null) =>
        new("lfs", IntrospectionColumns, 0, false, settings);

    public static LinearWindowForecaster Lfd2(double lambda = DefaultLambda, TrainerSettings? settings = null) =>
        new("lfd2", task => new[] { 0, task.LastInputStep }, lambda, false, settings);

    public static LinearWindowForecaster Lfd2WithLoss(double lambda = DefaultLambda, TrainerSettings? settings = null) =>
        new("lfd2+loss", task => new[] { 0, task.LastInputStep }, lambda, true, settings);

    /// <summary>Introspection's input steps t, 0.7t, 0.4t, 0 for t = m − 1 (rounded down, distinct).</summary>
    internal static int[] IntrospectionColumns(ForecastTask task)
    {
        var t = task.LastInputStep;
        return new[] { t, (int)Math.Floor(0.7 * t), (int)Math.Floor(0.4 * t), 0 }.Distinct().ToArray();
    }

    public string Name { get; }

    public long ParameterCount => _layer?.parameters().Sum(p => p.numel()) ?? 0;

    public FitReport Fit(double[,] train, double[,] dev, ForecastTask task, int seed, double[,]? trainLosses = null, double[,]? devLosses = null)
    {
        task.Validate();
        random.manual_seed(seed);
        var columns = _columns(task);
        _layer?.Dispose();
        _layer = nn.Linear(columns.Length + (_appendLoss ? 2 : 0), task.Horizon, dtype: ScalarType.Float64);
        using var scope = NewDisposeScope();
        var trainInputs = Inputs(train, task, trainLosses);
        var trainTargets = SeriesTensors.Range(train, task.InputSteps, task.Horizon);
        var devInputs = Inputs(dev, task, devLosses);
        var devTargets = SeriesTensors.Range(dev, task.InputSteps, task.Horizon);
        var layer = _layer;
        return EarlyStoppingTrainer.Train(
            layer,
            () =>
            {
                var forecast = layer.forward(trainInputs);
                var loss = (forecast - trainTargets).abs().mean();
                if (_lambda > 0)
                    loss = loss + _lambda * (forecast[.., ^1] - forecast[.., ^2]).abs().mean();
                return loss;
            },
            () => (layer.forward(devInputs) - devTargets).pow(2).mean().item<double>(),
            _settings);
    }

    public double[,] Forecast(double[,] series, ForecastTask task, double[,]? losses = null)
    {
        if (_layer is null) throw new InvalidOperationException($"{Name} must be fitted before it forecasts.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var forecast = SeriesTensors.ToArray(_layer.forward(Inputs(series, task, losses)));
        return SeriesTensors.Assemble(series, task, (r, t) => forecast[r, t - task.InputSteps]);
    }

    private Tensor Inputs(double[,] series, ForecastTask task, double[,]? losses)
    {
        var inputs = SeriesTensors.Columns(series, _columns(task));
        if (!_appendLoss) return inputs;
        if (losses is null)
            throw new InvalidOperationException($"{Name} appends the training loss to its input, but these sequences carry no losses.");
        return cat(new[] { inputs, SeriesTensors.Columns(losses, new[] { 0, task.LastInputStep }) }, 1);
    }
}
