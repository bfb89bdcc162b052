using FarcastCallback.Forecasting;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Observation;

/// <summary>
/// Records the trajectories of a uniform sample of scalars (<see cref="FarcastOptions.SampleSize"/> per group) for the
/// paper's L1 loss, which needs the targets themselves rather than sums. The sample is drawn when the window begins:
/// per tensor, or over the whole model under <see cref="FarcastGranularity.Global"/>.
/// </summary>
internal sealed class L1WindowFit : IWindowFit
{
    private readonly Parameter[] _parameters;
    private readonly FarcastOptions _options;
    private readonly Lfd2Sample[] _samples;
    private Tensor?[] _indices;

    public L1WindowFit(IReadOnlyList<Parameter> parameters, FarcastOptions options)
    {
        _parameters = parameters.ToArray();
        _options = options;
        _samples = new Lfd2Sample[_parameters.Length];
        _indices = new Tensor?[_parameters.Length];
        Clear();
    }

    public void Begin(WindowBuffers buffers, SplitMix64 random)
    {
        Clear();
        Draw(random);
        var first = Gather(buffers);
        for (var i = 0; i < _parameters.Length; i++) _samples[i].SetFirst(first[i]);
    }

    public void RecordLast(WindowBuffers buffers)
    {
        var last = Gather(buffers);
        for (var i = 0; i < _parameters.Length; i++) _samples[i].SetLast(last[i]);
    }

    public void RecordTarget(WindowBuffers buffers, int j)
    {
        var weights = Gather(buffers);
        for (var i = 0; i < _parameters.Length; i++) _samples[i].SetTarget(j, weights[i]);
    }

    public Lfd2Map[] Fit() =>
        Lfd2Groups.Fit(_samples, _parameters.Select(p => p.numel()).ToArray(), _options, Lfd2Sample.Concatenate, s => L1Lfd2Fitter.Fit(s, _options.Lambda));

    public void Write(BinaryWriter writer)
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            _samples[i].Write(writer);
            writer.Write(_indices[i] is not null);
            if (_indices[i] is not { } indices) continue;
            var host = indices.cpu().data<long>().ToArray();
            writer.Write(host.Length);
            foreach (var index in host) writer.Write(index);
        }
    }

    public void Read(BinaryReader reader)
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            _samples[i] = Lfd2Sample.Read(reader, _options.Horizon);
            _indices[i]?.Dispose();
            _indices[i] = null;
            if (!reader.ReadBoolean()) continue;
            var host = new long[reader.ReadInt32()];
            for (var k = 0; k < host.Length; k++) host[k] = reader.ReadInt64();
            _indices[i] = tensor(host, ScalarType.Int64, _parameters[i].device).DetachFromDisposeScope();
        }
    }

    public void Dispose()
    {
        foreach (var t in _indices) t?.Dispose();
    }

    private void Clear()
    {
        for (var i = 0; i < _parameters.Length; i++) _samples[i] = new Lfd2Sample(_options.Horizon);
    }

    private void Draw(SplitMix64 random)
    {
        foreach (var t in _indices) t?.Dispose();
        var sizes = _parameters.Select(p => p.numel()).ToArray();
        var perParameter = new long[_parameters.Length][];
        if (_options.Granularity == FarcastGranularity.PerTensor)
        {
            for (var i = 0; i < sizes.Length; i++) perParameter[i] = random.SampleWithoutReplacement(sizes[i], _options.SampleSize);
        }
        else
        {
            var global = random.SampleWithoutReplacement(sizes.Sum(), _options.SampleSize);
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
        _indices = perParameter
            .Select((indices, i) => (Tensor?)tensor(indices, ScalarType.Int64, _parameters[i].device).DetachFromDisposeScope())
            .ToArray();
    }

    /// <summary>The sampled weights of every parameter, in float64, in one device-to-host transfer.</summary>
    private double[][] Gather(WindowBuffers buffers)
    {
        var parts = new List<Tensor>(_parameters.Length);
        for (var i = 0; i < _parameters.Length; i++)
            parts.Add(buffers.Flat(i).index_select(0, _indices[i]!).to(ScalarType.Float64).cpu());
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
}
