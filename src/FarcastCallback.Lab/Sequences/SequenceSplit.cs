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

    /// <summary>The first <paramref name="train"/> sequences, the next <paramref name="dev"/>, the rest as test (the paper's CNN: 5/2/3 of 10).</summary>
    public static SequenceSplit Counts(WeightSequences all, int train, int dev)
    {
        if (train < 1 || dev < 1 || train + dev >= all.Sequences)
            throw new ArgumentException($"A split of {all.Sequences} sequences into {train} train and {dev} dev leaves no test sequence.");
        return new SequenceSplit(all.Slice(0, train), all.Slice(train, dev), all.Slice(train + dev, all.Sequences - train - dev));
    }
}
