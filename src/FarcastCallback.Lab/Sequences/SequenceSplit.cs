namespace FarcastCallback.Lab.Sequences;

/// <summary>The paper's split of sequences into train, dev (early stopping) and test, in order: 100/50/50 of 200.</summary>
public sealed record SequenceSplit(WeightSequences Train, WeightSequences Dev, WeightSequences Test)
{
    /// <summary>Splits by the paper's proportions (1/2, 1/4, 1/4); at least one sequence in each part.</summary>
    public static SequenceSplit Paper(WeightSequences all)
    {
        if (all.Sequences < 3)
            throw new ArgumentException($"Splitting into train/dev/test needs at least 3 sequences; got {all.Sequences}.");
        var train = Math.Max(1, all.Sequences / 2);
        var dev = Math.Max(1, (all.Sequences - train) / 2);
        var test = all.Sequences - train - dev;
        return new SequenceSplit(all.Slice(0, train), all.Slice(train, dev), all.Slice(train + dev, test));
    }
}
