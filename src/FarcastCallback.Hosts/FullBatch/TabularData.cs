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
/// A classification set split into training, validation and test examples, features standardised with the training
/// set's mean and standard deviation: synthetic two moons or spirals, or a CSV file's numeric columns with a label
/// column. The validation set decides the target (a user stops training at the best validation loss); the test set
/// is only reported.
/// </summary>
public sealed record TabularData(string Source, int Features, IReadOnlyList<string> Classes, TabularSet Train, TabularSet Validation, TabularSet Test)
{
    /// <summary>Two interleaving half circles with Gaussian noise (σ = <paramref name="noise"/>), drawn with a fixed seed.</summary>
    public static TabularData TwoMoons(int train = 2000, int validation = 1000, int test = 1000, double noise = 0.1, int seed = 0)
    {
        var draw = Sampler(seed, 2, (label, uniform, gaussian) =>
        {
            var t = Math.PI * uniform();
            var (a, b) = label == 0 ? (Math.Cos(t), Math.Sin(t)) : (1 - Math.Cos(t), 0.5 - Math.Sin(t));
            return new[] { (float)(a + noise * gaussian()), (float)(b + noise * gaussian()) };
        });
        return Standardised($"two moons (noise {noise})", new[] { "upper", "lower" }, draw(train), draw(validation), draw(test));
    }

    /// <summary>
    /// <paramref name="classes"/> interleaved spiral arms of <paramref name="turns"/> turns each, radius growing from 0 to
    /// 1, with Gaussian noise (σ = <paramref name="noise"/>) on both coordinates, drawn with a fixed seed. Full-batch
    /// training needs thousands of steps to carve the arms apart, and the noise makes the arms overlap near the centre,
    /// so the best validation loss is a real early-stopping point rather than the memorised training set.
    /// </summary>
    public static TabularData Spirals(int train = 2000, int validation = 1000, int test = 1000, int classes = 3, double turns = 2.5, double noise = 0.02, int seed = 0)
    {
        var draw = Sampler(seed, classes, (label, uniform, gaussian) =>
        {
            var r = uniform();
            var angle = 2 * Math.PI * (turns * r + (double)label / classes);
            return new[] { (float)(r * Math.Cos(angle) + noise * gaussian()), (float)(r * Math.Sin(angle) + noise * gaussian()) };
        });
        var names = Enumerable.Range(1, classes).Select(k => $"arm {k}").ToArray();
        return Standardised(FormattableString.Invariant($"{classes} spirals ({turns} turns, noise {noise})"), names, draw(train), draw(validation), draw(test));
    }

    /// <summary>
    /// Draws sets of points of classes 0, 1, … in turn, each from <c>point(class, uniform, gaussian)</c>, all from one
    /// generator seeded with <paramref name="seed"/>.
    /// </summary>
    private static Func<int, (float[][] X, int[] Y)> Sampler(int seed, int classes, Func<int, Func<double>, Func<double>, float[]> point)
    {
        var random = new Random(seed);
        double Uniform() => random.NextDouble();
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return count =>
        {
            var (x, y) = (new float[count][], new int[count]);
            for (var i = 0; i < count; i++)
            {
                y[i] = i % classes;
                x[i] = point(y[i], Uniform, Gaussian);
            }
            return (x, y);
        };
    }

    /// <summary>
    /// Reads a CSV file with a header: <paramref name="labelColumn"/> holds the class, every other column a number.
    /// A fixed-seed 60/20/20 split gives the training, validation and test sets.
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
                var field = row[column].Trim();
                if (field.Length == 0 || MissingMarkers.Contains(field))
                    throw new InvalidDataException($"{path}, record {record}: missing value in column '{header[column]}' ('{field}'); fill or drop the row.");
                if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !float.IsFinite(value))
                    throw new InvalidDataException($"{path}, record {record}: column '{header[column]}' is '{row[column]}', not a finite number.");
                values[k++] = value;
            }
            var label = CanonicalLabel(row[labelIndex].Trim());
            if (label.Length == 0 || MissingMarkers.Contains(label))
                throw new InvalidDataException($"{path}, record {record}: missing label in column '{labelColumn}'.");
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
        if (labels.Count < 10) throw new InvalidDataException($"{path}: {labels.Count} records; at least 10 are needed for training, validation and test sets.");

        var order = Enumerable.Range(0, labels.Count).ToArray();
        new Random(seed).Shuffle(order);
        var heldOut = Math.Max(1, labels.Count / 5);
        (float[][], int[]) Pick(IEnumerable<int> rows) => (rows.Select(i => features[i]).ToArray(), rows.Select(i => labels[i]).ToArray());
        return Standardised(Path.GetFileName(path), classes,
            Pick(order.Skip(2 * heldOut)), Pick(order.Skip(heldOut).Take(heldOut)), Pick(order.Take(heldOut)));
    }

    /// <summary>Field values that mean "no value" in common exports (R, pandas, UCI).</summary>
    private static readonly HashSet<string> MissingMarkers = new(StringComparer.OrdinalIgnoreCase) { "NA", "N/A", "NaN", "null", "?" };

    /// <summary>A numeric label in one spelling (<c>1</c>, <c>1.0</c> and <c>01</c> are one class); any other text as it is.</summary>
    private static string CanonicalLabel(string label) =>
        decimal.TryParse(label, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? (number / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture)
            : label;

    private static TabularData Standardised(string source, IReadOnlyList<string> classes, (float[][] X, int[] Y) train, (float[][] X, int[] Y) validation,
        (float[][] X, int[] Y) test)
    {
        var trainX = train.X;
        var width = trainX[0].Length;
        var mean = new double[width];
        var std = new double[width];
        for (var k = 0; k < width; k++)
        {
            mean[k] = trainX.Average(x => (double)x[k]);
            var variance = trainX.Average(x => (x[k] - mean[k]) * (x[k] - mean[k]));
            std[k] = variance > 0 ? Math.Sqrt(variance) : 1;
        }
        TabularSet Apply((float[][] X, int[] Y) set) => new(set.X.Select(row => row.Select((v, k) => (float)((v - mean[k]) / std[k])).ToArray()).ToArray(), set.Y);
        return new TabularData(source, width, classes, Apply(train), Apply(validation), Apply(test));
    }
}
