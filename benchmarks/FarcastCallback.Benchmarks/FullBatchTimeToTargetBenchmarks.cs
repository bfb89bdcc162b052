using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using FarcastCallback.Hosts.FullBatch;
using static TorchSharp.torch;

namespace FarcastCallback.Benchmarks;

/// <summary>
/// End to end, the main job's regime: wall-clock time for the full-batch two-moons classifier (2,000 points, MLP
/// 2→64→64→2) to reach a target training loss with plain Adam at its tuned rate and with the same Adam wrapped in
/// <see cref="FarcastOptimizer"/> (the CLI's appsettings.json + appsettings.fullbatch.json, guarded by the training loss).
/// The target is the plain run's loss after <see cref="BudgetSteps"/> steps, measured once in the global setup; every
/// invocation trains from the same initial weights until the loss reaches it. Plain / Farcast is the training-loss race
/// of <c>farcast fullbatch --task classifier --moons</c> (its <c>training_loss_race</c>, with the last value instead of
/// the smoothed best as the target), measured here by BenchmarkDotNet instead of in one process.
/// </summary>
[Config(typeof(WholeRunConfig))]
public class FullBatchTimeToTargetBenchmarks
{
    /// <summary>One in-process job: a whole run per invocation, 1 warm-up and 5 measured iterations.</summary>
    private sealed class WholeRunConfig : ManualConfig
    {
        public WholeRunConfig() => AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1)
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromHours(1), logOutput: true)));
    }

    private const int BudgetSteps = 2000;
    private const int MaxSteps = 2 * BudgetSteps;
    private const int Seed = 1;

    /// <summary>The rate <c>farcast fullbatch --task classifier --lr-grid</c> chose on seeds 1–3 (docs/benchmarks.md).</summary>
    private const double LearningRate = 0.1;

    private ClassifierTask _task = null!;
    private Dictionary<string, Tensor> _initialWeights = null!;
    private FarcastOptions _options = null!;
    private double _target;

    [GlobalSetup]
    public void Setup()
    {
        _task = new ClassifierTask(TabularData.TwoMoons());
        _options = RepositoryFiles.FarcastOptions("fullbatch");
        random.manual_seed(Seed);
        using var model = _task.CreateModel();
        _initialWeights = model.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope());
        _target = Train(farcast: false, target: double.NegativeInfinity, steps: BudgetSteps).Points[^1].Loss;
        Console.WriteLine($"// Target training loss {_target:G4} (plain Adam {LearningRate} after {BudgetSteps} steps).");
    }

    [Benchmark(Baseline = true, Description = "plain Adam to target")]
    public long Plain() => Report("plain", Train(farcast: false, _target, MaxSteps));

    [Benchmark(Description = "FarcastOptimizer(Adam) to target")]
    public long Farcast() => Report("farcast", Train(farcast: true, _target, MaxSteps));

    [GlobalCleanup]
    public void Cleanup()
    {
        _task.Dispose();
        foreach (var t in _initialWeights.Values) t.Dispose();
    }

    private FullBatchRun Train(bool farcast, double target, int steps)
    {
        using var model = _task.CreateModel();
        model.load_state_dict(_initialWeights);
        var inner = optim.Adam(model.parameters(), LearningRate);
        using var wrapper = farcast ? new FarcastOptimizer(inner, _options) { VerificationLoss = () => (float)_task.EvaluateLoss(model) } : null;
        var run = new FullBatchRun(_task, model, (optim.Optimizer?)wrapper ?? inner, read: false);   // time the training alone
        for (var step = 0; step < steps && !(run.Points.Count > 0 && run.Points[^1].Loss <= target); step++) run.Step();
        run.Finish();
        return run;
    }

    private long Report(string name, FullBatchRun run)
    {
        var reached = run.Points.FirstOrDefault(p => p.Loss <= _target);
        Console.WriteLine($"// {name}: {(reached is { } p ? $"reached {_target:G4} after {p.RealSteps} real steps" : "did NOT reach the target")}, " +
            $"{run.Points[^1].EffectiveSteps} effective steps at the end.");
        return run.RealSteps;
    }
}
