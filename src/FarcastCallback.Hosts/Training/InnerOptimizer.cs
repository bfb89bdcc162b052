using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Training;

/// <summary>The inner optimizer both runs of a paired job use (<c>--optimizer</c>).</summary>
public enum InnerOptimizer
{
    /// <summary>Adam (the paper's and the jobs' default).</summary>
    Adam,

    /// <summary>SGD with momentum (<c>--momentum</c>).</summary>
    Sgd,

    /// <summary>AdamW without weight decay (NiNo's optimizer for the Fashion-MNIST tasks).</summary>
    AdamW,
}

/// <summary>Creates the optimizer an <see cref="InnerOptimizer"/> names.</summary>
public static class InnerOptimizers
{
    public static optim.Optimizer Create(this InnerOptimizer optimizer, IEnumerable<Parameter> parameters, double learningRate, double momentum) => optimizer switch
    {
        InnerOptimizer.Sgd => optim.SGD(parameters, learningRate, momentum: momentum),
        InnerOptimizer.AdamW => optim.AdamW(parameters, learningRate, weight_decay: 0),
        _ => optim.Adam(parameters, learningRate),
    };
}
