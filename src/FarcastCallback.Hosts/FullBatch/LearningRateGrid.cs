using System.Text.Json;
using System.Text.Json.Nodes;
using FarcastCallback.Hosts.Training;
using FarcastCallback.Lab.Reporting;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>One learning rate of the grid: per seed, plain real steps and seconds to the target and the final loss.</summary>
public sealed record LearningRateResult(double LearningRate, IReadOnlyList<TimeToLoss> PerSeed, IReadOnlyList<double> FinalLosses, IReadOnlyList<double> Targets)
{
    /// <summary>Whether the rate ended at or below the target on most seeds: it got there and stayed, rather than diverging later.</summary>
    public bool Stable => FinalLosses.Zip(Targets).Count(p => p.First <= p.Second) * 2 > FinalLosses.Count;

    public double? MedianSteps => Speedup.MedianTime(PerSeed.Select(t => (double?)t.Steps));

    public double? MedianSeconds => Speedup.MedianTime(PerSeed.Select(t => t.Seconds));
}

/// <summary>
/// The honest baseline: before farcasting is credited with a saving, plain training gets its best learning rate. Each
/// seed trains a plain run at the reference rate, whose final loss is the target, then a plain run at every rate of the
/// grid; the best rate reaches the target in the fewest real steps (median over seeds) among the rates that are still
/// at or below it at the end of the budget — a rate that gets there early and then diverges is no baseline.
/// </summary>
public static class LearningRateGrid
{
    public static IReadOnlyList<LearningRateResult> Run(IFullBatchTask task, FullBatchSettings settings, IReadOnlyList<double> rates,
        Action<string, int, int>? progress = null)
    {
        var reference = settings.ReferenceLearningRate ?? settings.LearningRate;
        var perRate = rates.ToDictionary(r => r, _ => new List<TimeToLoss>());
        var finals = rates.ToDictionary(r => r, _ => new List<double>());
        var targets = new List<double>();
        for (var s = 0; s < settings.Seeds; s++)
        {
            var seed = settings.FirstSeed + s;
            random.manual_seed(seed);
            using var initial = task.CreateModel();
            var target = settings.TargetLoss ?? Train(task, settings, initial, reference, $"seed {seed}: reference lr {reference:G3}", progress).Points[^1].Loss;
            targets.Add(target);
            foreach (var rate in rates)
            {
                var points = Train(task, settings, initial, rate, $"seed {seed}: lr {rate:G3}", progress).Points;
                perRate[rate].Add(TimeToLoss.Of(points, target));
                finals[rate].Add(points[^1].Loss);
            }
        }
        return rates.Select(r => new LearningRateResult(r, perRate[r], finals[r], targets)).ToArray();
    }

    /// <summary>The stable rate with the fewest median steps to the target; null when none reached it on half the seeds.</summary>
    public static double? Best(IReadOnlyList<LearningRateResult> results) =>
        results.Where(r => r.MedianSteps is not null && r.Stable).OrderBy(r => r.MedianSteps).Select(r => (double?)r.LearningRate).FirstOrDefault();

    public static JsonObject Summary(IFullBatchTask task, IReadOnlyList<LearningRateResult> results, RunInfo run, FullBatchSettings settings) => new()
    {
        ["task"] = task.Name,
        ["description"] = task.Description,
        ["reference_learning_rate"] = settings.ReferenceLearningRate ?? settings.LearningRate,
        ["best_learning_rate"] = Best(results),
        ["rates"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
        {
            ["learning_rate"] = r.LearningRate,
            ["median_steps_to_target"] = r.MedianSteps,
            ["median_seconds_to_target"] = r.MedianSeconds,
            ["steps_to_target"] = new JsonArray(r.PerSeed.Select(t => (JsonNode?)(t.Steps is { } v ? JsonValue.Create(v) : null)).ToArray()),
            ["final_loss"] = new JsonArray(r.FinalLosses.Select(v => (JsonNode)v).ToArray()),
            ["stable"] = r.Stable,
        }).ToArray()),
        ["seeds"] = new JsonArray(Enumerable.Range(settings.FirstSeed, settings.Seeds).Select(s => (JsonNode)s).ToArray()),
        ["machine"] = run.Machine,
        ["date"] = run.Date,
        ["command"] = run.Command,
        ["settings"] = JsonSerializer.SerializeToNode(settings),
    };

    private static FullBatchRun Train(IFullBatchTask task, FullBatchSettings settings, nn.Module<Tensor, Tensor> initial, double rate, string label,
        Action<string, int, int>? progress)
    {
        using var model = task.CreateModel();
        model.load_state_dict(initial.state_dict());
        var run = new FullBatchRun(task, model, settings.Optimizer.Create(model.parameters(), rate, settings.Momentum));
        var every = Math.Max(1, settings.Steps / 100);
        for (var step = 1; step <= settings.Steps; step++)
        {
            run.Step();
            if (step % every == 0) progress?.Invoke(label, step, settings.Steps);
        }
        run.Finish();
        return run;
    }
}
