using static TorchSharp.torch;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>
/// A problem trained on all of its data at every step: the loss is deterministic, so a farcast jump is judged by the
/// exact training loss and time to a target loss can be read off every step.
/// </summary>
public interface IFullBatchTask : IDisposable
{
    /// <summary>The task's name on the command line (<c>inr</c>, <c>pinn</c>, <c>classifier</c>).</summary>
    string Name { get; }

    /// <summary>What is trained, in one line (model, data, sizes).</summary>
    string Description { get; }

    /// <summary>The task's own figure of merit, as named in summary.json (e.g. <c>psnr_db</c>).</summary>
    string FigureName { get; }

    /// <summary>A new model, initialised from the current random state.</summary>
    nn.Module<Tensor, Tensor> CreateModel();

    /// <summary>The full-batch training loss with its graph, ready for <c>backward</c>.</summary>
    Tensor Loss(nn.Module<Tensor, Tensor> model);

    /// <summary>The training loss as a number, without a backward pass (the guard's check).</summary>
    double EvaluateLoss(nn.Module<Tensor, Tensor> model);

    /// <summary>The task's figure of merit for <paramref name="model"/>.</summary>
    double Figure(nn.Module<Tensor, Tensor> model);
}
