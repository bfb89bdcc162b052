using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>The activation of a <see cref="CoordinateMlp"/>.</summary>
public enum CoordinateActivation
{
    /// <summary>SIREN (Sitzmann et al. 2020): <c>sin(ω₀ · x)</c> with ω₀ = 30 and SIREN's initialisation.</summary>
    Sine,

    /// <summary>tanh with PyTorch's default (Kaiming-uniform) initialisation.</summary>
    Tanh,
}

/// <summary>
/// A fully connected network of coordinates: <c>inputs → hidden × layers → outputs</c>, with a linear last layer.
/// With <see cref="CoordinateActivation.Sine"/> the first layer's weights are drawn from U(−1/in, 1/in) and the others
/// from U(−√(6/in)/ω₀, √(6/in)/ω₀), which keeps the pre-activations' distribution stable through depth (SIREN).
/// </summary>
public sealed class CoordinateMlp : nn.Module<Tensor, Tensor>
{
    public const double Omega = 30.0;
    private readonly ModuleList<Linear> _layers = new();
    private readonly CoordinateActivation _activation;

    public CoordinateMlp(int inputs, int hidden, int layers, int outputs, CoordinateActivation activation) : base(nameof(CoordinateMlp))
    {
        _activation = activation;
        var width = inputs;
        for (var i = 0; i < layers; i++)
        {
            _layers.Add(nn.Linear(width, hidden));
            width = hidden;
        }
        _layers.Add(nn.Linear(width, outputs));
        RegisterComponents();
        if (activation == CoordinateActivation.Sine) InitialiseSiren();
    }

    public override Tensor forward(Tensor input)
    {
        var x = input;
        for (var i = 0; i < _layers.Count - 1; i++)
        {
            x = _layers[i].forward(x);
            x = _activation == CoordinateActivation.Sine ? (x * Omega).sin() : x.tanh();
        }
        return _layers[^1].forward(x);
    }

    private void InitialiseSiren()
    {
        using var noGrad = no_grad();
        for (var i = 0; i < _layers.Count; i++)
        {
            var fanIn = _layers[i].weight!.shape[1];
            var bound = i == 0 ? 1.0 / fanIn : Math.Sqrt(6.0 / fanIn) / Omega;
            nn.init.uniform_(_layers[i].weight!, -bound, bound);
        }
    }
}
