using System.IO.Compression;

namespace FarcastCallback.Hosts.Mnist;

/// <summary>
/// The standard MNIST IDX format (also Fashion-MNIST's): <c>*-images-idx3-ubyte</c> (magic 2051, count, 28, 28, bytes)
/// and <c>*-labels-idx1-ubyte</c> (magic 2049, count, bytes), big-endian, optionally gzipped.
/// </summary>
public static class IdxFiles
{
    /// <summary>
    /// The most images a folder (all its files together) or one file may hold: four times MNIST's 70,000. Decoding
    /// keeps only the images a run asks for (<c>--limit</c>), so this bounds the work, and the memory without a limit.
    /// </summary>
    public const int MaxImages = 280_000;

    /// <summary>
    /// Reads every images/labels pair in a folder (train and t10k) into one set; with a <paramref name="limit"/> below
    /// the total, only that many images, drawn without replacement with <paramref name="seed"/> over the files in order
    /// (the same draw as <see cref="MnistData.Sample"/> of the whole set), and only those are decoded and kept.
    /// </summary>
    public static MnistImages ReadFolder(string folder, int limit = 0, int seed = 0)
    {
        var files = Directory.GetFiles(folder);
        var images = files.Where(f => Path.GetFileName(f).Contains("images-idx3-ubyte", StringComparison.Ordinal)).Order().ToArray();
        if (images.Length == 0)
            throw new FileNotFoundException($"No '*-images-idx3-ubyte[.gz]' file in '{folder}'.");
        var pairs = images.Select(imageFile => (imageFile, files
            .FirstOrDefault(f => Path.GetFileName(f) == Path.GetFileName(imageFile).Replace("images-idx3", "labels-idx1", StringComparison.Ordinal))
            ?? throw new FileNotFoundException($"'{Path.GetFileName(imageFile)}' has no matching labels file ('*-labels-idx1-ubyte') in '{folder}'."))).ToArray();

        var counts = pairs.Select(p => HeaderCount(p.imageFile)).ToArray();
        var total = counts.Sum(c => (long)c);
        if (total > MaxImages)
            throw new InvalidDataException($"{folder}: its image files declare {total} images in all; at most {MaxImages} are read.");
        var keep = Selection((int)total, limit, seed);
        var kept = keep.Count(k => k >= 0);
        var pixels = new float[kept * MnistImages.Pixels];
        var labels = new byte[kept];
        var offset = 0;
        for (var f = 0; f < pairs.Length; f++)
        {
            Decode(pairs[f].imageFile, pairs[f].Item2, keep.AsSpan(offset, counts[f]), pixels, labels);
            offset += counts[f];
        }
        return new MnistImages(pixels, labels);
    }

    /// <summary>Reads the <c>train-*</c> and <c>t10k-*</c> pairs of a folder separately.</summary>
    public static (MnistImages Train, MnistImages Test) ReadTrainAndTest(string folder)
    {
        if (File.Exists(folder)) throw new ArgumentException($"--data '{folder}' is a file, not a folder of IDX files.");
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Data folder '{folder}' does not exist.");
        MnistImages Pair(string prefix)
        {
            string Find(string kind) => Directory.GetFiles(folder).FirstOrDefault(f => Path.GetFileName(f).StartsWith($"{prefix}-{kind}", StringComparison.Ordinal))
                ?? throw new FileNotFoundException($"No '{prefix}-{kind}[.gz]' file in '{folder}'.");
            return Read(Find("images-idx3-ubyte"), Find("labels-idx1-ubyte"));
        }
        return (Pair("train"), Pair("t10k"));
    }

    /// <summary>Every image of one images/labels pair.</summary>
    public static MnistImages Read(string imageFile, string labelFile)
    {
        var count = HeaderCount(imageFile);
        var keep = Selection(count, 0, 0);
        var pixels = new float[count * MnistImages.Pixels];
        var labels = new byte[count];
        Decode(imageFile, labelFile, keep, pixels, labels);
        return new MnistImages(pixels, labels);
    }

    /// <summary>Per image of the whole set, where it goes in the result (-1: not kept): all in order, or a seeded draw of <paramref name="limit"/>.</summary>
    private static int[] Selection(int total, int limit, int seed)
    {
        if (limit <= 0 || limit >= total) return Enumerable.Range(0, total).ToArray();
        var order = Enumerable.Range(0, total).ToArray();
        new Random(seed).Shuffle(order);
        var keep = Enumerable.Repeat(-1, total).ToArray();
        for (var k = 0; k < limit; k++) keep[order[k]] = k;
        return keep;
    }

