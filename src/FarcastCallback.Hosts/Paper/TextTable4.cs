using FarcastCallback.Lab.Evaluation;
using FarcastCallback.Lab.Forecasters;
using FarcastCallback.Lab.Reporting;
using FarcastCallback.Lab.Sequences;

namespace FarcastCallback.Hosts.Paper;

/// <summary>
/// Table 4, BERT columns, on the sequences of <see cref="TextTrajectories"/>: fit on the first half of the run (steps
/// 0..30), early-stop on a disjoint scalar sample of the same steps, test on the second half (steps 30..60, the same
/// scalars as training); input 5 steps, forecast the rest; test MSE at window steps 15, 20, 25 and 30.
/// </summary>
public static class TextTable4
{
    public const int InputSteps = 5;
    public static readonly IReadOnlyList<int> Checkpoints = new[] { 15, 20, 25, 30 };

    public static IReadOnlyList<ModelResult> Evaluate(WeightSequences sequences, string modelName, IReadOnlyList<string> models, int trials, string? outDirectory, RunInfo run,
        IProgress<ForecastEvaluation.Progress>? progress = null)
    {
        if (sequences.Sequences != 3 || sequences.Steps <= Checkpoints[^1])
            throw new ArgumentException($"Table 4 (BERT) needs the 3 sequences of a text trajectory with at least {Checkpoints[^1] + 1} snapshots; got {sequences.Sequences} × {sequences.Steps}.");
        return Table4.Evaluate(sequences, InputSteps, Checkpoints, 1, 1, models, trials, outDirectory, run, "text-finetune-adamw",
            $"Table 4 — {modelName}, AdamW fine-tune (fit steps 0..30, test 30..60, {sequences.Scalars} scalars)", progress);
    }
}
