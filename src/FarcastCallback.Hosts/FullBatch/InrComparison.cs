using SkiaSharp;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>
/// The fitted images of a plain and a farcast run side by side at equal real steps, one row per step, with the target
/// image in the first column: what a difference in loss looks like.
/// </summary>
public sealed class InrComparison(InrImage target)
{
    private const int Scale = 4;
    private const int Label = 22;
    private readonly List<(long Step, float[] Plain, float[] Farcast)> _rows = new();

    /// <summary>Keeps both runs' images at <paramref name="step"/>.</summary>
    public void Add(long step, float[] plain, float[] farcast) => _rows.Add((step, plain, farcast));

    public void Save(string path)
    {
        var cell = Math.Max(target.Size * Scale, 128);
        using var surface = SKSurface.Create(new SKImageInfo(3 * cell, _rows.Count * (cell + Label)));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, 14);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        for (var r = 0; r < _rows.Count; r++)
        {
            var (step, plain, farcast) = _rows[r];
            var top = r * (cell + Label);
            var columns = new[] { ("target", target.Values), ($"plain, step {step}", plain), ($"farcast, step {step}", farcast) };
            for (var c = 0; c < columns.Length; c++)
            {
                canvas.DrawText(columns[c].Item1, c * cell + 4, top + 16, font, ink);
                using var bitmap = Bitmap(columns[c].Item2);
                canvas.DrawBitmap(bitmap, new SKRect(c * cell, top + Label, (c + 1) * cell, top + Label + cell));
            }
        }
        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    private SKBitmap Bitmap(float[] values)
    {
        var (size, channels) = (target.Size, target.Channels);
        var bitmap = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        for (var row = 0; row < size; row++)
        {
            for (var column = 0; column < size; column++)
            {
                byte Channel(int c) => (byte)Math.Round(255 * Math.Clamp(values[c * size * size + row * size + column], 0f, 1f));
                bitmap.SetPixel(column, row, channels == 1 ? new SKColor(Channel(0), Channel(0), Channel(0)) : new SKColor(Channel(0), Channel(1), Channel(2)));
            }
        }
        return bitmap;
    }
}
