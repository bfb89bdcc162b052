using FarcastCallback.Forecasting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Observation;

/// <summary>
/// The weight copies one window keeps and their second life as the jump's scratch. While observing: the first weight F
/// and the displacement D = w(last) - w(first), and the first weight of the most recent input window. They are stored
/// flat — per dtype one [2, N] buffer for F and D and one [N] buffer for the recent start, the parameters laid end to
/// end and cut into runs (<see cref="FlatLayout"/>) — so recording a snapshot is a constant handful of kernels per run,
/// and a model of many small tensors has few runs; per-parameter views of the same storage serve the jump. Three copies
/// of the parameters in all, allocated once on the parameters' device, plus each pool's one-hot indicator (at most
/// 2 MB a pool, only for small tensors). Once the map is fitted F and D are free: a forecast is computed in D's storage
/// and the pre-jump weights are kept in F's, so a jump and its rollback need no memory beyond the three copies, and a
/// rollback restores the weights bit for bit (docs/design.md, "The buffers").
/// </summary>
internal sealed class WindowBuffers : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _observed;
    private readonly FlatLayout _layout;
    private readonly Tensor[] _bucketFirstAndDisplacement;
    private readonly Tensor[] _bucketRecentStart;
    private readonly Tensor[] _firstAndDisplacement;
    private readonly Tensor[] _recentStart;
    private readonly Tensor[] _preJump;
    private readonly Tensor[] _forecast;
    private readonly Tensor[] _runFirstAndDisplacement;
    private readonly Tensor[] _runRecentStart;
    private readonly Tensor?[][] _runWeights;
    private readonly Tensor?[] _runIndicators;
    private readonly Tensor?[] _runRows;
    private readonly bool[] _moves;
    private bool _disposed;

    /// <param name="parameters">The trained parameters, which jumps write and rollbacks restore.</param>
    /// <param name="chunkScalars">The longest run of the flat layout.</param>
    /// <param name="observed">What the windows record and the forecast extrapolates, one tensor per parameter of its
    /// shape and dtype on its device: the parameters themselves when null, else an average of their trajectory
    /// (<see cref="FarcastOptions.ObservedAverageDecay"/>).</param>
    /// <exception cref="ArgumentException">The parameters are on more than one device.</exception>
    public WindowBuffers(IReadOnlyList<Parameter> parameters, long chunkScalars = FlatLayout.ChunkScalars, IReadOnlyList<Tensor>? observed = null)
    {
        _parameters = parameters.ToArray();
        _observed = observed?.ToArray() ?? _parameters.Cast<Tensor>().ToArray();
        if (_observed.Length != _parameters.Length)
            throw new ArgumentException($"{_observed.Length} observed tensors for {_parameters.Length} parameters.", nameof(observed));
        var devices = _parameters.Select(p => p.device.ToString()).Distinct().ToArray();
        if (devices.Length > 1)
            throw new ArgumentException($"The trained parameters are on {devices.Length} devices ({string.Join(", ", devices)}); farcasting needs them on one.", nameof(parameters));
        _layout = new FlatLayout(_parameters.Select(p => p.dtype).ToArray(), _parameters.Select(p => p.numel()).ToArray(), chunkScalars);
        var device = _parameters[0].device;
        _moves = new bool[_parameters.Length];
        using var noGrad = no_grad();
        _bucketFirstAndDisplacement = _layout.Buckets.Select(b => zeros(new[] { 2, b.Size }, b.Dtype, device).DetachFromDisposeScope()).ToArray();
        _bucketRecentStart = _layout.Buckets.Select(b => zeros(new[] { b.Size }, b.Dtype, device).DetachFromDisposeScope()).ToArray();
        _firstAndDisplacement = new Tensor[_parameters.Length];
        _recentStart = new Tensor[_parameters.Length];
        _preJump = new Tensor[_parameters.Length];
        _forecast = new Tensor[_parameters.Length];
        for (var i = 0; i < _parameters.Length; i++)
        {
            var (bucket, offset, size) = _layout.Placements[i];
            var shape = _parameters[i].shape;
            _firstAndDisplacement[i] = _bucketFirstAndDisplacement[bucket].narrow(1, offset, size).DetachFromDisposeScope();
            _recentStart[i] = _bucketRecentStart[bucket].narrow(0, offset, size).view(shape).DetachFromDisposeScope();
            _preJump[i] = _firstAndDisplacement[i][0].view(shape).DetachFromDisposeScope();     // F's storage, once the map is fitted
            _forecast[i] = _firstAndDisplacement[i][1].view(shape).DetachFromDisposeScope();    // D's storage, likewise
        }
        var runs = _layout.Runs;
        _runFirstAndDisplacement = runs.Select(r => _bucketFirstAndDisplacement[r.Bucket].narrow(1, r.Offset, r.Length).DetachFromDisposeScope()).ToArray();
        _runRecentStart = runs.Select(r => _bucketRecentStart[r.Bucket].narrow(0, r.Offset, r.Length).DetachFromDisposeScope()).ToArray();
        _runWeights = runs.Select(r => new Tensor?[r.Pieces.Length]).ToArray();
        _runIndicators = runs.Select(r => r.IsPool ? Indicator(r, device) : null).ToArray();
        _runRows = runs.Select(r => r.IsPool
            ? tensor(r.Pieces.Select(p => (long)p.Parameter).ToArray(), ScalarType.Int64, device).DetachFromDisposeScope()
            : null).ToArray();
        Refresh();
    }

    /// <summary>The runs the flat buffers are cut into.</summary>
    public IReadOnlyList<FlatLayout.Run> Runs => _layout.Runs;

    /// <summary>Bytes held: three copies of the parameters.</summary>
    public long Bytes => _bucketFirstAndDisplacement.Concat(_bucketRecentStart).Sum(t => t.numel() * t.ElementSize);

    /// <summary>Per parameter, the first weight of the most recent input window, shaped like the parameter.</summary>
    public Tensor RecentStart(int i) => _recentStart[i];

    /// <summary>Run <paramref name="r"/>'s [2, length] view of F and D.</summary>
    public Tensor RunFirstAndDisplacement(int r) => _runFirstAndDisplacement[r];

    /// <summary>Run <paramref name="r"/>'s dtype.</summary>
    public ScalarType RunDtype(int r) => _layout.Buckets[_layout.Runs[r].Bucket].Dtype;

    /// <summary>
    /// Run <paramref name="r"/>'s current observed weights (the parameters, or their average), flat: a view of the
    /// observed tensor's own storage for a run of one contiguous tensor, else one concatenation (a temporary of the run's
    /// length, in the caller's dispose scope).
    /// </summary>
    public Tensor RunWeights(int r)
    {
        var pieces = _layout.Runs[r].Pieces;
        var views = _runWeights[r];
        var parts = new Tensor[pieces.Length];
        for (var k = 0; k < pieces.Length; k++)
            parts[k] = views[k] ?? _observed[pieces[k].Parameter].detach().reshape(-1).narrow(0, pieces[k].Start, pieces[k].Length);
        return parts.Length == 1 ? parts[0] : cat(parts);
    }

    /// <summary>
    /// Pool run <paramref name="r"/>: its [length, parameters] float64 one-hot matrix (scalar i belongs to parameter k of
    /// the pool), so values · indicator sums every parameter of the pool in one matrix product, and the parameter index
    /// of each (the rows its sums go to); nulls for a run of one piece.
    /// </summary>
    public (Tensor? Indicator, Tensor? Rows) Pool(int r) => (_runIndicators[r], _runRows[r]);

    private static Tensor Indicator(FlatLayout.Run run, Device device)
    {
        using var scope = NewDisposeScope();
        var counts = tensor(run.Pieces.Select(p => p.Length).ToArray(), ScalarType.Int64, device);
        var owner = arange(run.Pieces.Length, ScalarType.Int64, device).repeat_interleave(counts, 0, run.Length);
        return scope.MoveToOuter(nn.functional.one_hot(owner, run.Pieces.Length).to(ScalarType.Float64)).DetachFromDisposeScope();
    }

    /// <summary>
    /// Takes fresh views of the observed tensors' storage (the parameters, or their average), for the flat records to read from: called at every fitting window's
    /// start (a window that reuses its map reads through the views of the last one), so weights whose storage was
    /// replaced between cycles are read where they are now. A parameter that is not contiguous (a transposed weight, channels-last) has no flat view: it is reshaped,
    /// a copy, each time it is read.
    /// </summary>
    public void Refresh()
    {
        using var noGrad = no_grad();
        for (var r = 0; r < _layout.Runs.Count; r++)
        {
            var pieces = _layout.Runs[r].Pieces;
            for (var k = 0; k < pieces.Length; k++)
            {
                _runWeights[r][k]?.Dispose();
                var p = _observed[pieces[k].Parameter];
                _runWeights[r][k] = p.is_contiguous()
                    ? p.detach().view(-1).narrow(0, pieces[k].Start, pieces[k].Length).DetachFromDisposeScope()
                    : null;
            }
        }
    }

    /// <summary>F ← w: the window starts at the current weights.</summary>
    public void RecordFirst()
    {
        for (var r = 0; r < _layout.Runs.Count; r++) _runFirstAndDisplacement[r][0].copy_(RunWeights(r));
    }

    /// <summary>D ← w - F: the input window's last weight is current.</summary>
    public void RecordLast()
    {
        for (var r = 0; r < _layout.Runs.Count; r++)
        {
            var buffer = _runFirstAndDisplacement[r];
            buffer[1].copy_(RunWeights(r)).sub_(buffer[0]);
        }
    }

    /// <summary>The most recent input window starts now: keep its first weight for the jump.</summary>
    public void RecordRecentStart()
    {
        for (var r = 0; r < _layout.Runs.Count; r++) _runRecentStart[r].copy_(RunWeights(r));
    }

    /// <summary>
    /// <see cref="FarcastMap.Smoothing"/>: the input window starts — F ← w, and D, which accumulates the window line's
    /// displacement from F, ← 0.
    /// </summary>
    public void BeginLine()
    {
        RecordFirst();
        foreach (var buffer in _runFirstAndDisplacement) buffer[1].zero_();
    }

    /// <summary>
    /// <see cref="FarcastMap.Smoothing"/>: a snapshot of the input window is current — D += c · (w − F), with c its
    /// weight in the window line (<see cref="WindowLine"/>). The displacement is a temporary in the caller's scope.
    /// </summary>
    public void AddToLine(double weight)
    {
        for (var r = 0; r < _layout.Runs.Count; r++)
        {
            var buffer = _runFirstAndDisplacement[r];
            buffer[1].add_(RunWeights(r) - buffer[0], weight);
        }
    }

    /// <summary>
    /// Computes, in D's storage, the forecast <c>ŵ = a_j · r + b_j · w + c_j</c> of every parameter whose
    /// <paramref name="moves"/> flag is set (r: the recent input window's first weight, w: the current one), and
    /// returns whether every such forecast is finite. Nothing is written into the parameters. The forecast is formed in
    /// displacement form, <c>ŵ = r + b_j · (w - r) + (a_j + b_j - 1) · r + c_j</c>: w - r is exact for nearby weights,
    /// the terms added to r are of the size of a displacement, and r is added last, so the result is rounded about once
    /// in the parameter's dtype. Multiplying w by b_j (17 for a 16-step jump) first would cost half-precision weights
    /// up to 14 ulps, or overflow float16 for a forecast that is representable. It runs run by run: a large tensor's
    /// coefficients are scalars; a pool's are float64 vectors spread over its scalars by its indicator (a parameter of
    /// the pool that does not move gets b = 1, the rest 0, and is not written), so a pool of many small tensors is a
    /// constant handful of kernels. Step <paramref name="j"/> = 0 is the window line's value now
    /// (<see cref="FarcastMap.Smoothing"/>, accumulated by <see cref="AddToLine"/>): F + D, once per window; the maps are
    /// not read.
    /// </summary>
    public bool TryForecast(IReadOnlyList<Lfd2Map> maps, int j, IReadOnlyList<bool> moves)
    {
        for (var i = 0; i < _parameters.Length; i++) _moves[i] = moves[i];
        var checks = new List<Tensor>(_layout.Runs.Count);
        for (var r = 0; r < _layout.Runs.Count; r++)
        {
            var run = _layout.Runs[r];
            if (!run.Pieces.Any(piece => moves[piece.Parameter])) continue;
            var recent = _runRecentStart[r];
            var forecast = _runFirstAndDisplacement[r][1];
            if (j == 0)
            {
                forecast.add_(_runFirstAndDisplacement[r][0]);
                checks.Add(FiniteCheck(forecast));
                continue;
            }
            forecast.copy_(RunWeights(r)).sub_(recent);
            if (run.IsPool)
            {
                var coefficients = new double[3 * run.Pieces.Length];
                for (var k = 0; k < run.Pieces.Length; k++)
                {
                    var (a, b, c) = moves[run.Pieces[k].Parameter] ? maps[run.Pieces[k].Parameter][j] : (0.0, 1.0, 0.0);
                    (coefficients[k], coefficients[run.Pieces.Length + k], coefficients[2 * run.Pieces.Length + k]) = (b, a + b - 1.0, c);
                }
                var perScalar = tensor(coefficients, new long[] { 3, run.Pieces.Length }, ScalarType.Float64, forecast.device)
                    .mm(_runIndicators[r]!.t());
                forecast.mul_(perScalar[0]).add_(perScalar[1] * recent).add_(perScalar[2]).add_(recent);
            }
            else
            {
                var (a, b, c) = maps[run.FirstParameter][j];
                var p = a + b - 1.0;
                forecast.mul_(b);
                if (p != 0) forecast.add_(recent, p);
                if (c != 0) forecast.add_(c);
                forecast.add_(recent);
            }
            checks.Add(FiniteCheck(forecast));
        }
        return checks.Count switch
        {
            0 => true,
            1 => double.IsFinite(checks[0].item<double>()),
            _ => double.IsFinite(stack(checks).sum().item<double>()),
        };
    }

    /// <summary>Keeps the pre-jump weights in F's storage and writes the forecast of <see cref="TryForecast"/> into the parameters.</summary>
    public void Apply()
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            if (!_moves[i]) continue;
            _preJump[i].copy_(_parameters[i]);
            _parameters[i].copy_(_forecast[i]);
        }
    }

    /// <summary>
    /// A race (<see cref="FarcastCounterfactual.Race"/>): the jumped weights go to D's storage and the twin's, kept in F's
    /// storage since <see cref="Apply"/>, into the parameters.
    /// </summary>
    public void SwapInPreJump()
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            if (!_moves[i]) continue;
            _forecast[i].copy_(_parameters[i]);
            _parameters[i].copy_(_preJump[i]);
        }
    }

    /// <summary>Undoes <see cref="SwapInPreJump"/>: with <paramref name="keepTwin"/> the twin's weights, now advanced, go back to F's storage; the jumped weights return to the parameters.</summary>
    public void SwapOutPreJump(bool keepTwin)
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            if (!_moves[i]) continue;
            if (keepTwin) _preJump[i].copy_(_parameters[i]);
            _parameters[i].copy_(_forecast[i]);
        }
    }

    /// <summary>Restores the weights saved by the last <see cref="Apply"/>, bit for bit.</summary>
    public void RollBack()
    {
        for (var i = 0; i < _parameters.Length; i++)
            if (_moves[i]) _parameters[i].copy_(_preJump[i]);
    }

    public void Write(BinaryWriter writer)
    {
        for (var i = 0; i < _parameters.Length; i++)
        {
            using var scope = NewDisposeScope();
            _firstAndDisplacement[i].cpu().contiguous().Save(writer);
            _recentStart[i].cpu().contiguous().Save(writer);
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
        foreach (var t in _runWeights.SelectMany(views => views).Concat(_runIndicators).Concat(_runRows).OfType<Tensor>()) t.Dispose();
        foreach (var t in _firstAndDisplacement.Concat(_recentStart).Concat(_preJump).Concat(_forecast).Concat(_runFirstAndDisplacement).Concat(_runRecentStart)
                     .Concat(_bucketFirstAndDisplacement).Concat(_bucketRecentStart))
            t.Dispose();
    }


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

    /// <summary>Reads one saved tensor and checks it has <paramref name="target"/>'s shape and dtype; the tensor belongs to the caller's dispose scope.</summary>
    internal static Tensor LoadChecked(Tensor target, BinaryReader reader)
    {
        var loaded = torch.Tensor.Load(reader);
        if (!loaded.shape.SequenceEqual(target.shape) || loaded.dtype != target.dtype)
            throw new InvalidDataException(
                $"Saved farcast buffer is {loaded.dtype} [{string.Join(", ", loaded.shape)}], expected {target.dtype} [{string.Join(", ", target.shape)}].");
        return loaded;
    }
}
