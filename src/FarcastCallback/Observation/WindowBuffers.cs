using FarcastCallback.Forecasting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Observation;

/// <summary>
/// The weight copies one window keeps, per parameter, and their second life as the jump's scratch. While observing:
/// the first weight F and the displacement D = w(last) - w(first) as one [2, n] buffer (so one matrix-vector product
/// gives both moments of a target step), and the first weight of the most recent input window. Three copies of the
/// parameters in all, allocated once on the parameters' devices and dtypes. Once the map is fitted F and D are free:
/// a forecast is computed in D's storage and the pre-jump weights are kept in F's, so a jump and its rollback need no
/// memory beyond the three copies, and a rollback restores the weights bit for bit (docs/design.md, "The buffers").
/// </summary>
internal sealed class WindowBuffers : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _firstAndDisplacement;
    private readonly Tensor[] _recentStart;
    private readonly bool[] _moves;
    private bool _disposed;

    public WindowBuffers(IReadOnlyList<Parameter> parameters)
    {
        _parameters = parameters.ToArray();
        _firstAndDisplacement = new Tensor[_parameters.Length];
        _recentStart = new Tensor[_parameters.Length];
        _moves = new bool[_parameters.Length];
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

    /// <summary>Per parameter, the [2, n] buffer whose rows are F and D (valid while observing).</summary>
    public Tensor FirstAndDisplacement(int i) => _firstAndDisplacement[i];

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

    /// <summary>
    /// Computes, in D's storage, the forecast <c>ŵ = a_j · r + b_j · w + c_j</c> of every parameter whose
    /// <paramref name="moves"/> flag is set (r: the recent input window's first weight, w: the current one), and
    /// returns whether every such forecast is finite. Nothing is written into the parameters. The forecast is formed in
    /// displacement form, <c>ŵ = r + b_j · (w - r) + (a_j + b_j - 1) · r + c_j</c>: w - r is exact for nearby weights,
    /// the terms added to r are of the size of a displacement, and r is added last, so the result is rounded about once
    /// in the parameter's dtype. Multiplying w by b_j (17 for a 16-step jump) first would cost half-precision weights
    /// up to 14 ulps, or overflow float16 for a forecast that is representable.
    /// </summary>
    public bool TryForecast(IReadOnlyList<Lfd2Map> maps, int j, IReadOnlyList<bool> moves)
    {
        var checks = new List<Tensor>(_parameters.Length);
        for (var i = 0; i < _parameters.Length; i++)
        {
            _moves[i] = moves[i];
            if (!moves[i]) continue;
            var (a, b, c) = maps[i][j];
            var p = a + b - 1.0;
            var recent = _recentStart[i];
            var forecast = Forecast(i);
            forecast.copy_(_parameters[i]).sub_(recent).mul_(b);
            if (p != 0) forecast.add_(recent, p);
            if (c != 0) forecast.add_(c);
            forecast.add_(recent);
            checks.Add(FiniteCheck(forecast));
        }
        return checks.Count == 0 || double.IsFinite(stack(checks).sum().item<double>());
    }

    /// <summary>Keeps the pre-jump weights in F's storage and writes the forecast of <see cref="TryForecast"/> into the parameters.</summary>
    public void Apply()
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            if (!_moves[i]) continue;
            PreJump(i).copy_(_parameters[i]);
            _parameters[i].copy_(Forecast(i));
        }
    }

    /// <summary>Restores the weights saved by the last <see cref="Apply"/>, bit for bit.</summary>
    public void RollBack()
    {
        for (var i = 0; i < _parameters.Length; i++)
            if (_moves[i]) _parameters[i].copy_(PreJump(i));
    }

    public void Write(BinaryWriter writer)
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            _firstAndDisplacement[i].cpu().Save(writer);
            _recentStart[i].cpu().Save(writer);
        }
    }

    /// <summary>
    /// Reads the buffers saved by <see cref="Write"/> and checks their shapes, changing nothing; the returned action
    /// copies them in. The loaded tensors belong to the caller's dispose scope.
    /// </summary>
    public Action Read(BinaryReader reader)
    {
        var loaded = new List<(Tensor Target, Tensor Value)>(2 * _parameters.Length);
        for (var i = 0; i < _parameters.Length; i++)
        {
            loaded.Add((_firstAndDisplacement[i], LoadChecked(_firstAndDisplacement[i], reader)));
            loaded.Add((_recentStart[i], LoadChecked(_recentStart[i], reader)));
        }
        return () =>
        {
            foreach (var (target, value) in loaded) target.copy_(value);
        };
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _firstAndDisplacement.Concat(_recentStart)) t.Dispose();
    }

    private Tensor PreJump(int i) => _firstAndDisplacement[i][0].view(_parameters[i].shape);

    private Tensor Forecast(int i) => _firstAndDisplacement[i][1].view(_parameters[i].shape);

    /// <summary>
    /// A float64 scalar that is finite when every element of <paramref name="forecast"/> is. For float32 and float64
    /// weights that is their plain sum — one read, nothing allocated; a finite tensor whose sum overflowed would
    /// only cost a jump, never write a bad one. Half-precision sums overflow too easily, so those count NaN/Inf.
    /// </summary>
    private static Tensor FiniteCheck(Tensor forecast)
    {
        if (forecast.dtype is ScalarType.Float32 or ScalarType.Float64)
            return forecast.sum().to(ScalarType.Float64);
        var allFinite = isfinite(forecast).all();
        return where(allFinite, zeros_like(allFinite, ScalarType.Float64), full_like(allFinite, double.NaN, ScalarType.Float64));
    }

    private static Tensor LoadChecked(Tensor target, BinaryReader reader)
    {
        var loaded = torch.Tensor.Load(reader);
        if (!loaded.shape.SequenceEqual(target.shape) || loaded.dtype != target.dtype)
            throw new InvalidDataException(
                $"Saved farcast buffer is {loaded.dtype} [{string.Join(", ", loaded.shape)}], expected {target.dtype} [{string.Join(", ", target.shape)}].");
        return loaded;
    }
}
