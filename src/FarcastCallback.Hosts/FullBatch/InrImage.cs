using SkiaSharp;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>
/// The image an implicit neural representation fits: <see cref="Channels"/> planes of <see cref="Size"/> × <see cref="Size"/>
/// values in [0, 1], row-major per channel. One channel when the source is grayscale (R = G = B everywhere), else three.
/// </summary>
public sealed class InrImage
{
    /// <summary>Images larger than this on either side are refused before they are decoded.</summary>
    public const int MaxSourceSide = 16_384;

    /// <summary>The most pixels a source image may have (a 40-megapixel photograph; 160 MB decoded), checked before decoding.</summary>
    public const long MaxSourcePixels = 40_000_000;

    /// <summary>
    /// The most pixels per byte of the file a header may claim: deflate and JPEG compress a flat image at most about
    /// a thousandfold, so a 69-byte file claiming 16,384 × 16,384 pixels lies about its size.
    /// </summary>
    public const int MaxPixelsPerFileByte = 2_048;

    /// <summary>The largest fitted size: every pixel is in every step's batch.</summary>
    public const int MaxSize = 512;

    private InrImage(string source, int size, int channels, float[] values) => (Source, Size, Channels, Values) = (source, size, channels, values);

    /// <summary>Where the image came from: a file path, or "procedural".</summary>
    public string Source { get; }

    public int Size { get; }

    public int Channels { get; }

    /// <summary>Values in [0, 1], indexed [channel, row, column].</summary>
    public float[] Values { get; }

    /// <summary>
    /// A deterministic grayscale test pattern with what makes images hard to fit: sharp edges (a disc, a square, a
    /// checkerboard), a smooth gradient and a fine sinusoidal texture.
    /// </summary>
    public static InrImage Procedural(int size)
    {
        CheckSize(size);
        var values = new float[size * size];
        for (var row = 0; row < size; row++)
        {
            for (var column = 0; column < size; column++)
            {
                var (y, x) = (2.0 * row / (size - 1) - 1, 2.0 * column / (size - 1) - 1);
                var value = 0.25 + 0.2 * x;                                                     // gradient
                if ((x + 0.35) * (x + 0.35) + (y + 0.3) * (y + 0.3) < 0.16) value = 0.9;        // disc
                if (Math.Abs(x - 0.45) < 0.25 && Math.Abs(y + 0.35) < 0.25) value = 0.1;        // square
                if (y > 0.25 && ((int)Math.Floor((x + 1) * 4) + (int)Math.Floor((y + 1) * 4)) % 2 == 0) value = 0.75;   // checkerboard
                value += 0.08 * Math.Sin(9 * x + 5 * y) * Math.Cos(7 * y);                      // texture
                values[row * size + column] = (float)Math.Clamp(value, 0, 1);
            }
        }
        return new InrImage("procedural", size, 1, values);
    }

    /// <summary>Decodes a PNG or JPEG file and resizes it to <paramref name="size"/> × <paramref name="size"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">It is not a decodable image, or it is larger than <see cref="MaxSourceSide"/>.</exception>
    public static InrImage Load(string path, int size)
    {
        CheckSize(size);
        if (Directory.Exists(path)) throw new InvalidDataException($"--image '{path}' is a folder, not an image file.");
        if (!File.Exists(path)) throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        using var codec = SKCodec.Create(path) ?? throw new InvalidDataException($"{path}: not a PNG or JPEG image that can be decoded.");
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if (width < 1 || height < 1 || width > MaxSourceSide || height > MaxSourceSide)
            throw new InvalidDataException($"{path}: {width} × {height} pixels; images up to {MaxSourceSide} × {MaxSourceSide} are accepted.");
        var pixels = (long)width * height;
        if (pixels > MaxSourcePixels)
            throw new InvalidDataException(FormattableString.Invariant($"{path}: {width} × {height} pixels; images of up to {MaxSourcePixels:N0} pixels are accepted."));
        var fileBytes = new FileInfo(path).Length;
        if (pixels > fileBytes * MaxPixelsPerFileByte)
            throw new InvalidDataException($"{path}: its header claims {width} × {height} pixels, more than a file of {fileBytes} bytes can hold.");
        using var decoded = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var result = codec.GetPixels(decoded.Info, decoded.GetPixels());
        if (result != SKCodecResult.Success)
            throw new InvalidDataException($"{path}: the image data could not be decoded completely ({result}).");
        using var resized = decoded.Resize(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul), new SKSamplingOptions(SKCubicResampler.Mitchell))
            ?? throw new InvalidDataException($"{path}: the image could not be resized to {size} × {size}.");

        var rgb = new float[3 * size * size];
        var grayscale = true;
        for (var row = 0; row < size; row++)
        {
            for (var column = 0; column < size; column++)
            {
                var pixel = resized.GetPixel(column, row);
                grayscale &= pixel.Red == pixel.Green && pixel.Green == pixel.Blue;
                rgb[row * size + column] = pixel.Red / 255f;
                rgb[size * size + row * size + column] = pixel.Green / 255f;
                rgb[2 * size * size + row * size + column] = pixel.Blue / 255f;
            }
        }
        return grayscale ? new InrImage(path, size, 1, rgb[..(size * size)]) : new InrImage(path, size, 3, rgb);
    }

    private static void CheckSize(int size)
    {
        if (size is < 2 or > MaxSize) throw new ArgumentException($"--size must be between 2 and {MaxSize}; got {size}.");
    }
}