    /// <summary>The image count an images file's header declares, after checking the header (nothing else is decoded).</summary>
    private static int HeaderCount(string imageFile)
    {
        using var images = new IdxStream(imageFile, 2051, 16);
        return images.Count;
    }

    /// <summary>
    /// Streams one pair image by image, writing the images <paramref name="keep"/> asks for into their places: the
    /// headers must agree, the data must be complete, and nothing may follow it.
    /// </summary>
    private static void Decode(string imageFile, string labelFile, ReadOnlySpan<int> keep, float[] pixels, byte[] labels)
    {
        using var images = new IdxStream(imageFile, 2051, 16);
        using var labelStream = new IdxStream(labelFile, 2049, 8);
        var rows = BigEndian(images.Header, 8);
        var columns = BigEndian(images.Header, 12);
        if (rows != MnistImages.Side || columns != MnistImages.Side)
            throw new InvalidDataException($"{imageFile}: images are {rows}×{columns}, expected 28×28.");
        if (labelStream.Count != images.Count)
            throw new InvalidDataException($"{imageFile} holds {images.Count} images but {labelFile} {labelStream.Count} labels.");
        var image = new byte[MnistImages.Pixels];
        var label = new byte[1];
        for (var i = 0; i < images.Count; i++)
        {
            if (!images.ReadItem(image))
                throw new InvalidDataException($"{imageFile} is truncated: its header declares {images.Count} images, it holds {i}.");
            if (!labelStream.ReadItem(label))
                throw new InvalidDataException($"{labelFile} is truncated: its header declares {images.Count} labels, it holds {i}.");
            if (keep[i] < 0) continue;
            var target = pixels.AsSpan(keep[i] * MnistImages.Pixels, MnistImages.Pixels);
            for (var p = 0; p < image.Length; p++) target[p] = image[p] / 255f;
            labels[keep[i]] = label[0];
        }
        images.ThrowIfMoreData();
        labelStream.ThrowIfMoreData();
    }

    private static int BigEndian(byte[] bytes, int offset) =>
        (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];

    /// <summary>
    /// One IDX file, gunzipped on the fly when gzipped: its checked header (magic, a count of at most
    /// <see cref="MaxImages"/>), then its items one at a time, so a small file cannot inflate into memory.
    /// </summary>
    private sealed class IdxStream : IDisposable
    {
        private readonly string _path;
        private readonly FileStream _file;
        private readonly Stream _stream;

        public IdxStream(string path, int magic, int headerLength)
        {
            _path = path;
            _file = File.OpenRead(path);
            var gzipped = _file.ReadByte() == 0x1f && _file.ReadByte() == 0x8b;
            _file.Position = 0;
            _stream = gzipped ? new GZipStream(_file, CompressionMode.Decompress) : _file;
            Header = new byte[headerLength];
            if (Fill(Header) < headerLength) throw new InvalidDataException($"{path} is too short for an IDX header.");
            if (BigEndian(Header, 0) != magic) throw new InvalidDataException($"{path} is not an IDX file of the expected kind (magic {BigEndian(Header, 0)}, expected {magic}).");
            var count = (uint)BigEndian(Header, 4);
            if (count > MaxImages) throw new InvalidDataException($"{path} declares {count} items; at most {MaxImages} are read.");
            Count = (int)count;
        }

        public byte[] Header { get; }

        public int Count { get; }

        /// <summary>Reads the next item; false when the file ends first.</summary>
        public bool ReadItem(byte[] item) => Fill(item) == item.Length;

        public void ThrowIfMoreData()
        {
            if (Fill(new byte[1]) > 0) throw new InvalidDataException($"{_path} holds more data than its header's {Count} items.");
        }

        public void Dispose()
        {
            _stream.Dispose();
            _file.Dispose();
        }

        private int Fill(byte[] buffer)
        {
            try
            {
                return _stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            }
            catch (InvalidDataException exception)
            {
                throw new InvalidDataException($"{_path}: corrupt gzip data ({exception.Message}).", exception);
            }
        }
    }
}
