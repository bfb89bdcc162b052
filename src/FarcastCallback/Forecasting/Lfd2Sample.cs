namespace FarcastCallback.Forecasting;

/// <summary>
/// The trajectories of a uniform sample of scalars of one group over one window, for the L1 fit: per sampled scalar
/// its first weight F, displacement D = w(last) - w(first) and targets y_j = w(last + j) - w(first).
/// </summary>
internal sealed class Lfd2Sample
{
    public Lfd2Sample(int horizon)
    {
        Horizon = horizon;
        Targets = new double[horizon][];
        for (var j = 0; j < horizon; j++) Targets[j] = Array.Empty<double>();
        _targetSeen = new bool[horizon];
    }

    private readonly bool[] _targetSeen;
    private bool _lastSeen;

    public int Horizon { get; }

    public double[] First { get; private set; } = Array.Empty<double>();

    public double[] Displacement { get; private set; } = Array.Empty<double>();

    /// <summary>Targets[j - 1][i]: y_ij.</summary>
    public double[][] Targets { get; }

    public int Count => First.Length;

    public bool IsComplete => _lastSeen && _targetSeen.All(seen => seen);

    public void SetFirst(double[] first) => First = first;

    /// <summary>Stores D = w(last) - w(first) from the sampled last weights.</summary>
    public void SetLast(double[] last)
    {
        Displacement = Subtract(last, First);
        _lastSeen = true;
    }

    /// <summary>Stores y_j = w(last + j) - w(first) from the sampled weights of target step <paramref name="j"/>.</summary>
    public void SetTarget(int j, double[] weights)
    {
        Targets[j - 1] = Subtract(weights, First);
        _targetSeen[j - 1] = true;
    }

    /// <summary>Concatenates the samples of several groups into one.</summary>
    public static Lfd2Sample Concatenate(IReadOnlyList<Lfd2Sample> parts)
    {
        var total = new Lfd2Sample(parts[0].Horizon)
        {
            First = parts.SelectMany(p => p.First).ToArray(),
            Displacement = parts.SelectMany(p => p.Displacement).ToArray(),
            _lastSeen = parts.All(p => p._lastSeen),
        };
        for (var j = 0; j < total.Horizon; j++)
        {
            var index = j;
            total.Targets[j] = parts.SelectMany(p => p.Targets[index]).ToArray();
            total._targetSeen[j] = parts.All(p => p._targetSeen[index]);
        }
        return total;
    }

    public void Write(BinaryWriter writer)
    {
        WriteArray(writer, First);
        writer.Write(_lastSeen);
        WriteArray(writer, Displacement);
        for (var j = 0; j < Horizon; j++)
        {
            writer.Write(_targetSeen[j]);
            WriteArray(writer, Targets[j]);
        }
    }

    public static Lfd2Sample Read(BinaryReader reader, int horizon)
    {
        var sample = new Lfd2Sample(horizon) { First = ReadArray(reader) };
        sample._lastSeen = reader.ReadBoolean();
        sample.Displacement = ReadArray(reader);
        for (var j = 0; j < horizon; j++)
        {
            sample._targetSeen[j] = reader.ReadBoolean();
            sample.Targets[j] = ReadArray(reader);
        }
        return sample;
    }

    private static double[] Subtract(double[] a, double[] b)
    {
        if (a.Length != b.Length) throw new ArgumentException("Sampled weights of different lengths.");
        var result = new double[a.Length];
        for (var i = 0; i < a.Length; i++) result[i] = a[i] - b[i];
        return result;
    }

    private static void WriteArray(BinaryWriter writer, double[] values)
    {
        writer.Write(values.Length);
        foreach (var value in values) writer.Write(value);
    }

    private static double[] ReadArray(BinaryReader reader)
    {
        var length = reader.ReadInt32();
        if (length < 0) throw new InvalidDataException("Negative array length in saved farcast state.");
        var values = new double[length];
        for (var i = 0; i < length; i++) values[i] = reader.ReadDouble();
        return values;
    }
}
