using BenchmarkDotNet.Attributes;
using FarcastCallback.Hosts.Mnist;
using TorchSharp;
using static TorchSharp.torch;

namespace FarcastCallback.Benchmarks;

/// <summary>
/// One real training step of the paper's MNIST CNN (batch 64 of 28×28 images: forward, backward, Adam): the
/// yardstick that <see cref="FarcastCostBenchmarks"/>' per-step observation cost is compared with.
/// </summary>
[MemoryDiagnoser]
[InProcess]
[WarmupCount(3)]
[IterationCount(10)]
public class CnnTrainingStepBenchmarks
{
    private MnistCnn _cnn = null!;
    private optim.Optimizer _adam = null!;
    private Tensor _images = null!;
    private Tensor _labels = null!;

    [GlobalSetup]
    public void Setup()
    {
        random.manual_seed(1);
        _cnn = new MnistCnn();
        _adam = optim.Adam(_cnn.parameters(), 1e-3);
        _images = rand(64, 1, 28, 28);
        _labels = randint(0, 10, new long[] { 64 });
    }

    [Benchmark(Description = "CNN training step, batch 64")]
    public void TrainingStep()
    {
        using var scope = NewDisposeScope();
        _adam.zero_grad();
        nn.functional.nll_loss(_cnn.forward(_images), _labels).backward();
        _adam.step();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cnn.Dispose();
        _images.Dispose();
        _labels.Dispose();
    }
}
