using FarcastCallback.Forecasting;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Observation;

/// <summary>
/// Accumulates the least-squares sufficient statistics (<see cref="Lfd2Statistics"/>) of every parameter: the Gram sums
/// of x = (F, D, 1) once D is known (once per window), and per target step j the moments Σ F·y, Σ D·y, Σ y of the
/// centred target y = w - F. Each record runs over the flat buffers' chunks (<see cref="FlatLayout"/>): y is centred in
/// the weights' dtype (exact for nearby weights; half precision is widened first), the products are formed and summed
/// in float64, and one reduction per chunk (a sum, or a segmented sum over a pool of small tensors) gives every
/// parameter's sums at once — a constant handful of kernels per chunk, however many tensors there are. Summing Σ F·w in
/// float32 and subtracting Σ F² afterwards cancelled to 14 % errors in a jump; centring first leaves no such
/// subtraction (docs/design.md, "The buffers"). The sums live in one [parameters, 6 + 3H] float64 tensor on the
/// parameters' device until the fit reads them all at once, so an observed step makes no device-to-host transfer.
/// </summary>
internal sealed class LeastSquaresWindowFit : IDisposable
{
    private const int InputWidth = 6;    // Σ F², Σ F·D, Σ D·F, Σ D², Σ F, Σ D
    private const int TargetWidth = 3;   // Σ F·y, Σ D·y, Σ y
    private readonly int _horizon;
    private readonly long[] _sizes;
    private readonly Tensor _sums;
    private readonly bool[] _recorded;

    public LeastSquaresWindowFit(IReadOnlyList<Parameter> parameters, int horizon)
    {
        _horizon = horizon;
        _sizes = parameters.Select(p => p.numel()).ToArray();
        _sums = zeros(new long[] { _sizes.Length, InputWidth + TargetWidth * (long)horizon }, ScalarType.Float64, parameters[0].device).DetachFromDisposeScope();
        _recorded = new bool[1 + horizon];
    }

    /// <summary>The window starts: earlier records are cleared.</summary>
    public void Begin() => Array.Clear(_recorded);

    /// <summary>The input window's last weight is current and D is in <paramref name="buffers"/>: the Gram sums, widened to float64.</summary>
    public void RecordLast(WindowBuffers buffers) => Record(buffers, 0, InputWidth,
        r =>
        {
            var x = buffers.RunFirstAndDisplacement(r).to(ScalarType.Float64);
            return cat(new[] { x.mm(x.t()).flatten(), x.sum(1) });
        },
        r =>
        {
            var x = buffers.RunFirstAndDisplacement(r).to(ScalarType.Float64);
            var (f, d) = (x[0], x[1]);
            var fd = f * d;
            return stack(new[] { f * f, fd, fd, d * d, f, d });
        });

    /// <summary>
    /// Target step <paramref name="j"/> (1-based) is current: the moments of y = w - F, centred in the weights' dtype
    /// (exact for nearby weights; half precision is widened to float64 first). A large tensor's moments are then one
    /// matrix-vector product over its own storage in that dtype, as they always were (the fastest pass over the weights:
    /// a multiply and cascade sum measured 1.2–1.6 times slower; widening to float64, 5 times); a small tensor's (fewer
    /// than <see cref="FlatLayout.PoolScalars"/> scalars, alone or in a pool, gathered once) are widened and summed in
    /// float64.
    /// </summary>
    public void RecordTarget(WindowBuffers buffers, int j) => Record(buffers, j, TargetWidth,
        r =>
        {
            var (x, y) = Centred(buffers, r);
            if (buffers.Runs[r].Length >= FlatLayout.PoolScalars) return cat(new[] { x.mv(y), y.sum().unsqueeze(0) });
            (x, y) = (x.to(ScalarType.Float64), y.to(ScalarType.Float64));
            return cat(new[] { (x * y).sum(1), y.sum().unsqueeze(0) });
        },
        r =>
        {
            var (x, y) = Centred(buffers, r);
            (x, y) = (x.to(ScalarType.Float64), y.to(ScalarType.Float64));
            return cat(new[] { x * y, y.unsqueeze(0) });
        });

