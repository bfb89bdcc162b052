using FarcastCallback.Hosts.Training;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>Settings of <c>farcast fullbatch</c>.</summary>
/// <param name="Steps">Real optimizer steps per run.</param>
/// <param name="Seeds">Seeds to run, starting at <paramref name="FirstSeed"/>.</param>
/// <param name="FirstSeed">The first seed (initial weights).</param>
/// <param name="LearningRate">The inner optimizer's learning rate, the same for both runs.</param>
/// <param name="Optimizer">Adam or SGD with <paramref name="Momentum"/>.</param>
/// <param name="Momentum">SGD's momentum.</param>
/// <param name="EvaluateEvery">Real steps between the rows of figures.csv (the loss and the task's reading are taken at every step).</param>
/// <param name="ReferenceLearningRate">When set, the targets are the best smoothed values of a plain run at this rate
/// (both runs at a tuned rate race to the default rate's best); otherwise the plain run's own.</param>
/// <param name="TargetLoss">An explicit training-loss target, overriding the reference's or plain's.</param>
/// <param name="Guard">Whether jumps are checked against the training loss (and rolled back when it rises); without a
/// guard every finite forecast is kept — the ablation that shows what the guard is for.</param>
/// <param name="StepLossGuard">The guard reads the training loss each step computes anyway
/// (<see cref="FarcastOptimizer.VerifyWithStepLoss"/>; needs <see cref="FarcastOptions.JudgeAfterSteps"/> ≥ 1) instead of
/// a forward pass of its own.</param>
/// <param name="AverageDecay">When above 0, both runs keep an exponential moving average of their weights with this decay,
/// read at every step beside them (the curves plain_ema and farcast_ema: the control a saving must beat).</param>
public sealed record FullBatchSettings(int Steps = 3000, int Seeds = 1, int FirstSeed = 1, double LearningRate = 1e-3, InnerOptimizer Optimizer = InnerOptimizer.Adam,
    double Momentum = 0.9, int EvaluateEvery = 100, double? ReferenceLearningRate = null, double? TargetLoss = null, bool Guard = true, bool StepLossGuard = false,
    double AverageDecay = 0);

/// <summary>
/// The main job: a full-batch task trained twice per seed from the same initial weights — plain, and wrapped in
/// <see cref="FarcastOptimizer"/> guarded by the exact training loss — interleaved step by step. The speed-up is the
/// real steps (and seconds) each needs to reach the task's target in the user's terms (the plain run's best smoothed
/// validation loss, PSNR or error within the budget, <see cref="SmoothedTarget"/>), beside the same for the training loss.
/// </summary>
public static class FullBatchJob
{
    /// <param name="task">What is trained.</param>
    /// <param name="settings">Steps, seeds, optimizer.</param>
    /// <param name="options">The farcast settings.</param>
    /// <param name="logger">Receives the wrapper's jump messages.</param>
    /// <param name="progress">(label, step, steps) every 1 % of the steps.</param>
    /// <param name="afterStep">Called after each interleaved step with (seed, step, plain, farcast), e.g. to render images.</param>
    /// <param name="seedDone">The seeds finished so far, after each one (to write them as they finish).</param>
    public static IReadOnlyList<FullBatchSeedResult> Run(IFullBatchTask task, FullBatchSettings settings, FarcastOptions options, ILogger? logger = null,
        Action<RunProgress>? progress = null, Action<int, int, FullBatchRun, FullBatchRun>? afterStep = null,
        Action<IReadOnlyList<FullBatchSeedResult>>? seedDone = null)
    {
        var results = new List<FullBatchSeedResult>();
        for (var s = 0; s < settings.Seeds; s++)
        {
            results.Add(RunSeed(task, settings, options, settings.FirstSeed + s, logger, progress, afterStep));
            seedDone?.Invoke(results);
        }
        return results;
    }

    private static FullBatchSeedResult RunSeed(IFullBatchTask task, FullBatchSettings settings, FarcastOptions options, int seed, ILogger? logger,
        Action<RunProgress>? progress, Action<int, int, FullBatchRun, FullBatchRun>? afterStep)
    {
        random.manual_seed(seed);
        using var plainModel = task.CreateModel();
        using var farcastModel = task.CreateModel();
        farcastModel.load_state_dict(plainModel.state_dict());
        var every = Math.Max(1, settings.Steps / 100);

        FullBatchRun? reference = null;
        if (settings.ReferenceLearningRate is { } referenceRate && referenceRate != settings.LearningRate)
        {
            using var referenceModel = task.CreateModel();
            referenceModel.load_state_dict(plainModel.state_dict());
            reference = new FullBatchRun(task, referenceModel, settings.Optimizer.Create(referenceModel.parameters(), referenceRate, settings.Momentum));
            for (var step = 1; step <= settings.Steps; step++)
            {
                reference.Step();
                if (step % every == 0) progress?.Invoke(new RunProgress($"seed {seed}: reference at lr {referenceRate:G3}", step, settings.Steps));
            }
            reference.Finish();
        }

        using var plainAverage = settings.AverageDecay > 0 ? new ExponentialWeightAverage(plainModel.parameters(), settings.AverageDecay) : null;
        using var farcastAverage = settings.AverageDecay > 0 ? new ExponentialWeightAverage(farcastModel.parameters(), settings.AverageDecay) : null;
        var plain = new FullBatchRun(task, plainModel, settings.Optimizer.Create(plainModel.parameters(), settings.LearningRate, settings.Momentum), average: plainAverage);
        using var farcast = new FarcastOptimizer(settings.Optimizer.Create(farcastModel.parameters(), settings.LearningRate, settings.Momentum), options, logger);
        if (!settings.Guard) farcast.RunWithoutGuard = true;
        else if (settings.StepLossGuard) farcast.VerifyWithStepLoss = true;
        else farcast.VerificationLoss = () => (float)task.EvaluateLoss(farcastModel);
        var kept = new List<int>();
        farcast.Jumped += (_, e) => kept.Add(e.Steps);
        var farcasting = new FullBatchRun(task, farcastModel, farcast, average: farcastAverage);

        FullBatchRun.Interleave(plain, farcasting, settings.Steps, step =>
        {
            afterStep?.Invoke(seed, step, plain, farcasting);
            if (step % every == 0)
                progress?.Invoke(new RunProgress($"seed {seed}: plain and farcast", step, settings.Steps, FormattableString.Invariant(
                    $"loss {plain.Points[^1].Loss:G3} / {farcasting.Points[^1].Loss:G3}, jumps {farcast.Jumps} kept, {farcast.RejectedJumps} rejected")));
        });

        var source = reference ?? plain;
        var sourceTargets = source.Readings.Targets();
        var target = SmoothedTarget.Best(sourceTargets);
        var targetLoss = settings.TargetLoss ?? SmoothedTarget.Best(source.Points.Losses());
        var detail = SmoothedTarget.FirstReached(sourceTargets, target) is { } at ? source.Readings[at].Detail : null;
        return new FullBatchSeedResult(seed, FullBatchRunResult.Of(plain, target, targetLoss), FullBatchRunResult.Of(farcasting, target, targetLoss),
            target, task.DescribeTarget(target, detail), targetLoss, reference is null ? null : settings.ReferenceLearningRate, farcast.Jumps,
            farcast.RejectedJumps, farcast.Overhead.TotalSeconds, farcast.VerificationOverhead.TotalSeconds, kept);
    }
}
