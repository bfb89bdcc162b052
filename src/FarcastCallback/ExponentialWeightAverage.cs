using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback;

/// <summary>
/// An exponential moving average of a model's weights, <c>ā ← decay · ā + (1 − decay) · w</c> after every real step:
/// the cheap baseline that farcasting has to beat (averaged weights reach a target sooner than the raw ones on many
/// tasks, with no extra forward pass). Evaluate the average by swapping it in with <see cref="SwapIn"/>; training
/// continues on the raw weights. One copy of the tracked parameters, on their devices and in their dtypes.
/// </summary>
/// <example>
/// <code>
/// using var average = new ExponentialWeightAverage(model.parameters(), decay: 0.99);
/// // after each optimizer.step():
/// average.Update();
/// // to evaluate:
/// using (average.SwapIn()) Evaluate(model);
/// </code>
/// </example>
public sealed class ExponentialWeightAverage : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _average;
    private bool _swapped;
    private bool _disposed;

    /// <summary>Starts the average at the current weights of <paramref name="parameters"/> (those that require gradients).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decay"/> is not in [0, 1).</exception>
    /// <exception cref="ArgumentException">No parameter requires gradients.</exception>
    public ExponentialWeightAverage(IEnumerable<Parameter> parameters, double decay)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(decay >= 0 && decay < 1))
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "The decay of a weight average must be in [0, 1).");
        Decay = decay;
        _parameters = parameters.Where(p => p.requires_grad).ToArray();
        if (_parameters.Length == 0)
            throw new ArgumentException("There are no trainable parameters to average.", nameof(parameters));
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        _average = _parameters.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
    }

    /// <summary>The weight of the old average in each update.</summary>
    public double Decay { get; }

    /// <summary>The averaged tensors, one per tracked parameter, in their order (the farcast windows read them; <see cref="FarcastOptions.ObservedAverageDecay"/>).</summary>
    internal IReadOnlyList<Tensor> Averages => _average;

    /// <summary>Updates since the average last started.</summary>
    public long Updates { get; private set; }

    /// <summary>Folds the current weights into the average; call it after every real step.</summary>
    /// <exception cref="InvalidOperationException">The average is swapped in.</exception>
    public void Update()
    {
        ThrowIfUnusable();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        for (var i = 0; i < _parameters.Length; i++) _average[i].lerp_(_parameters[i], 1 - Decay);
        Updates++;
    }

    /// <summary>Starts the average again at the current weights (after the weights jumped, for instance).</summary>
    public void Reset()
    {
        ThrowIfUnusable();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        for (var i = 0; i < _parameters.Length; i++) _average[i].copy_(_parameters[i]);
        Updates = 0;
    }

    /// <summary>Writes the average into the parameters until the returned handle is disposed, which puts the raw weights back bit for bit.</summary>
    /// <exception cref="InvalidOperationException">The average is already swapped in.</exception>
    public IDisposable SwapIn()
    {
        ThrowIfUnusable();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var raw = _parameters.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
        for (var i = 0; i < _parameters.Length; i++) _parameters[i].copy_(_average[i]);
        _swapped = true;
        return new Swap(this, raw);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _average) t.Dispose();
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_swapped) throw new InvalidOperationException("The weight average is swapped in; dispose the handle of SwapIn first.");
    }

    private sealed class Swap(ExponentialWeightAverage owner, Tensor[] raw) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (_done) return;
            _done = true;
            using (no_grad())
            using (NewDisposeScope())
                for (var i = 0; i < raw.Length; i++) owner._parameters[i].copy_(raw[i]);
            foreach (var t in raw) t.Dispose();
            owner._swapped = false;
        }
    }
}
