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
        if (disposing) DisposeWindow();
        base.Dispose(disposing);
    }

    private (WindowBuffers Buffers, IWindowFit Fit) EnsureWindow()
    {
        _buffers ??= new WindowBuffers(_parameters);
        _fit ??= _options.Fit == FarcastFit.L1
            ? new L1WindowFit(_parameters, _options)
            : new LeastSquaresWindowFit(_parameters, _options);
        return (_buffers, _fit);
    }

    /// <summary>The maps every window applies under <see cref="FarcastMap.LinearExtrapolation"/>; none until a fit otherwise.</summary>
    private Lfd2Map[] FixedMaps() => _options.Map == FarcastMap.LinearExtrapolation
        ? Enumerable.Repeat(Lfd2Map.LinearExtrapolation(_options.InputSteps, _options.Horizon), _parameters.Length).ToArray()
        : Array.Empty<Lfd2Map>();

    private void DisposeWindow()
    {
        _buffers?.Dispose();
        _fit?.Dispose();
        _buffers = null;
        _fit = null;
    }

    /// <summary>
    /// The parameters the optimizer trains: frozen ones (<c>requires_grad</c> false when the wrapper is built or a group
    /// is added) are neither observed nor moved, and cost no buffers.
    /// </summary>
    private static Parameter[] CaptureParameters(optim.Optimizer optimizer)
    {
        var parameters = optimizer.parameters().Where(p => p.requires_grad).ToArray();
        if (parameters.Length == 0)
            throw new ArgumentException("The inner optimizer has no trainable parameters to farcast.", nameof(optimizer));
        return parameters;
    }
}
