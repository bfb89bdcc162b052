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
/// λ · mean |ŵ_H − ŵ_(H−1)|, λ chosen on the dev split from <see cref="LambdaCandidates"/> (the paper publishes no λ);
/// optionally with the training loss at both steps appended (Table 5).</item>
/// </list>
/// All are trained with the paper's L1 loss by <see cref="EarlyStoppingTrainer"/>; early stopping uses the dev MSE.
/// They are trained in an equivalent parametrisation that Adam converges in far faster: every input step other than
/// the last enters as its difference from the last, w(k) − w(m − 1) (nearly equal weights are nearly collinear
/// inputs: measured on Syn-2 SGD, the raw form left trained LFD-2 at 15× the least-squares MSE); the inputs are
/// standardised with the training set's column means and deviations; the output is <c>w(m − 1) + s · Linear(z)</c>,
/// s the deviation of the targets from the last step. All are invertible linear changes of variables, so each model is
/// still one affine map of its chosen steps. <see cref="ParameterCount"/> counts the map's k·H + H coefficients.
/// </summary>
public sealed class LinearWindowForecaster : IWeightForecaster
{
    private readonly Func<ForecastTask, int[]> _columns;
    private readonly double[] _lambdas;
    private readonly bool _appendLoss;
    private readonly TrainerSettings _settings;
    private Linear? _layer;
    private Tensor? _inputMean;
    private Tensor? _inputScale;
    private double _outputScale = 1;

    private LinearWindowForecaster(string name, Func<ForecastTask, int[]> columns, double[] lambdas, bool appendLoss, TrainerSettings? settings)
    {
        Name = name;
        _columns = columns;
        _lambdas = lambdas;
        _appendLoss = appendLoss;
        _settings = settings ?? new TrainerSettings();
    }

    /// <summary>
    /// The regularizer weights LFD-2 tries; the one with the lowest dev MSE is kept. With the mean-over-scalars
    /// normalisation a λ above 1/H outweighs the last step's own data term (measured: λ = 0.01, H = 180 pinned
    /// ŵ_200 and raised its Syn-1 GD MSE from 5e-7 to 7e-2), hence small values.
    /// </summary>
    public static readonly IReadOnlyList<double> LambdaCandidates = new[] { 0.0, 1e-3, 1e-2 };

    /// <summary>The λ kept by the last fit.</summary>
    public double ChosenLambda { get; private set; }

    public static LinearWindowForecaster Lfn(TrainerSettings? settings = null) =>
        new("lfn", task => Enumerable.Range(0, task.InputSteps).ToArray(), NoRegularizer, false, settings);

    public static LinearWindowForecaster Lfl(TrainerSettings? settings = null) =>
        new("lfl", task => new[] { task.LastInputStep }, NoRegularizer, false, settings);

    public static LinearWindowForecaster Lfs(TrainerSettings? settings = null) =>
        new("lfs", IntrospectionColumns, NoRegularizer, false, settings);

    public static LinearWindowForecaster Lfd2(IReadOnlyList<double>? lambdas = null, TrainerSettings? settings = null) =>
        new("lfd2", task => new[] { 0, task.LastInputStep }, (lambdas ?? LambdaCandidates).ToArray(), false, settings);

    public static LinearWindowForecaster Lfd2WithLoss(IReadOnlyList<double>? lambdas = null, TrainerSettings? settings = null) =>
        new("lfd2+loss", task => new[] { 0, task.LastInputStep }, (lambdas ?? LambdaCandidates).ToArray(), true, settings);

    private static readonly double[] NoRegularizer = { 0.0 };

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
        using var scope = NewDisposeScope();
        var trainInputs = Inputs(train, task, trainLosses);
        var trainTargets = SeriesTensors.Range(train, task.InputSteps, task.Horizon);
        var devInputs = Inputs(dev, task, devLosses);
        var devTargets = SeriesTensors.Range(dev, task.InputSteps, task.Horizon);

        _inputMean?.Dispose();
        _inputScale?.Dispose();
        _inputMean = trainInputs.mean(new long[] { 0 }, keepdim: true).DetachFromDisposeScope();
        _inputScale = trainInputs.std(0, keepdim: true).clamp_min(1e-12).DetachFromDisposeScope();
        var trainLast = LastInput(train, task);
        var devLast = LastInput(dev, task);
        _outputScale = Math.Max((trainTargets - trainLast).std().item<float>(), 1e-12);

        FitReport? total = null;
        foreach (var lambda in _lambdas)
        {
            random.manual_seed(seed);
            var layer = nn.Linear(trainInputs.shape[1], task.Horizon, dtype: SeriesTensors.TrainingType);
            using (no_grad())
            {
                layer.weight!.zero_();
                layer.bias!.zero_();   // start from "the weight stays where it is" (LFL's forecast)
            }
            var report = EarlyStoppingTrainer.Train(
                layer,
                () =>
                {
                    var forecast = Apply(layer, trainInputs, trainLast);
                    var loss = (forecast - trainTargets).abs().mean();
                    if (lambda > 0)
                        loss = loss + lambda * (forecast[.., ^1] - forecast[.., ^2]).abs().mean();
                    return loss;
                },
                () => (Apply(layer, devInputs, devLast) - devTargets).pow(2).mean().item<float>(),
                _settings);
            if (total is null || report.DevError < total.DevError)
            {
                _layer?.Dispose();
                _layer = layer;
                ChosenLambda = lambda;
            }
            else
            {
                layer.Dispose();
            }
            total = total is null
                ? report
                : new FitReport(total.Epochs + report.Epochs, total.Seconds + report.Seconds, Math.Min(total.DevError, report.DevError));
        }
        return total!;
    }

    public double[,] Forecast(double[,] series, ForecastTask task, double[,]? losses = null)
    {
        if (_layer is null) throw new InvalidOperationException($"{Name} must be fitted before it forecasts.");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var forecast = SeriesTensors.ToArray(Apply(_layer, Inputs(series, task, losses), LastInput(series, task)));
        return SeriesTensors.Assemble(series, task, (r, t) => forecast[r, t - task.InputSteps]);
    }

    private Tensor Apply(Linear layer, Tensor inputs, Tensor last) =>
        last + _outputScale * layer.forward((inputs - _inputMean!) / _inputScale!);

    private static Tensor LastInput(double[,] series, ForecastTask task) => SeriesTensors.Columns(series, new[] { task.LastInputStep });

    private Tensor Inputs(double[,] series, ForecastTask task, double[,]? losses)
    {
        var columns = _columns(task);
        var inputs = SeriesTensors.Columns(series, columns);
        var last = Array.IndexOf(columns, task.LastInputStep);
        if (last >= 0 && columns.Length > 1)
        {
            var others = Enumerable.Range(0, columns.Length).Where(c => c != last).Select(c => (long)c).ToArray();
            var anchor = inputs[.., last..(last + 1)];
            inputs = cat(new[] { inputs.index_select(1, tensor(others)) - anchor, anchor }, 1);
        }
        if (!_appendLoss) return inputs;
        if (losses is null)
            throw new InvalidOperationException($"{Name} appends the training loss to its input, but these sequences carry no losses.");
        return cat(new[] { inputs, SeriesTensors.Columns(losses, new[] { 0, task.LastInputStep }) }, 1);
    }
}
