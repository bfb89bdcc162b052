using System.Text.Json;
using System.Text.Json.Nodes;
using FarcastCallback.Hosts.Training;
using FarcastCallback.Lab.Reporting;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>One learning rate of the grid: per seed, plain real steps and seconds to the task's target, and whether it got there.</summary>
public sealed record LearningRateResult(double LearningRate, IReadOnlyList<TimeToTarget> PerSeed)
{
    /// <summary>Whether the rate reached the target on most seeds (its best smoothed value is at or below the reference's).</summary>
    public bool Stable => PerSeed.Count(t => t.Steps is not null) * 2 > PerSeed.Count;

    public double? MedianSteps => Speedup.MedianTime(PerSeed.Select(t => (double?)t.Steps));

    public double? MedianSeconds => Speedup.MedianTime(PerSeed.Select(t => t.Seconds));
}

/// <summary>
/// The honest baseline: before farcasting is credited with a saving, plain training gets its best learning rate. Each
/// seed trains a plain run at the reference rate, whose best smoothed value of the task's target (validation loss,
/// MSE, error; <see cref="SmoothedTarget"/>) is the target, then a plain run at every rate of the grid; the best rate
/// reaches the target in the fewest real steps (median over seeds) among the rates that reach it on most seeds.
/// </summary>
public static class LearningRateGrid
{
    public static IReadOnlyList<LearningRateResult> Run(IFullBatchTask task, FullBatchSettings settings, IReadOnlyList<double> rates,
        Action<RunProgress>? progress = null)
    {
        var reference = settings.ReferenceLearningRate ?? settings.LearningRate;
        var perRate = rates.ToDictionary(r => r, _ => new List<TimeToTarget>());
        for (var s = 0; s < settings.Seeds; s++)
        {
            var seed = settings.FirstSeed + s;
            random.manual_seed(seed);
            using var initial = task.CreateModel();
            var target = SmoothedTarget.Best(Train(task, settings, initial, reference, $"seed {seed}: reference lr {reference:G3}", progress).Readings.Targets());
            foreach (var rate in rates)
            {
                var run = Train(task, settings, initial, rate, $"seed {seed}: lr {rate:G3}", progress);
                perRate[rate].Add(TimeToTarget.Of(run.Points, run.Readings.Targets(), target, run.Readings));
            }
        }
        return rates.Select(r => new LearningRateResult(r, perRate[r])).ToArray();
    }

    /// <summary>The rate with the fewest median steps to the target among those that reach it on most seeds; null when none does.</summary>
    public static double? Best(IReadOnlyList<LearningRateResult> results) =>
        results.Where(r => r.MedianSteps is not null && r.Stable).OrderBy(r => r.MedianSteps).Select(r => (double?)r.LearningRate).FirstOrDefault();

    public static JsonObject Summary(IFullBatchTask task, IReadOnlyList<LearningRateResult> results, RunInfo run, FullBatchSettings settings) => new()
    {
        ["task"] = task.Name,
        ["description"] = task.Description,
        ["reference_learning_rate"] = settings.ReferenceLearningRate ?? settings.LearningRate,
        ["target"] = $"{task.TargetName}: the reference run's best mean of {SmoothedTarget.Window} consecutive steps",
        ["best_learning_rate"] = Best(results),
        ["rates"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
        {
            ["learning_rate"] = r.LearningRate,
            ["median_steps_to_target"] = r.MedianSteps,
            ["median_seconds_to_target"] = r.MedianSeconds,
            ["steps_to_target"] = new JsonArray(r.PerSeed.Select(t => (JsonNode?)(t.Steps is { } v ? JsonValue.Create(v) : null)).ToArray()),
            ["stable"] = r.Stable,
        }).ToArray()),
        ["seeds"] = new JsonArray(Enumerable.Range(settings.FirstSeed, settings.Seeds).Select(s => (JsonNode)s).ToArray()),
        ["machine"] = run.Machine,
        ["device"] = run.Device,
        ["date"] = run.Date,
        ["command"] = run.Command,
        ["settings"] = JsonSerializer.SerializeToNode(settings),
    };

    private static FullBatchRun Train(IFullBatchTask task, FullBatchSettings settings, nn.Module<Tensor, Tensor> initial, double rate, string label,
        Action<RunProgress>? progress)
    {
        using var model = task.CreateModel();
        model.load_state_dict(initial.state_dict());
        var run = new FullBatchRun(task, model, settings.Optimizer.Create(model.parameters(), rate, settings.Momentum));
        var every = Math.Max(1, settings.Steps / 100);
        for (var step = 1; step <= settings.Steps; step++)
        {
            run.Step();
            if (step % every == 0) progress?.Invoke(new RunProgress(label, step, settings.Steps, FormattableString.Invariant($"loss {run.Points[^1].Loss:G3}")));
        }
        run.Finish();
        return run;
    }
}
