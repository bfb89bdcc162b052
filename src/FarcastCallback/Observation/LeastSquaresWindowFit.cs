using FarcastCallback.Forecasting;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Observation;

/// <summary>
/// Accumulates the least-squares sufficient statistics (<see cref="Lfd2Statistics"/>) of every parameter: the Gram sums
/// of x = (F, D, 1) once D is known, and per target step the moments Σ F·w, Σ D·w, Σ w. Each step costs one
/// matrix-vector product with the [2, n] buffer and one sum per tensor. The sums stay on the parameters' device in
/// float64 until the fit reads them all at once, so an observed step makes no device-to-host transfer (a CUDA run does
/// not synchronise every step). Half-precision weights are widened to float64 before they are reduced, so near-equal
/// sums are not subtracted in 8 or 11 bits. All sums live in one [parameters, 6 + 3H] tensor allocated once.
/// </summary>
internal sealed class LeastSquaresWindowFit : IWindowFit
{
    private const int InputWidth = 6;    // Σ F², Σ F·D, Σ D·F, Σ D², Σ F, Σ D
    private const int TargetWidth = 3;   // Σ F·w, Σ D·w, Σ w
    private readonly FarcastOptions _options;
    private readonly long[] _sizes;
    private readonly Device _device;
    private readonly Tensor _sums;
    private readonly bool[] _recorded;

    public LeastSquaresWindowFit(IReadOnlyList<Parameter> parameters, FarcastOptions options)
    {
        _options = options;
        _sizes = parameters.Select(p => p.numel()).ToArray();
        _device = parameters[0].device;
        _sums = zeros(new long[] { _sizes.Length, InputWidth + TargetWidth * (long)options.Horizon }, ScalarType.Float64, _device).DetachFromDisposeScope();
        _recorded = new bool[1 + options.Horizon];
    }

    public void Begin(WindowBuffers buffers, SplitMix64 random) => Clear();

    public void RecordLast(WindowBuffers buffers)
    {
        var sums = new List<Tensor>(_sizes.Length);
        for (var i = 0; i < _sizes.Length; i++)
        {
            var buffer = Widened(buffers.FirstAndDisplacement(i));
            var gram = buffer.mm(buffer.t()).flatten();
            sums.Add(cat(new[] { gram, buffer.sum(1) }).to(ScalarType.Float64).to(_device));
        }
        Record(0, InputWidth, stack(sums));
    }

    /// <summary>
    /// The raw moments of target step j; the fit turns them into Σ x·y_j with y_j = w - F by subtracting Gram terms it
    /// already has, so a step allocates nothing of the parameters' size. The subtraction cancels digits only when the
    /// weights barely move relative to their size (a relative move of 1e-3 costs about three of float32's seven digits
    /// in the moments, far below the forecast's own noise).
    /// </summary>
    public void RecordTarget(WindowBuffers buffers, int j)
    {
        var sums = new List<Tensor>(_sizes.Length);
        for (var i = 0; i < _sizes.Length; i++)
        {
            var flat = Widened(buffers.Flat(i));
            sums.Add(cat(new[] { Widened(buffers.FirstAndDisplacement(i)).mv(flat), flat.sum().unsqueeze(0) }).to(ScalarType.Float64).to(_device));
        }
        Record(j, TargetWidth, stack(sums));
    }

    public Lfd2Map[] Fit()
    {
        var statistics = Statistics();
        return Lfd2Groups.Fit(statistics, _sizes, _options, Lfd2Statistics.Sum, s => LeastSquaresLfd2Fitter.Fit(s, _options.Lambda));
    }

    public void Write(BinaryWriter writer)
    {
        foreach (var seen in _recorded) writer.Write(seen);
        foreach (var value in _sums.cpu().data<double>()) writer.Write(value);
    }

    public void Read(BinaryReader reader)
    {
        for (var k = 0; k < _recorded.Length; k++) _recorded[k] = reader.ReadBoolean();
        var values = new double[_sums.numel()];
        for (var k = 0; k < values.Length; k++) values[k] = reader.ReadDouble();
        using var loaded = tensor(values, _sums.shape, ScalarType.Float64);
        _sums.copy_(loaded);
    }

    public void Dispose() => _sums.Dispose();

    /// <summary>The statistics of every parameter: the one device-to-host transfer of a window.</summary>
    private Lfd2Statistics[] Statistics()
    {
        var statistics = _sizes.Select(_ => new Lfd2Statistics(_options.Horizon)).ToArray();
        var width = (int)_sums.shape[1];
        var all = _sums.cpu().data<double>().ToArray();
        for (var i = 0; i < _sizes.Length; i++)
        {
            var row = all.AsSpan(i * width, width);
            var s = statistics[i];
            if (_recorded[0]) s.SetInput(_sizes[i], row[0], row[1], row[3], row[4], row[5]);
            for (var j = 1; j <= _options.Horizon; j++)
            {
                if (!_recorded[j]) continue;
                var v = row.Slice(InputWidth + TargetWidth * (j - 1), TargetWidth);
                s.SetTarget(j, v[0] - s.SumFF, v[1] - s.SumFD, v[2] - s.SumF);
            }
        }
        return statistics;
    }

    /// <summary>Writes block <paramref name="k"/> (0: the input sums, j: target step j) of every parameter's row.</summary>
    private void Record(int k, int width, Tensor values)
    {
        var start = k == 0 ? 0 : InputWidth + TargetWidth * (k - 1);
        _sums.narrow(1, start, width).copy_(values);
        _recorded[k] = true;
    }

    private static Tensor Widened(Tensor t) => t.dtype is ScalarType.Float16 or ScalarType.BFloat16 ? t.to(ScalarType.Float64) : t;

    private void Clear() => Array.Clear(_recorded);
}
