using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using FarcastCallback.Forecasting;
using FarcastCallback.Observation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Benchmarks;

/// <summary>
/// What farcasting costs per operation, next to the inner Adam step on the same tensors (the baseline):
/// observing one target step (the per-step cost while a window is open), fitting the maps from the sufficient
/// statistics (once per cycle), and writing one jump (forecast, finiteness check, copy into the parameters).
/// <see cref="CnnTrainingStepBenchmarks"/> times the yardstick for "observation ≤ 1% of a training step". Allocated bytes are managed bytes only;
/// tensor memory is native and is stated in docs/benchmarks.md.
/// </summary>
[MemoryDiagnoser]
// In-process: BenchmarkDotNet's generated build project would not get the TorchSharp loader fix of this repo.
[InProcess]
[WarmupCount(3)]
[IterationCount(10)]
public class FarcastCostBenchmarks
{
    private Parameter[] _parameters = Array.Empty<Parameter>();
    private optim.Optimizer _adam = null!;
    private WindowBuffers _buffers = null!;
    private LeastSquaresWindowFit _fit = null!;
    private FarcastOptions _options = null!;
    private Lfd2Map[] _maps = Array.Empty<Lfd2Map>();
    private bool[] _moves = Array.Empty<bool>();

    [Params(TensorSets.Cnn, TensorSets.DistilBert)]
    public string TensorSet { get; set; } = TensorSets.Cnn;

    [GlobalSetup]
    public void Setup()
    {
        random.manual_seed(1);
        _parameters = TensorSets.Shapes(TensorSet).Select(s => new Parameter(randn(s) * 0.05)).ToArray();
        using (var scope = NewDisposeScope())
        {
            Tensor loss = zeros(1);
            foreach (var p in _parameters) loss = loss + (p * randn(p.shape)).sum();
            loss.backward();   // every parameter gets a fixed gradient for the Adam baseline
        }
        _adam = optim.Adam(_parameters, 1e-3);
        _options = new FarcastOptions { InputSteps = 5, Horizon = 10 };
        _buffers = new WindowBuffers(_parameters);
        _fit = new LeastSquaresWindowFit(_parameters, _options.Horizon);
        using (var noGrad = no_grad())
        using (var scope = NewDisposeScope())
        {
            _buffers.RecordFirst();
            _fit.Begin();
            _buffers.RecordLast();
            _fit.RecordLast(_buffers);
            _buffers.RecordRecentStart();
            for (var j = 1; j <= _options.Horizon; j++) _fit.RecordTarget(_buffers, j);
        }
        // ŵ = ½ w(recent start) + ½ w(now) + 0.001: every term is computed, and repeated jumps stay bounded.
        var halves = Enumerable.Repeat(0.5, _options.Horizon).ToArray();
        var offsets = Enumerable.Repeat(0.001, _options.Horizon).ToArray();
        _maps = _parameters.Select(_ => new Lfd2Map(halves, halves, offsets)).ToArray();
        _moves = _parameters.Select(_ => true).ToArray();
    }

    [Benchmark(Baseline = true, Description = "Adam step (inner optimizer)")]
    public void AdamStep()
    {
        using var scope = NewDisposeScope();
        _adam.step();
    }

    [Benchmark(Description = "Observe one target step")]
    public void Observe()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        _fit.RecordTarget(_buffers, 1);
    }

    [Benchmark(Description = "Fit LFD-2 maps (least squares, per tensor)")]
    public int Fit() => _fit.Fit(_options.MinTensorSize, _options.Lambda).Length;

    [Benchmark(Description = "Jump: forecast, check, write")]
    public bool Jump()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var written = _buffers.TryForecast(_maps, _options.Horizon, _moves);
        if (written) _buffers.Apply();
        return written;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _buffers.Dispose();
        _fit.Dispose();
        foreach (var p in _parameters) p.Dispose();
    }
}
