using FarcastCallback.Forecasting;
using FarcastCallback.Observation;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback;

/// <summary>The wrapper's native resources: the window's buffers and fit, created at the first window and freed on dispose.</summary>
public sealed partial class FarcastOptimizer
{
    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            DisposeWindow();
            _observedAverage?.Dispose();
            _preJumpInnerState.Dispose();
            _mainInnerState.Dispose();
            _liveGroupOptions.Dispose();
        }
        _disposed = true;
        base.Dispose(disposing);
    }

    private (WindowBuffers Buffers, LeastSquaresWindowFit Fit) EnsureWindow()
    {
        _buffers ??= new WindowBuffers(_parameters, observed: _observedAverage?.Averages);
        _fit ??= new LeastSquaresWindowFit(_parameters, _options.Horizon);
        return (_buffers, _fit);
    }

    /// <summary>The maps every window applies under <see cref="FarcastMap.LinearExtrapolation"/>; none until a fit otherwise.</summary>
    private Lfd2Map[] FixedMaps() => _options.Map == FarcastMap.LinearExtrapolation
        ? Enumerable.Repeat(Lfd2Map.LinearExtrapolation(_options.InputSteps, _options.Horizon), _parameters.Length).ToArray()
        : Array.Empty<Lfd2Map>();

    /// <summary>Tracks <paramref name="parameters"/> from now on: a window in progress, a jump under judgement and the fitted maps are dropped.</summary>
    private void Track(Parameter[] parameters)
    {
        if (_pending is not null) RollBackPending(null);   // a jump under judgement is abandoned: rolled back and counted
        DisposeWindow();
        _window = null;
        _reusesLeft = 0;
        _lastKeptRung = 0;
        _nextDelayedRung = 0;
        _recentReading = null;
        _parameters = parameters;
        _observedAverage?.Dispose();
        _observedAverage = ObservedAverage(parameters);
        LastMaps = FixedMaps();
    }

    /// <summary>The average the windows observe (<see cref="FarcastOptions.ObservedAverageDecay"/>), started at the current weights; null for the raw weights.</summary>
    private ExponentialWeightAverage? ObservedAverage(Parameter[] parameters) =>
        _options.ObservedAverageDecay > 0 && parameters.Length > 0 ? new ExponentialWeightAverage(parameters, _options.ObservedAverageDecay) : null;

    private void DisposeWindow()
    {
        _buffers?.Dispose();
        _fit?.Dispose();
        _buffers = null;
        _fit = null;
    }

    /// <summary>
    /// The parameters the optimizer trains now: frozen ones (<c>requires_grad</c> false) are neither observed nor moved,
    /// and cost no buffers. Checked again at every window's start, so a parameter frozen later is dropped there, and at
    /// every jump, so one frozen inside a window is not moved.
    /// </summary>
    private static Parameter[] TrainableParameters(optim.Optimizer optimizer) =>
        optimizer.parameters().Where(p => p.requires_grad).ToArray();

    /// <summary>Parameters are the same when they are the same native tensor.</summary>
    private sealed class ParameterIdentity : IEqualityComparer<Parameter>
    {
        public static readonly ParameterIdentity Instance = new();

        public bool Equals(Parameter? x, Parameter? y) => x?.Handle == y?.Handle;

        public int GetHashCode(Parameter obj) => obj.Handle.GetHashCode();
    }
}
