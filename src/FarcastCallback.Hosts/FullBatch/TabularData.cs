using System.Globalization;
using FarcastCallback.Hosts.Data;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>Examples of a tabular classification set: standardised features and class indices.</summary>
public sealed record TabularSet(float[][] Features, int[] Labels)
{
    public int Count => Labels.Length;

    internal (Tensor Features, Tensor Labels) ToTensors() => (
        tensor(Features.SelectMany(f => f).ToArray(), new long[] { Count, Features.Length == 0 ? 0 : Features[0].Length }).DetachFromDisposeScope(),
        tensor(Labels.Select(l => (long)l).ToArray()).DetachFromDisposeScope());
}

/// <summary>
/// A classification set split into training and test examples, features standardised with the training set's mean and
/// standard deviation: synthetic two moons, or a CSV file's numeric columns with a label column.
/// </summary>
public sealed record TabularData(string Source, int Features, IReadOnlyList<string> Classes, TabularSet Train, TabularSet Test)
{
    /// <summary>Two interleaving half circles with Gaussian noise (σ = <paramref name="noise"/>), drawn with a fixed seed.</summary>
    public static TabularData TwoMoons(int train = 2000, int test = 1000, double noise = 0.1, int seed = 0)
    {
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        (float[][] X, int[] Y) Draw(int count)
        {
            var x = new float[count][];
            var y = new int[count];
            for (var i = 0; i < count; i++)
            {
                var t = Math.PI * random.NextDouble();
                y[i] = i % 2;
                var (a, b) = y[i] == 0 ? (Math.Cos(t), Math.Sin(t)) : (1 - Math.Cos(t), 0.5 - Math.Sin(t));
                x[i] = new[] { (float)(a + noise * Gaussian()), (float)(b + noise * Gaussian()) };
            }
            return (x, y);
        }
        var (trainX, trainY) = Draw(train);
        var (testX, testY) = Draw(test);
        return Standardised($"two moons (noise {noise})", new[] { "upper", "lower" }, trainX, trainY, testX, testY);
    }

    /// <summary>
    /// Reads a CSV file with a header: <paramref name="labelColumn"/> holds the class, every other column a number.
    /// A fixed-seed 80/20 split gives the training and test sets.
    /// </summary>
    public static TabularData FromCsv(string path, string labelColumn, int seed = 0)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file '{path}' does not exist.", path);
        using var reader = new StreamReader(path, CsvRecords.Strict);
        using var rows = CsvRecords.Read(reader, path).GetEnumerator();
        if (!rows.MoveNext()) throw new InvalidDataException($"{path} is empty: a header row with '{labelColumn}' is needed.");
        var header = rows.Current;
        var labelIndex = Array.IndexOf(header, labelColumn);
        if (labelIndex < 0) throw new InvalidDataException($"{path} has no column '{labelColumn}'; its columns are: {string.Join(", ", header.Select(h => $"'{h}'"))}.");
        if (header.Length < 2) throw new InvalidDataException($"{path}: besides '{labelColumn}' there is no feature column.");

        var classes = new List<string>();
        var (features, labels, record) = (new List<float[]>(), new List<int>(), 1);
        while (rows.MoveNext())
        {
            record++;
            var row = rows.Current;
            if (row is [""]) continue;
            if (row.Length != header.Length)
                throw new InvalidDataException($"{path}, record {record}: {row.Length} fields, the header has {header.Length}.");
            var values = new float[header.Length - 1];
            for (int column = 0, k = 0; column < row.Length; column++)
            {
                if (column == labelIndex) continue;
                if (!float.TryParse(row[column], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
                    throw new InvalidDataException($"{path}, record {record}: column '{header[column]}' is '{row[column]}', not a finite number.");
                values[k++] = value;
            }
            var label = row[labelIndex].Trim();
            if (label.Length == 0) throw new InvalidDataException($"{path}, record {record}: empty label in column '{labelColumn}'.");
            var index = classes.IndexOf(label);
            if (index < 0)
            {
                classes.Add(label);
                index = classes.Count - 1;
            }
            features.Add(values);
            labels.Add(index);
        }
        if (classes.Count < 2) throw new InvalidDataException($"{path}: column '{labelColumn}' holds {classes.Count} class(es); at least 2 are needed.");
        if (labels.Count < 10) throw new InvalidDataException($"{path}: {labels.Count} records; at least 10 are needed for a training and a test set.");

        var order = Enumerable.Range(0, labels.Count).ToArray();
        new Random(seed).Shuffle(order);
        var testCount = Math.Max(1, labels.Count / 5);
        var test = order.Take(testCount).ToArray();
        var train = order.Skip(testCount).ToArray();
        return Standardised(Path.GetFileName(path), classes,
            train.Select(i => features[i]).ToArray(), train.Select(i => labels[i]).ToArray(),
            test.Select(i => features[i]).ToArray(), test.Select(i => labels[i]).ToArray());
    }

    private static TabularData Standardised(string source, IReadOnlyList<string> classes, float[][] trainX, int[] trainY, float[][] testX, int[] testY)
    {
        var width = trainX[0].Length;
        var mean = new double[width];
        var std = new double[width];
        for (var k = 0; k < width; k++)
        {
            mean[k] = trainX.Average(x => (double)x[k]);
            var variance = trainX.Average(x => (x[k] - mean[k]) * (x[k] - mean[k]));
            std[k] = variance > 0 ? Math.Sqrt(variance) : 1;
        }
        float[][] Apply(float[][] x) => x.Select(row => row.Select((v, k) => (float)((v - mean[k]) / std[k])).ToArray()).ToArray();
        return new TabularData(source, width, classes, new TabularSet(Apply(trainX), trainY), new TabularSet(Apply(testX), testY));
    }
}
