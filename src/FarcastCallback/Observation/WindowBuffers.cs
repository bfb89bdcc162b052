using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Observation;

/// <summary>
/// The weight copies one window keeps, per parameter: the first weight F and the displacement D = w(last) - w(first)
/// as one [2, n] buffer (so one matrix-vector product gives both moments of a target step), and the first weight of
/// the most recent input window. Three copies of the parameters in all, allocated once on the parameters' devices
/// and dtypes. Once a map is fitted F and D are free, so the jump borrows their storage (see WeightJump).
/// </summary>
internal sealed class WindowBuffers : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _firstAndDisplacement;
    private readonly Tensor[] _recentStart;
    private bool _disposed;

    public WindowBuffers(IReadOnlyList<Parameter> parameters)
    {
        _parameters = parameters.ToArray();
        _firstAndDisplacement = new Tensor[_parameters.Length];
        _recentStart = new Tensor[_parameters.Length];
        using var noGrad = no_grad();
        for (var i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            _firstAndDisplacement[i] = zeros(new[] { 2, p.numel() }, p.dtype, p.device).DetachFromDisposeScope();
            _recentStart[i] = zeros_like(p).DetachFromDisposeScope();
        }
    }

    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Bytes held: three copies of the parameters.</summary>
    public long Bytes => _firstAndDisplacement.Concat(_recentStart).Sum(t => t.numel() * t.ElementSize);

    /// <summary>Per parameter, the [2, n] buffer whose rows are F and D.</summary>
    public Tensor FirstAndDisplacement(int i) => _firstAndDisplacement[i];

    /// <summary>Per parameter, the first weight F (row 0) in the parameter's shape.</summary>
    public Tensor FirstView(int i) => _firstAndDisplacement[i][0].view(_parameters[i].shape);

    /// <summary>Per parameter, the displacement D (row 1) in the parameter's shape.</summary>
    public Tensor DisplacementView(int i) => _firstAndDisplacement[i][1].view(_parameters[i].shape);

    /// <summary>Per parameter, the first weight of the most recent input window.</summary>
    public Tensor RecentStart(int i) => _recentStart[i];

    /// <summary>The parameter's current weights, flat: a view, or a copy when the parameter is not contiguous (a transposed weight, channels-last).</summary>
    public Tensor Flat(int i) => _parameters[i].detach().reshape(-1);

    /// <summary>F ← w: the window starts at the current weights.</summary>
    public void RecordFirst()
    {
        for (var i = 0; i < _parameters.Length; i++) _firstAndDisplacement[i][0].copy_(Flat(i));
    }

    /// <summary>D ← w - F: the input window's last weight is current.</summary>
    public void RecordLast()
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            var buffer = _firstAndDisplacement[i];
            buffer[1].copy_(Flat(i)).sub_(buffer[0]);
        }
    }

    /// <summary>The most recent input window starts now: keep its first weight for the jump.</summary>
    public void RecordRecentStart()
    {
        for (var i = 0; i < _parameters.Length; i++) _recentStart[i].copy_(_parameters[i]);
    }

    public void Write(BinaryWriter writer)
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            _firstAndDisplacement[i].cpu().Save(writer);
            _recentStart[i].cpu().Save(writer);
        }
    }

    public void Read(BinaryReader reader)
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            LoadInto(_firstAndDisplacement[i], reader);
            LoadInto(_recentStart[i], reader);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _firstAndDisplacement.Concat(_recentStart)) t.Dispose();
    }

    private static void LoadInto(Tensor target, BinaryReader reader)
    {
        using var loaded = torch.Tensor.Load(reader);
        if (!loaded.shape.SequenceEqual(target.shape))
            throw new InvalidDataException($"Saved farcast buffer has shape [{string.Join(", ", loaded.shape)}], expected [{string.Join(", ", target.shape)}].");
        target.copy_(loaded);
    }
}
