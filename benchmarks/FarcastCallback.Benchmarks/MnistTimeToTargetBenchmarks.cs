using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using FarcastCallback.Hosts.Mnist;
using FarcastCallback.Hosts.Training;
using static TorchSharp.torch;

namespace FarcastCallback.Benchmarks;

/// <summary>
/// End to end, on a reduced budget: wall-clock time for the MNIST CNN to reach a target validation accuracy with
/// plain Adam and with Adam wrapped in <see cref="FarcastOptimizer"/> (settings of the <c>farcast</c> CLI's
/// appsettings.json, verification on 128 held-out digits). The target is the plain run's smoothed validation
/// accuracy after <see cref="BudgetSteps"/> steps, measured once in the global setup. Every invocation trains from
/// the same initial weights with the same batches and dropout masks and evaluates every
/// <see cref="EvaluateEvery"/> steps (evaluation is part of "time to target" for both). The ratio Plain / Farcast is
/// the speed-up the main job reports; one invocation per iteration (a whole run), few iterations.
/// Needs the npm digits (README set-up).
/// </summary>
[Config(typeof(WholeRunConfig))]
public class MnistTimeToTargetBenchmarks
{
    /// <summary>One in-process job: a whole run per invocation, one invocation per iteration, 1 warm-up and 3 measured iterations; in process with no time limit (a run takes minutes).</summary>
    private sealed class WholeRunConfig : ManualConfig
    {
        public WholeRunConfig() => AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1)
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(1), logOutput: true)));
    }

    private const int BudgetSteps = 150;
    private const int EvaluateEvery = 25;
    private const int MaxSteps = 3 * BudgetSteps;
    private const int Seed = 1;
    private const int BatchSize = 64;
    private const double LearningRate = 1e-3;

    private CnnTrainer _trainer = null!;
    private Dictionary<string, Tensor> _initialWeights = null!;
    private FarcastOptions _options = null!;
    private double _target;

    [GlobalSetup]
    public void Setup()
    {
        var all = MnistData.Load(Path.Combine(RepositoryFiles.Root(), MnistData.DefaultPath));
        _trainer = new CnnTrainer(MnistData.Split(all, seed: 0, verification: 128));
        _options = RepositoryFiles.FarcastOptions();

        random.manual_seed(Seed);
        using var model = new MnistCnn();
        _initialWeights = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());
        var plain = Train(farcast: false, stopAtTarget: false, steps: BudgetSteps);
        _target = TimeToAccuracy.Target(plain.Points);
        Console.WriteLine($"// Target validation accuracy {_target:0.0000} (plain Adam after {BudgetSteps} steps).");
    }

    [Benchmark(Baseline = true, Description = "plain Adam to target")]
    public long Plain() => Report("plain", Train(farcast: false, stopAtTarget: true, steps: MaxSteps));

    [Benchmark(Description = "FarcastOptimizer(Adam) to target")]
    public long Farcast() => Report("farcast", Train(farcast: true, stopAtTarget: true, steps: MaxSteps));

    [GlobalCleanup]
    public void Cleanup()
    {
        _trainer.Dispose();
        foreach (var t in _initialWeights.Values) t.Dispose();
    }

    private TrainingRun Train(bool farcast, bool stopAtTarget, int steps)
    {
        using var model = new MnistCnn();
        model.load_state_dict(_initialWeights);
        var inner = optim.Adam(model.parameters(), LearningRate);
        using var wrapper = farcast ? new FarcastOptimizer(inner, _options) { VerificationLoss = () => _trainer.VerificationLoss(model) } : null;
        var run = _trainer.Start(model, (optim.Optimizer?)wrapper ?? inner, BatchSize, Seed);
        for (var step = 1; step <= steps; step++)
        {
            run.Step();
            if (step % EvaluateEvery != 0) continue;
            run.Record();
            if (stopAtTarget && run.Points[^1].ValidationAccuracy >= _target) break;
        }
        return run;
    }

    private long Report(string name, TrainingRun run)
    {
        var reached = run.Points[^1].ValidationAccuracy >= _target;
        Console.WriteLine($"// {name}: {(reached ? "reached" : "did NOT reach")} {_target:0.0000} after {run.RealSteps} real steps " +
            $"({run.Points[^1].EffectiveSteps} effective), validation accuracy {run.Points[^1].ValidationAccuracy:0.0000}.");
        return run.RealSteps;
    }
}
