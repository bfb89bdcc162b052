using System.IO.Compression;

namespace FarcastCallback.Hosts.Mnist;

/// <summary>
/// The standard MNIST IDX format (also Fashion-MNIST's): <c>*-images-idx3-ubyte</c> (magic 2051, count, 28, 28, bytes)
/// and <c>*-labels-idx1-ubyte</c> (magic 2049, count, bytes), big-endian, optionally gzipped.
/// </summary>
public static class IdxFiles
{
    /// <summary>Reads every images/labels pair in a folder (train and t10k) into one set.</summary>
    public static MnistImages ReadFolder(string folder)
    {
        var images = Directory.GetFiles(folder).Where(f => Path.GetFileName(f).Contains("images-idx3-ubyte", StringComparison.Ordinal)).Order().ToArray();
        if (images.Length == 0)
            throw new FileNotFoundException($"No '*-images-idx3-ubyte[.gz]' file in '{folder}'.");
        MnistImages? all = null;
        foreach (var imageFile in images)
        {
            var labelFile = Directory.GetFiles(folder)
                .FirstOrDefault(f => Path.GetFileName(f) == Path.GetFileName(imageFile).Replace("images-idx3", "labels-idx1", StringComparison.Ordinal))
                ?? throw new FileNotFoundException($"'{Path.GetFileName(imageFile)}' has no matching labels file ('*-labels-idx1-ubyte') in '{folder}'.");
            var set = Read(imageFile, labelFile);
            all = all is null ? set : MnistImages.Concat(all, set);
        }
        return all!;
    }

    /// <summary>Reads the <c>train-*</c> and <c>t10k-*</c> pairs of a folder separately.</summary>
    public static (MnistImages Train, MnistImages Test) ReadTrainAndTest(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Data folder '{folder}' does not exist.");
        MnistImages Pair(string prefix)
        {
            string Find(string kind) => Directory.GetFiles(folder).FirstOrDefault(f => Path.GetFileName(f).StartsWith($"{prefix}-{kind}", StringComparison.Ordinal))
                ?? throw new FileNotFoundException($"No '{prefix}-{kind}[.gz]' file in '{folder}'.");
            return Read(Find("images-idx3-ubyte"), Find("labels-idx1-ubyte"));
        }
        return (Pair("train"), Pair("t10k"));
    }

    /// <summary>The most images a file may declare: the 70,000 of MNIST many times over, and still a bounded read.</summary>
    public const int MaxImages = 1_000_000;

    public static MnistImages Read(string imageFile, string labelFile)
    {
        var imageBytes = ReadAll(imageFile, 16, MnistImages.Pixels);
        var labelBytes = ReadAll(labelFile, 8, 1);
        Expect(imageBytes, 2051, 16, imageFile);
        Expect(labelBytes, 2049, 8, labelFile);
        var count = BigEndian(imageBytes, 4);
        var rows = BigEndian(imageBytes, 8);
        var columns = BigEndian(imageBytes, 12);
        if (rows != MnistImages.Side || columns != MnistImages.Side)
            throw new InvalidDataException($"{imageFile}: images are {rows}×{columns}, expected 28×28.");
        if (BigEndian(labelBytes, 4) != count)
            throw new InvalidDataException($"{imageFile} holds {count} images but {labelFile} {BigEndian(labelBytes, 4)} labels.");
        if (imageBytes.Length < 16 + (long)count * MnistImages.Pixels)
            throw new InvalidDataException($"{imageFile} is truncated: {count} images need {16 + (long)count * MnistImages.Pixels} bytes, it has {imageBytes.Length}.");
        if (labelBytes.Length < 8 + count)
            throw new InvalidDataException($"{labelFile} is truncated.");
        var pixels = new float[count * MnistImages.Pixels];
        for (var i = 0; i < pixels.Length; i++) pixels[i] = imageBytes[16 + i] / 255f;
        return new MnistImages(pixels, labelBytes.AsSpan(8, count).ToArray());
    }

    /// <summary>
    /// The file's bytes, gunzipped when gzipped, read no further than its header implies: a header of
    /// <paramref name="headerLength"/> bytes whose count (bytes 4–7) times <paramref name="itemBytes"/> is the body. A count
    /// above <see cref="MaxImages"/> or data beyond the body is refused, so a small file cannot inflate without bound.
    /// </summary>
    private static byte[] ReadAll(string path, int headerLength, int itemBytes)
    {
        using var file = File.OpenRead(path);
        var gzipped = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        try
        {
            using Stream stream = gzipped ? new GZipStream(file, CompressionMode.Decompress) : file;
            var header = new byte[headerLength];
            var got = stream.ReadAtLeast(header, headerLength, throwOnEndOfStream: false);
            if (got < headerLength) throw new InvalidDataException($"{path} is too short for an IDX header.");
            var count = (uint)BigEndian(header, 4);
            if (count > MaxImages) throw new InvalidDataException($"{path} declares {count} items; at most {MaxImages} are read.");
            var body = new byte[headerLength + count * (long)itemBytes];
            header.CopyTo(body, 0);
            var read = headerLength + stream.ReadAtLeast(body.AsSpan(headerLength), body.Length - headerLength, throwOnEndOfStream: false);
            if (read < body.Length) return body[..read];   // truncated: the caller names what is missing
            if (stream.ReadByte() >= 0) throw new InvalidDataException($"{path} holds more data than its header's {count} items.");
            return body;
        }
        catch (InvalidDataException exception) when (gzipped && !exception.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: corrupt gzip data ({exception.Message}).", exception);
        }
    }

    private static void Expect(byte[] bytes, int magic, int headerLength, string path)
    {
        if (bytes.Length < headerLength) throw new InvalidDataException($"{path} is too short for an IDX header.");
        if (BigEndian(bytes, 0) != magic) throw new InvalidDataException($"{path} is not an IDX file of the expected kind (magic {BigEndian(bytes, 0)}, expected {magic}).");
    }

    private static int BigEndian(byte[] bytes, int offset) =>
        (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
}
