using FarcastCallback.Lab.Evaluation;
using FarcastCallback.Lab.Forecasters;
using FarcastCallback.Lab.Reporting;
using FarcastCallback.Lab.Sequences;

namespace FarcastCallback.Hosts.Paper;

/// <summary>
/// What the two halves of the paper's Table 4 share: the forecasters fitted on the first <c>train</c> sequences,
/// early-stopped on the next <c>dev</c>, tested on the rest at the reported steps, and the tables written when asked.
/// </summary>
internal static class Table4
{
    public static IReadOnlyList<ModelResult> Evaluate(WeightSequences sequences, int inputSteps, IReadOnlyList<int> checkpoints, int train, int dev,
        IReadOnlyList<string> models, int trials, string? outDirectory, RunInfo run, string name, string title, IProgress<ForecastEvaluation.Progress>? progress)
    {
        var results = ForecastEvaluation.Run(_ => sequences, models, new ForecastTask(inputSteps, sequences.Steps), checkpoints, trials,
            progress: progress, split: all => SequenceSplit.Counts(all, train, dev));
        if (outDirectory is not null) ResultTables.WriteAll(outDirectory, "", name, title, run, inputSteps, trials, results);
        return results;
    }
}
