using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Mnist;

/// <summary>
/// The paper's MNIST CNN (pytorch-mnist cnn-mnist): conv 1→32 3×3, ReLU, conv 32→64 3×3, ReLU, max-pool 2,
/// dropout 0.25, flatten, linear 9216→128, ReLU, dropout 0.5, linear 128→10; 1,199,882 parameters.
/// Input [batch, 1, 28, 28] in [0, 1]; output [batch, 10] log-probabilities.
/// </summary>
public sealed class MnistCnn : nn.Module<Tensor, Tensor>
{
    /// <summary>Scalars in the model's parameters.</summary>
    public const int ParameterCount = 1_199_882;

    private readonly Conv2d _conv1 = nn.Conv2d(1, 32, 3);
    private readonly Conv2d _conv2 = nn.Conv2d(32, 64, 3);
    private readonly Dropout _dropout1 = nn.Dropout(0.25);
    private readonly Linear _fc1 = nn.Linear(9216, 128);
    private readonly Dropout _dropout2 = nn.Dropout(0.5);
    private readonly Linear _fc2 = nn.Linear(128, 10);

    public MnistCnn() : base(nameof(MnistCnn)) => RegisterComponents();

    public override Tensor forward(Tensor input)
    {
        var x = nn.functional.relu(_conv1.forward(input));
        x = nn.functional.relu(_conv2.forward(x));
        x = _dropout1.forward(nn.functional.max_pool2d(x, 2)).flatten(1);
        x = _dropout2.forward(nn.functional.relu(_fc1.forward(x)));
        return nn.functional.log_softmax(_fc2.forward(x), 1);
    }
}
