using FarcastCallback.Forecasting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Observation;

/// <summary>
/// Records what the LFD-2 fit needs from one window of a live run, without storing the window:
/// per parameter, the first weight F and displacement D = w(last) - w(first) (one [2, n] buffer), the start of
/// the most recent input window (one copy), the Gram and target sums of <see cref="Lfd2Statistics"/> in float64
/// and, for the L1 fit, the trajectories of a uniform sample of scalars: three copies of the parameters. Each
/// observed target step costs one matrix-vector product and one sum per tensor; no per-step copy of the weights.
/// </summary>
internal sealed class WindowRecorder : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly int _horizon;
    private readonly FarcastFit _fit;
    private readonly FarcastGranularity _granularity;
    private readonly int _sampleSize;
    private readonly Tensor[] _firstAndDisplacement;
    private readonly Tensor[] _recentStart;
    private Tensor?[] _sampleIndices;
    private bool _disposed;

    public WindowRecorder(IReadOnlyList<Parameter> parameters, FarcastOptions options)
    {
        _parameters = parameters.ToArray();
        _horizon = options.Horizon;
        _fit = options.Fit;
        _granularity = options.Granularity;
        _sampleSize = options.SampleSize;
        Statistics = new Lfd2Statistics[_parameters.Length];
        Samples = new Lfd2Sample[_parameters.Length];
        _sampleIndices = new Tensor?[_parameters.Length];
        _firstAndDisplacement = new Tensor[_parameters.Length];
        _recentStart = new Tensor[_parameters.Length];

        using var noGrad = no_grad();
        for (var i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            _firstAndDisplacement[i] = zeros(new[] { 2, p.numel() }, p.dtype, p.device).DetachFromDisposeScope();
            _recentStart[i] = zeros_like(p).DetachFromDisposeScope();
        }
        ResetStatistics();
    }

    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Per parameter: the least-squares statistics of the current window.</summary>
    public Lfd2Statistics[] Statistics { get; private set; }

    /// <summary>Per parameter: the sampled trajectories of the current window (L1 fit only).</summary>
    public Lfd2Sample[] Samples { get; private set; }

    /// <summary>Bytes held by the recorder's tensors: three copies of the parameters.</summary>
    public long BufferBytes => _firstAndDisplacement.Concat(_recentStart).Sum(t => t.numel() * t.ElementSize);

    /// <summary>Per parameter, the first weight F of the window (row 0 of the [2, n] buffer) in the parameter's shape.</summary>
    public Tensor FirstView(int i) => _firstAndDisplacement[i][0].view(_parameters[i].shape);

    /// <summary>Per parameter, the displacement D (row 1 of the [2, n] buffer) in the parameter's shape.</summary>
    public Tensor DisplacementView(int i) => _firstAndDisplacement[i][1].view(_parameters[i].shape);

    /// <summary>Per parameter, the first weight of the most recent input window.</summary>
    public Tensor RecentStart(int i) => _recentStart[i];

    /// <summary>Starts a window at the current weights: F ← w, statistics cleared, a new sample drawn (L1).</summary>
    public void BeginWindow(SplitMix64 random)
    {
        ResetStatistics();
        for (var i = 0; i < _parameters.Length; i++)
            _firstAndDisplacement[i][0].copy_(Flat(i));
        if (_fit == FarcastFit.L1)
        {
            DrawSample(random);
            var first = GatherSample();
            for (var i = 0; i < _parameters.Length; i++) Samples[i].SetFirst(first[i]);
        }
    }

    /// <summary>The input window's last weight is current: D ← w - F, and the Gram sums of x = (F, D, 1).</summary>
    public void RecordLast()
    {
        var sums = new List<Tensor>(_parameters.Length);
        for (var i = 0; i < _parameters.Length; i++)
        {
            var buffer = _firstAndDisplacement[i];
            buffer[1].copy_(Flat(i)).sub_(buffer[0]);
            var gram = buffer.mm(buffer.t()).flatten();          // Σ F², Σ F·D, Σ D·F, Σ D²
            var sum = buffer.sum(1);                              // Σ F, Σ D
            sums.Add(cat(new[] { gram, sum }).to(ScalarType.Float64));
        }
        var values = ToHost(sums, 6);
        for (var i = 0; i < _parameters.Length; i++)
        {
            var v = values[i];
            Statistics[i].SetInput(_parameters[i].numel(), v[0], v[1], v[3], v[4], v[5]);
        }
        if (_fit == FarcastFit.L1)
        {
            var last = GatherSample();
            for (var i = 0; i < _parameters.Length; i++) Samples[i].SetLast(last[i]);
        }
    }

    /// <summary>The most recent input window starts now: keep its first weight for the jump.</summary>
    public void RecordRecentStart()
    {
        for (var i = 0; i < _parameters.Length; i++) _recentStart[i].copy_(_parameters[i]);
    }

    /// <summary>
    /// Target step j (1-based) is current: Σ F·y_j, Σ D·y_j, Σ y_j with y_j = w - F. They are taken as
    /// Σ F·w - Σ F², Σ D·w - Σ D·F and Σ w - Σ F, whose second terms the Gram already holds, so a step costs one
    /// matrix-vector product with the [2, n] buffer and one sum, and allocates nothing of the parameters' size.
    /// The subtraction cancels digits only when the weights barely move relative to their size (a relative move of
    /// 1e-3 costs about three of float32's seven digits in the moments, far below the forecast's own noise).
    /// </summary>
    public void RecordTarget(int j)
    {
        if (_fit == FarcastFit.L1)
        {
            var weights = GatherSample();
            for (var i = 0; i < _parameters.Length; i++) Samples[i].SetTarget(j, weights[i]);
            return;
        }

        var sums = new List<Tensor>(_parameters.Length);
        for (var i = 0; i < _parameters.Length; i++)
        {
            var flat = Flat(i);
            sums.Add(cat(new[] { _firstAndDisplacement[i].mv(flat), flat.sum().unsqueeze(0) }).to(ScalarType.Float64));
        }
        var values = ToHost(sums, 3);
        for (var i = 0; i < _parameters.Length; i++)
        {
            var s = Statistics[i];
            s.SetTarget(j, values[i][0] - s.SumFF, values[i][1] - s.SumFD, values[i][2] - s.SumF);
        }
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(_parameters.Length);
        for (var i = 0; i < _parameters.Length; i++)
        {
            Statistics[i].Write(writer);
            Samples[i].Write(writer);
            writer.Write(_sampleIndices[i] is not null);
            if (_sampleIndices[i] is { } indices)
            {
                var host = indices.cpu().data<long>().ToArray();
                writer.Write(host.Length);
                foreach (var index in host) writer.Write(index);
            }
            _firstAndDisplacement[i].cpu().Save(writer);
            _recentStart[i].cpu().Save(writer);
        }
    }

    public void Read(BinaryReader reader)
    {
        var count = reader.ReadInt32();
        if (count != _parameters.Length)
            throw new InvalidDataException($"Saved farcast state covers {count} parameters, the optimizer has {_parameters.Length}.");
        for (var i = 0; i < _parameters.Length; i++)
        {
            Statistics[i] = Lfd2Statistics.Read(reader, _horizon);
            Samples[i] = Lfd2Sample.Read(reader, _horizon);
            _sampleIndices[i]?.Dispose();
            _sampleIndices[i] = null;
            if (reader.ReadBoolean())
            {
                var host = new long[reader.ReadInt32()];
                for (var k = 0; k < host.Length; k++) host[k] = reader.ReadInt64();
                _sampleIndices[i] = tensor(host, ScalarType.Int64, _parameters[i].device).DetachFromDisposeScope();
            }
            LoadInto(_firstAndDisplacement[i], reader);
            LoadInto(_recentStart[i], reader);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _firstAndDisplacement.Concat(_recentStart)) t.Dispose();
        foreach (var t in _sampleIndices) t?.Dispose();
    }

    private void ResetStatistics()
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            Statistics[i] = new Lfd2Statistics(_horizon);
            Samples[i] = new Lfd2Sample(_horizon);
        }
    }

    private Tensor Flat(int i) => _parameters[i].detach().view(-1);

    private void DrawSample(SplitMix64 random)
    {
        foreach (var t in _sampleIndices) t?.Dispose();
        var sizes = _parameters.Select(p => p.numel()).ToArray();
        var perParameter = new long[_parameters.Length][];
        if (_granularity == FarcastGranularity.PerTensor)
        {
            for (var i = 0; i < sizes.Length; i++) perParameter[i] = random.SampleWithoutReplacement(sizes[i], _sampleSize);
        }
        else
        {
            var global = random.SampleWithoutReplacement(sizes.Sum(), _sampleSize);
            long start = 0;
            var cursor = 0;
            for (var i = 0; i < sizes.Length; i++)
            {
                var picked = new List<long>();
                while (cursor < global.Length && global[cursor] < start + sizes[i]) picked.Add(global[cursor++] - start);
                perParameter[i] = picked.ToArray();
                start += sizes[i];
            }
        }
        _sampleIndices = perParameter
            .Select((indices, i) => (Tensor?)tensor(indices, ScalarType.Int64, _parameters[i].device).DetachFromDisposeScope())
            .ToArray();
    }

    private double[][] GatherSample()
    {
        var parts = new List<Tensor>(_parameters.Length);
        for (var i = 0; i < _parameters.Length; i++)
            parts.Add(Flat(i).index_select(0, _sampleIndices[i]!).to(ScalarType.Float64).cpu());
        var all = cat(parts).data<double>().ToArray();
        var result = new double[_parameters.Length][];
        var offset = 0;
        for (var i = 0; i < _parameters.Length; i++)
        {
            var length = (int)parts[i].numel();
            result[i] = all.AsSpan(offset, length).ToArray();
            offset += length;
        }
        return result;
    }

    /// <summary>One device-to-host transfer per step: the per-parameter sums are stacked first.</summary>
    private static double[][] ToHost(List<Tensor> perParameter, int width)
    {
        var host = stack(perParameter).cpu().data<double>().ToArray();
        var result = new double[perParameter.Count][];
        for (var i = 0; i < perParameter.Count; i++) result[i] = host.AsSpan(i * width, width).ToArray();
        return result;
    }

    private static void LoadInto(Tensor target, BinaryReader reader)
    {
        using var loaded = torch.Tensor.Load(reader);
        if (!loaded.shape.SequenceEqual(target.shape))
            throw new InvalidDataException($"Saved farcast buffer has shape [{string.Join(", ", loaded.shape)}], expected [{string.Join(", ", target.shape)}].");
        target.copy_(loaded);
    }
}