    /// <summary>Run <paramref name="r"/>'s (F, D) rows and its centred target y = w - F, in the weights' dtype or, for half precision, float64.</summary>
    private static (Tensor X, Tensor Y) Centred(WindowBuffers buffers, int r)
    {
        var x = buffers.RunFirstAndDisplacement(r);
        var w = buffers.RunWeights(r);
        if (buffers.RunDtype(r) is not (ScalarType.Float32 or ScalarType.Float64))
            (x, w) = (x.to(ScalarType.Float64), w.to(ScalarType.Float64));
        return (x, w - x[0]);
    }

    /// <summary>The map of every parameter, from the complete window; small tensors pooled (see <see cref="Lfd2Groups"/>).</summary>
    public Lfd2Map[] Fit(int minTensorSize, double lambda) =>
        Lfd2Groups.Fit(Statistics(), _sizes, minTensorSize, s => LeastSquaresLfd2Fitter.Fit(s, lambda));

    public void Write(BinaryWriter writer)
    {
        foreach (var seen in _recorded) writer.Write(seen);
        foreach (var value in _sums.cpu().data<double>()) writer.Write(value);
    }

    /// <summary>Reads the sums saved by <see cref="Write"/>, changing nothing; the returned action copies them in.</summary>
    public Action Read(BinaryReader reader)
    {
        var recorded = new bool[_recorded.Length];
        for (var k = 0; k < recorded.Length; k++) recorded[k] = reader.ReadBoolean();
        var values = new double[_sums.numel()];
        for (var k = 0; k < values.Length; k++) values[k] = reader.ReadDouble();
        return () =>
        {
            recorded.CopyTo(_recorded, 0);
            using var loaded = tensor(values, _sums.shape, ScalarType.Float64);
            _sums.copy_(loaded);
        };
    }

    public void Dispose() => _sums.Dispose();

    /// <summary>The statistics of every parameter: the one device-to-host transfer of a window.</summary>
    private Lfd2Statistics[] Statistics()
    {
        var statistics = _sizes.Select(_ => new Lfd2Statistics(_horizon)).ToArray();
        var width = (int)_sums.shape[1];
        var all = _sums.cpu().data<double>().ToArray();
        for (var i = 0; i < _sizes.Length; i++)
        {
            var row = all.AsSpan(i * width, width);
            var s = statistics[i];
            if (_recorded[0]) s.SetInput(_sizes[i], row[0], row[1], row[3], row[4], row[5]);
            for (var j = 1; j <= _horizon; j++)
            {
                if (!_recorded[j]) continue;
                var v = row.Slice(InputWidth + TargetWidth * (j - 1), TargetWidth);
                s.SetTarget(j, v[0], v[1], v[2]);
            }
        }
        return statistics;
    }

    /// <summary>
    /// Block <paramref name="k"/> (0: the input sums, j: target step j) of every parameter's row, run by run
    /// (<see cref="FlatLayout"/>): <paramref name="single"/> gives a one-piece run's <paramref name="width"/> sums, and
    /// <paramref name="pooled"/> a pool's [width, length] float64 values, which one product with the pool's one-hot
    /// indicator sums per parameter — a constant handful of kernels per run. Each run has a dispose scope of its own,
    /// so no temporary outlives it.
    /// </summary>
    private void Record(WindowBuffers buffers, int k, int width, Func<int, Tensor> single, Func<int, Tensor> pooled)
    {
        var block = _sums.narrow(1, k == 0 ? 0 : InputWidth + TargetWidth * (k - 1), width);
        block.zero_();
        for (var r = 0; r < buffers.Runs.Count; r++)
        {
            using var scope = NewDisposeScope();
            var run = buffers.Runs[r];
            if (!run.IsPool)
            {
                block[run.FirstParameter].add_(single(r).to(ScalarType.Float64));
                continue;
            }
            var (indicator, rows) = buffers.Pool(r);
            var sums = pooled(r).mm(indicator!).t();
            if (run.IsConsecutive) block.narrow(0, run.FirstParameter, run.Pieces.Length).add_(sums);
            else block.index_add_(0, rows!, sums, 1.0);
        }
        _recorded[k] = true;
    }
}
