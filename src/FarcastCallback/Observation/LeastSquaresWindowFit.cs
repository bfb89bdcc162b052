using FarcastCallback.Forecasting;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Observation;

/// <summary>
/// Accumulates the least-squares sufficient statistics (<see cref="Lfd2Statistics"/>) of every parameter: the Gram sums
/// of x = (F, D, 1) once D is known, widened to float64 in chunks of <see cref="ChunkScalars"/> (once per window), and
/// per target step j the moments Σ F·y, Σ D·y, Σ y of the centred target y = w - F. Summing Σ F·w in float32 and
/// subtracting Σ F² afterwards cancelled to 14 % errors in a jump; centring first leaves no such subtraction
/// (docs/design.md, "The buffers"). The sums live in one [parameters, 6 + 3H] float64 tensor on the parameters' device
/// until the fit reads them all at once, so an observed step makes no device-to-host transfer.
/// </summary>
internal sealed class LeastSquaresWindowFit : IDisposable
{
    /// <summary>The most scalars of one tensor widened at once.</summary>
    internal const long ChunkScalars = 1L << 20;

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

    /// <summary>The input window's last weight is current and D is in <paramref name="buffers"/>: the Gram sums.</summary>
    public void RecordLast(WindowBuffers buffers)
    {
        var sums = new List<Tensor>(_sizes.Length);
        for (var i = 0; i < _sizes.Length; i++)
        {
            var firstAndDisplacement = buffers.FirstAndDisplacement(i);
            sums.Add(SumOverChunks(_sizes[i], (start, length) =>
            {
                var x = firstAndDisplacement.narrow(1, start, length).to(ScalarType.Float64);
                return cat(new[] { x.mm(x.t()).flatten(), x.sum(1) });
            }));
        }
        Record(0, InputWidth, stack(sums));
    }

    /// <summary>
    /// Target step <paramref name="j"/> (1-based) is current: the moments of y = w - F, centred first in the weights'
    /// dtype (exact for nearby weights) and then reduced as they are, a chunk of at most <see cref="ChunkScalars"/> at a
    /// time (one chunk, five kernels, for most tensors); half-precision weights are widened to float64 before centring.
    /// </summary>
    public void RecordTarget(WindowBuffers buffers, int j)
    {
        var sums = new List<Tensor>(_sizes.Length);
        for (var i = 0; i < _sizes.Length; i++)
        {
            var firstAndDisplacement = buffers.FirstAndDisplacement(i);
            var weights = buffers.Flat(i);
            var native = weights.dtype is ScalarType.Float32 or ScalarType.Float64;
            sums.Add(SumOverChunks(_sizes[i], (start, length) =>
            {
                var x = firstAndDisplacement.narrow(1, start, length);
                var w = weights.narrow(0, start, length);
                if (!native) (x, w) = (x.to(ScalarType.Float64), w.to(ScalarType.Float64));
                var y = w - x[0];
                return cat(new[] { x.mv(y), y.sum().unsqueeze(0) }).to(ScalarType.Float64);
            }));
        }
        Record(j, TargetWidth, stack(sums));
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

    /// <summary>
    /// The float64 sum over column ranges of <paramref name="reduce"/>, at most <see cref="ChunkScalars"/> scalars at a
    /// time, each range in a dispose scope of its own, so no temporary exceeds one chunk.
    /// </summary>
    private static Tensor SumOverChunks(long size, Func<long, long, Tensor> reduce)
    {
        Tensor? total = null;
        for (long start = 0; start == 0 || start < size; start += ChunkScalars)
        {
            using var scope = NewDisposeScope();
            var part = reduce(start, Math.Min(ChunkScalars, size - start));
            total = total is null ? scope.MoveToOuter(part) : total.add_(part);
        }
        return total!;
    }

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

    /// <summary>Writes block <paramref name="k"/> (0: the input sums, j: target step j) of every parameter's row.</summary>
    private void Record(int k, int width, Tensor values)
    {
        var start = k == 0 ? 0 : InputWidth + TargetWidth * (k - 1);
        _sums.narrow(1, start, width).copy_(values);
        _recorded[k] = true;
    }
}
