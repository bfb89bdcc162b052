namespace FarcastCallback.Lab.Sequences;

/// <summary>
/// Weight trajectories in the paper's layout: <c>(sequences, steps, scalars)</c>, step 0 being the initial weight
/// and step t the weight after t updates. Stored row-major in float64, like the paper's <c>.npy</c> files.
/// </summary>
public sealed class WeightSequences
{
    private readonly double[] _values;

    public WeightSequences(int sequences, int steps, int scalars, double[]? values = null)
    {
        if (sequences < 1 || steps < 2 || scalars < 1)
            throw new ArgumentException($"Weight sequences need at least 1 sequence, 2 steps and 1 scalar; got ({sequences}, {steps}, {scalars}).");
        Sequences = sequences;
        Steps = steps;
        Scalars = scalars;
        var length = checked(sequences * steps * scalars);
        if (values is not null && values.Length != length)
            throw new ArgumentException($"Expected {length} values for shape ({sequences}, {steps}, {scalars}); got {values.Length}.");
        _values = values ?? new double[length];
    }

    public int Sequences { get; }

    public int Steps { get; }

    public int Scalars { get; }

    /// <summary>
    /// Optional training loss per sequence and step, <c>[sequences, steps]</c> (the generators record it; a
    /// <c>.npy</c> file has none). Used by the Table 5 ablation, which appends it to LFD-2's input.
    /// </summary>
    public double[,]? Losses { get; init; }

    /// <summary>The raw row-major values.</summary>
    public ReadOnlySpan<double> Values => _values;

    public double this[int sequence, int step, int scalar]
    {
        get => _values[Index(sequence, step, scalar)];
        set => _values[Index(sequence, step, scalar)] = value;
    }

    /// <summary>The sequences <paramref name="start"/> .. start + count - 1 as a new set.</summary>
    public WeightSequences Slice(int start, int count)
    {
        if (start < 0 || count < 1 || start + count > Sequences)
            throw new ArgumentOutOfRangeException(nameof(count), $"Cannot take sequences {start}..{start + count - 1} of {Sequences}.");
        var size = Steps * Scalars;
        double[,]? losses = null;
        if (Losses is not null)
        {
            losses = new double[count, Steps];
            for (var s = 0; s < count; s++)
                for (var t = 0; t < Steps; t++)
                    losses[s, t] = Losses[start + s, t];
        }
        return new WeightSequences(count, Steps, Scalars, _values.AsSpan(start * size, count * size).ToArray()) { Losses = losses };
    }

    /// <summary>
    /// Every scalar of every sequence as one univariate series (channel-independent, as in DLinear and the paper):
    /// a [sequences × scalars, steps] matrix, series (s, i) at row s × scalars + i.
    /// </summary>
    public double[,] Series()
    {
        var series = new double[Sequences * Scalars, Steps];
        for (var s = 0; s < Sequences; s++)
            for (var t = 0; t < Steps; t++)
                for (var i = 0; i < Scalars; i++)
                    series[s * Scalars + i, t] = this[s, t, i];
        return series;
    }

    /// <summary>The training loss of each series' sequence, as <see cref="Series"/> orders them; null without losses.</summary>
    public double[,]? SeriesLosses()
    {
        if (Losses is null) return null;
        var losses = new double[Sequences * Scalars, Steps];
        for (var s = 0; s < Sequences; s++)
            for (var i = 0; i < Scalars; i++)
                for (var t = 0; t < Steps; t++)
                    losses[s * Scalars + i, t] = Losses[s, t];
        return losses;
    }

    private int Index(int sequence, int step, int scalar) => (sequence * Steps + step) * Scalars + scalar;
}
