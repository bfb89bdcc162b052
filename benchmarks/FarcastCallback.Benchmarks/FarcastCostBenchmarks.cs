using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using FarcastCallback.Forecasting;
using FarcastCallback.Jumping;
using FarcastCallback.Observation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Benchmarks;

/// <summary>
/// What farcasting costs per operation, next to the inner Adam step on the same tensors (the baseline): observing one
/// target step (the per-step cost while a window is open), fitting the maps from the sufficient statistics (once per
/// cycle), writing one jump (forecast, finiteness check, copy into the parameters), rolling it back, and the wrapper's
/// own part of a guard reading — a callback's per-example losses read back and the paired test (the user's forward
/// pass that computes them is not the wrapper's and is not in it), or the step-loss guard's one scalar. Three shapes:
/// the full-batch classifier's 6-tensor MLP, the paper's CNN and DistilBERT. <see cref="CnnTrainingStepBenchmarks"/>
/// times the yardstick for "observation ≤ 0.5 % of a training step". Allocated bytes are managed bytes only; tensor
/// memory is native and is stated in docs/benchmarks.md.
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
    private Tensor _perExample = null!;
    private Tensor _stepLoss = null!;
    private JumpGuard _callbackGuard = null!;
    private JumpGuard _stepLossGuard = null!;

    /// <summary>Examples in a guard reading: the MNIST host's verification chunk.</summary>
    private const int GuardExamples = 1024;

    [Params(TensorSets.Mlp, TensorSets.Cnn, TensorSets.DistilBert)]
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
        using (var noGrad = no_grad())
        using (var scope = NewDisposeScope())
        {
            _buffers.TryForecast(_maps, _options.Horizon, _moves);   // the rollback row needs a written jump to undo
            _buffers.Apply();
        }
        _perExample = rand(GuardExamples).DetachFromDisposeScope();
        _stepLoss = rand(1).DetachFromDisposeScope();
        _callbackGuard = new JumpGuard(0, 2) { Losses = () => _perExample };
        _stepLossGuard = new JumpGuard(0, 0) { FromStepLoss = true };
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

    [Benchmark(Description = "Roll back: restore the pre-jump weights")]
    public void RollBack()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        _buffers.RollBack();
    }

    [Benchmark(Description = "Guard check, callback: two readings of 1,024 per-example losses, paired test (forward passes not included)")]
    public bool CallbackGuard()
    {
        var before = _callbackGuard.Measure()!.Value;
        return _callbackGuard.Passes(before, _callbackGuard.Measure()!.Value);
    }

    [Benchmark(Description = "Guard check, step loss: two readings of the step loss, compare")]
    public bool StepLossGuard()
    {
        _stepLossGuard.StepComputed(_stepLoss);
        var before = _stepLossGuard.Measure()!.Value;
        _stepLossGuard.StepComputed(_stepLoss);
        return _stepLossGuard.Passes(before, _stepLossGuard.Measure()!.Value);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _buffers.Dispose();
        _fit.Dispose();
        _perExample.Dispose();
        _stepLoss.Dispose();
        foreach (var p in _parameters) p.Dispose();
    }
}
