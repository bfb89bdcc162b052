namespace FarcastCallback.Hosts.Mnist;

/// <summary>28×28 grey-scale digits with labels 0–9; pixels in [0, 1], row-major, one image after another.</summary>
public sealed class MnistImages
{
    public const int Side = 28;
    public const int Pixels = Side * Side;

    public MnistImages(float[] pixels, byte[] labels)
    {
        if (pixels.Length != labels.Length * Pixels)
            throw new ArgumentException($"{labels.Length} labels need {labels.Length * Pixels} pixels; got {pixels.Length}.");
        if (labels.Any(l => l > 9))
            throw new InvalidDataException($"Labels must be 0–9; found {labels.First(l => l > 9)}.");
        PixelValues = pixels;
        Labels = labels;
    }

    internal float[] PixelValues { get; }

    public byte[] Labels { get; }

    public int Count => Labels.Length;

    /// <summary>The images at the given indices, in that order.</summary>
    public MnistImages Select(IReadOnlyList<int> indices)
    {
        var pixels = new float[indices.Count * Pixels];
        var labels = new byte[indices.Count];
        for (var k = 0; k < indices.Count; k++)
        {
            Array.Copy(PixelValues, (long)indices[k] * Pixels, pixels, (long)k * Pixels, Pixels);
            labels[k] = Labels[indices[k]];
        }
        return new MnistImages(pixels, labels);
    }

    public static MnistImages Concat(MnistImages a, MnistImages b) =>
        new(a.PixelValues.Concat(b.PixelValues).ToArray(), a.Labels.Concat(b.Labels).ToArray());
}
