using FarcastCallback.Hosts.Text;
using FarcastCallback.Lab.Sequences;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Paper;

/// <summary>Settings of the fine-tuning trajectory of Table 4's BERT columns.</summary>
/// <param name="Steps">AdamW steps of the one run (the paper: 60); snapshots 0 .. Steps.</param>
/// <param name="Scalars">Scalars per sample; two disjoint uniform samples are drawn (fit/test and early-stopping).</param>
/// <param name="Seed">Seed of the run (head, batches, dropout) and of the samples.</param>
/// <param name="Job">Batch size, learning rate, schedule and maximum length of the fine-tune.</param>
public sealed record TextTrajectorySettings(int Steps, int Scalars, int Seed, TextJobSettings Job);

/// <summary>
/// One fine-tuning run recorded as Table 4 (BERT columns) evaluates it: the paper fits on steps 0..29 and tests on
/// 30..59 of the same weights. Here the run has <c>Steps</c> = 60 steps (61 snapshots) and the result holds three
/// sequences of <c>Steps/2 + 1</c> snapshots: sample A over steps 0..30 (train), a disjoint sample B over steps 0..30
/// (dev, for early stopping) and sample A over steps 30..60 (test). Only the sampled scalars are kept, never a
/// full snapshot (the paper stored 60 full DistilBERT snapshots, ~40 GB).
/// </summary>
public static class TextTrajectories
{
    public static WeightSequences Collect(TextSplit split, TextTokenizer tokenizer, Func<TransformerClassifier> pretrained, TextTrajectorySettings settings,
        IProgress<int>? progress = null)
    {
        if (settings.Steps < 4 || settings.Steps % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(settings), $"--steps must be even and at least 4 (two halves); got {settings.Steps}.");
        random.manual_seed(settings.Seed);
        using var model = pretrained();
        var parameters = model.parameters().ToArray();
        var total = checked((int)parameters.Sum(p => p.numel()));
        if (settings.Scalars < 1 || 2L * settings.Scalars > total)
            throw new ArgumentOutOfRangeException(nameof(settings), $"--scalars must be in 1..{total / 2} (two disjoint samples of {total}); got {settings.Scalars}.");
        var drawn = CnnTrajectories.Positions(total, 2 * settings.Scalars, settings.Seed);
        var sampleA = drawn.Where((_, i) => i % 2 == 0).ToArray();
        var sampleB = drawn.Where((_, i) => i % 2 == 1).ToArray();
        using var indexA = tensor(sampleA.Select(p => (long)p).ToArray()).DetachFromDisposeScope();
        using var indexB = tensor(sampleB.Select(p => (long)p).ToArray()).DetachFromDisposeScope();

        var half = settings.Steps / 2;
        var sequences = new WeightSequences(3, half + 1, settings.Scalars);
        using var trainer = new TextTrainer(split, tokenizer, settings.Job.MaxLength);
        var optimizer = optim.AdamW(parameters, settings.Job.LearningRate, weight_decay: settings.Job.WeightDecay);
        var run = trainer.Start(model, optimizer, settings.Job.BatchSize, settings.Seed, schedule: (settings.Job with { Steps = settings.Steps }).Schedule(optimizer));
        for (var step = 0; step <= settings.Steps; step++)
        {
            if (step > 0) run.Step();
            if (step <= half)
            {
                CnnTrajectories.Snapshot(parameters, indexA, sequences, 0, step);
                CnnTrajectories.Snapshot(parameters, indexB, sequences, 1, step);
            }
            if (step >= half) CnnTrajectories.Snapshot(parameters, indexA, sequences, 2, step - half);
            progress?.Report(step);
        }
        return sequences;
    }
}
