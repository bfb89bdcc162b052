using FarcastCallback.Forecasting;
using static TorchSharp.torch;

namespace FarcastCallback.Observation;

/// <summary>
/// Accumulates the least-squares sufficient statistics (<see cref="Lfd2Statistics"/>) of every parameter in float64:
/// the Gram sums of x = (F, D, 1) once D is known, and per target step Σ x·y_j. Each step costs one matrix-vector
/// product with the [2, n] buffer and one sum per tensor, and one device-to-host transfer of 3 numbers per tensor.
/// </summary>
internal sealed class LeastSquaresWindowFit : IWindowFit
{
    private readonly int _horizon;
    private readonly FarcastOptions _options;
    private readonly Lfd2Statistics[] _statistics;
    private readonly long[] _sizes;

    public LeastSquaresWindowFit(IReadOnlyList<long> sizes, FarcastOptions options)
    {
        _horizon = options.Horizon;
        _options = options;
        _sizes = sizes.ToArray();
        _statistics = new Lfd2Statistics[_sizes.Length];
        Clear();
    }

    public void Begin(WindowBuffers buffers, SplitMix64 random) => Clear();

    public void RecordLast(WindowBuffers buffers)
    {
        var sums = new List<Tensor>(_statistics.Length);
        for (var i = 0; i < _statistics.Length; i++)
        {
            var buffer = buffers.FirstAndDisplacement(i);
            var gram = buffer.mm(buffer.t()).flatten();          // Σ F², Σ F·D, Σ D·F, Σ D²
            var sum = buffer.sum(1);                              // Σ F, Σ D
            sums.Add(cat(new[] { gram, sum }).to(ScalarType.Float64));
        }
        var values = ToHost(sums, 6);
        for (var i = 0; i < _statistics.Length; i++)
        {
            var v = values[i];
            _statistics[i].SetInput(buffers.Parameters[i].numel(), v[0], v[1], v[3], v[4], v[5]);
        }
    }

    /// <summary>
    /// Σ F·y_j, Σ D·y_j, Σ y_j with y_j = w - F are taken as Σ F·w - Σ F², Σ D·w - Σ D·F and Σ w - Σ F, whose second
    /// terms the Gram already holds, so a step allocates nothing of the parameters' size. The subtraction cancels
    /// digits only when the weights barely move relative to their size (a relative move of 1e-3 costs about three of
    /// float32's seven digits in the moments, far below the forecast's own noise).
    /// </summary>
    public void RecordTarget(WindowBuffers buffers, int j)
    {
        var sums = new List<Tensor>(_statistics.Length);
        for (var i = 0; i < _statistics.Length; i++)
        {
            var flat = buffers.Flat(i);
            sums.Add(cat(new[] { buffers.FirstAndDisplacement(i).mv(flat), flat.sum().unsqueeze(0) }).to(ScalarType.Float64));
        }
        var values = ToHost(sums, 3);
        for (var i = 0; i < _statistics.Length; i++)
        {
            var s = _statistics[i];
            s.SetTarget(j, values[i][0] - s.SumFF, values[i][1] - s.SumFD, values[i][2] - s.SumF);
        }
    }

    public Lfd2Map[] Fit() =>
        Lfd2Groups.Fit(_statistics, _sizes, _options, Lfd2Statistics.Sum, s => LeastSquaresLfd2Fitter.Fit(s, _options.Lambda));

    public void Write(BinaryWriter writer)
    {
        foreach (var s in _statistics) s.Write(writer);
    }

    public void Read(BinaryReader reader)
    {
        for (var i = 0; i < _statistics.Length; i++) _statistics[i] = Lfd2Statistics.Read(reader, _horizon);
    }

    public void Dispose()
    {
    }

    private void Clear()
    {
        for (var i = 0; i < _statistics.Length; i++) _statistics[i] = new Lfd2Statistics(_horizon);
    }

    /// <summary>One device-to-host transfer per step: the per-parameter sums are stacked first.</summary>
    private static double[][] ToHost(List<Tensor> perParameter, int width)
    {
        var host = stack(perParameter).cpu().data<double>().ToArray();
        var result = new double[perParameter.Count][];
        for (var i = 0; i < perParameter.Count; i++) result[i] = host.AsSpan(i * width, width).ToArray();
        return result;
    }
}
