using System.IO.Compression;
using System.Text;
using FarcastCallback.Hosts.Mnist;

namespace FarcastCallback.Hosts.Tests;

/// <summary>Digit files made in the test: a few synthetic 28×28 images per class in IDX and npm-JSON form.</summary>
internal static class TinyDigits
{
    /// <summary>Image i of class c: a bright horizontal bar at row 2 + 2c, so classes are separable.</summary>
    public static (byte[] Pixels, byte[] Labels) Make(int perClass)
    {
        var count = 10 * perClass;
        var pixels = new byte[count * MnistImages.Pixels];
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            var label = (byte)(i % 10);
            labels[i] = label;
            for (var x = 4; x < 24; x++) pixels[i * MnistImages.Pixels + (2 + 2 * label) * 28 + x] = (byte)(200 + i % 50);
        }
        return (pixels, labels);
    }

    public static void WriteIdx(string folder, string prefix, int perClass, bool gzip, int? labelCountOverride = null)
    {
        var (pixels, labels) = Make(perClass);
        var images = new MemoryStream();
        WriteInt(images, 2051);
        WriteInt(images, labels.Length);
        WriteInt(images, 28);
        WriteInt(images, 28);
        images.Write(pixels);
        var labelStream = new MemoryStream();
        WriteInt(labelStream, 2049);
        WriteInt(labelStream, labelCountOverride ?? labels.Length);
        labelStream.Write(labels);
        Save(Path.Combine(folder, $"{prefix}-images-idx3-ubyte{(gzip ? ".gz" : "")}"), images.ToArray(), gzip);
        Save(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte{(gzip ? ".gz" : "")}"), labelStream.ToArray(), gzip);
    }

    public static void WriteNpm(string digitsFolder, int perClass)
    {
        Directory.CreateDirectory(digitsFolder);
        var (pixels, labels) = Make(perClass);
        for (var digit = 0; digit <= 9; digit++)
        {
            var values = new List<string>();
            for (var i = 0; i < labels.Length; i++)
                if (labels[i] == digit)
                    values.AddRange(pixels.AsSpan(i * MnistImages.Pixels, MnistImages.Pixels).ToArray().Select(p => (p / 255f).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)));
            File.WriteAllText(Path.Combine(digitsFolder, $"{digit}.json"), "{ \"data\": [" + string.Join(",", values) + "] }");
        }
    }

    public static string TemporaryFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"farcast-digits-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static void Save(string path, byte[] bytes, bool gzip)
    {
        if (!gzip)
        {
            File.WriteAllBytes(path, bytes);
            return;
        }
        using var file = File.Create(path);
        using var stream = new GZipStream(file, CompressionLevel.Fastest);
        stream.Write(bytes);
    }

    private static void WriteInt(Stream stream, int value) =>
        stream.Write(new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value });
}
