using static TorchSharp.torch;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>
/// An implicit neural representation: a coordinate MLP maps each pixel's (x, y) in [−1, 1]² to its value(s), trained
/// on every pixel at every step with the mean squared error. Figure: PSNR in dB for values in [0, 1].
/// </summary>
public sealed class InrTask : IFullBatchTask
{
    private readonly Tensor _coordinates;
    private readonly Tensor _pixels;
    private readonly int _hidden;
    private readonly int _layers;
    private readonly CoordinateActivation _activation;

    public InrTask(InrImage image, int hidden = 128, int layers = 3, CoordinateActivation activation = CoordinateActivation.Sine)
    {
        Image = image;
        (_hidden, _layers, _activation) = (hidden, layers, activation);
        var size = image.Size;
        var axis = linspace(-1, 1, size);
        var grid = meshgrid(new[] { axis, axis }, indexing: "ij");             // rows (y), columns (x)
        _coordinates = stack(new[] { grid[1].flatten(), grid[0].flatten() }, 1).DetachFromDisposeScope();   // [pixels, 2]
        _pixels = tensor(image.Values, new long[] { image.Channels, size * size }).t().contiguous().DetachFromDisposeScope();   // [pixels, channels]
    }

    public InrImage Image { get; }

    public string Name => "inr";

    public string Description =>
        $"INR: {_activation} MLP 2→{_hidden}×{_layers}→{Image.Channels} on a {Image.Size}×{Image.Size} {(Image.Source == "procedural" ? "procedural image" : Path.GetFileName(Image.Source))}, all {Image.Size * Image.Size} pixels per step, MSE";

    public string FigureName => "psnr_db";

    /// <summary>The fit's mean squared error over all pixels: the training loss itself, raced as a PSNR.</summary>
    public string TargetName => "mse";

    public nn.Module<Tensor, Tensor> CreateModel() => new CoordinateMlp(2, _hidden, _layers, Image.Channels, _activation);

    public Tensor Loss(nn.Module<Tensor, Tensor> model) => nn.functional.mse_loss(model.forward(_coordinates), _pixels);

    public double EvaluateLoss(nn.Module<Tensor, Tensor> model)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return Loss(model).item<float>();
    }

    /// <summary>The fit's MSE (the target) and its PSNR (the figure).</summary>
    public Tensor Measure(nn.Module<Tensor, Tensor> model)
    {
        using var noGrad = no_grad();
        var mse = Loss(model).to(ScalarType.Float64);
        return stack(new[] { mse, 10 * (1 / mse).log10(), full_like(mse, double.NaN) });
    }

    /// <summary>The fit's MSE is the training loss, so the reading comes free with every step.</summary>
    public TaskReading FromTrainingLoss(double loss) => new(loss, Psnr(loss));

    public string DescribeTarget(double target, double? detail) => FormattableString.Invariant($"PSNR {Psnr(target):0.00} dB (MSE {target:G3})");

    private static double Psnr(double mse) => 10 * Math.Log10(1 / mse);

    /// <summary>The model's image, in <see cref="InrImage.Values"/>' layout.</summary>
    public float[] Render(nn.Module<Tensor, Tensor> model)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return model.forward(_coordinates).t().contiguous().cpu().data<float>().ToArray();
    }

    public void Dispose()
    {
        _coordinates.Dispose();
        _pixels.Dispose();
    }
}
