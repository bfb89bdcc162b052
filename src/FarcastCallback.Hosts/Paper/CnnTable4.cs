using FarcastCallback.Hosts.Mnist;
using FarcastCallback.Lab.Evaluation;
using FarcastCallback.Lab.Forecasters;
using FarcastCallback.Lab.Reporting;
using FarcastCallback.Lab.Sequences;

namespace FarcastCallback.Hosts.Paper;

/// <summary>
/// Table 4, CNN columns: the runs of <see cref="CnnTrajectories"/> split 5/2/3 (train, dev, test) in run order, steps
/// 0..10 known (input 11), steps 11..100 forecast (90), test MSE at steps 20, 40, 80 and 100, mean (std) over trials
/// that refit every forecaster with a fresh initialisation on the same sequences.
/// </summary>
public static class CnnTable4
{
    public const int InputSteps = 11;
    public static readonly IReadOnlyList<int> Checkpoints = new[] { 20, 40, 80, 100 };

    /// <summary>Evaluates <paramref name="models"/> on <paramref name="sequences"/> and writes the tables when <paramref name="outDirectory"/> is set.</summary>
    public static IReadOnlyList<ModelResult> Evaluate(WeightSequences sequences, IReadOnlyList<string> models, int trials, string? outDirectory, RunInfo run,
        IProgress<ForecastEvaluation.Progress>? progress = null)
    {
        if (sequences.Steps <= Checkpoints[^1])
            throw new ArgumentException($"Table 4 reports step {Checkpoints[^1]}: the sequences need at least {Checkpoints[^1] + 1} snapshots; got {sequences.Steps}.");
        var train = Math.Max(1, sequences.Sequences / 2);
        var dev = Math.Max(1, sequences.Sequences / 5);
        return Table4.Evaluate(sequences, InputSteps, Checkpoints, train, dev, models, trials, outDirectory, run, "cnn-mnist-adam",
            $"Table 4 — MNIST CNN, Adam ({sequences.Sequences} runs split {train}/{dev}/{sequences.Sequences - train - dev}, {sequences.Scalars} scalars per snapshot)", progress);
    }
}
