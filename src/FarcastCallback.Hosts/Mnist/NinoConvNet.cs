using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Mnist;

/// <summary>
/// NiNo's FM-16 and FM-32 networks (Knyazev et al., ICLR 2025): three 3×3 convolutions with ReLU — the first with
/// stride 2 and no padding, the others 'same' — global average pooling and a linear layer to 10 classes.
/// FM-16 is 16-32-32 (14,378 parameters), FM-32 is 32-64-64 (56,394). Output: log-probabilities.
/// </summary>
public sealed class NinoConvNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d _conv1;
    private readonly Conv2d _conv2;
    private readonly Conv2d _conv3;
    private readonly Linear _head;

    /// <param name="width">16 for FM-16, 32 for FM-32: the first layer's channels; the others have twice as many.</param>
    public NinoConvNet(int width) : base(nameof(NinoConvNet))
    {
        _conv1 = nn.Conv2d(1, width, 3, stride: 2);
        _conv2 = nn.Conv2d(width, 2 * width, 3, padding: 1);
        _conv3 = nn.Conv2d(2 * width, 2 * width, 3, padding: 1);
        _head = nn.Linear(2 * width, 10);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var x = nn.functional.relu(_conv1.forward(input));
        x = nn.functional.relu(_conv2.forward(x));
        x = nn.functional.relu(_conv3.forward(x));
        return nn.functional.log_softmax(_head.forward(x.mean(new long[] { 2, 3 })), 1);
    }
}
