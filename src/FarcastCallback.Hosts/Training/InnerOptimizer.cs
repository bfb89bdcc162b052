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
}

/// <summary>Creates the optimizer an <see cref="InnerOptimizer"/> names.</summary>
public static class InnerOptimizers
{
    public static optim.Optimizer Create(this InnerOptimizer optimizer, IEnumerable<Parameter> parameters, double learningRate, double momentum) => optimizer switch
    {
        InnerOptimizer.Sgd => optim.SGD(parameters, learningRate, momentum: momentum),
        _ => optim.Adam(parameters, learningRate),
    };
}
