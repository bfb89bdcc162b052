using static TorchSharp.torch;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>
/// What a full-batch task reports of one set of weights, read at every step outside the clock: <see cref="Target"/> is
/// the quantity the runs race on (lower is better, in the user's terms: a validation loss, an image's MSE, an error
/// against the exact solution), <see cref="Figure"/> the task's figure of merit, and <see cref="Detail"/> what the
/// target's description adds (the validation accuracy).
/// </summary>
public sealed record TaskReading(double Target, double Figure, double? Detail = null)
{
    /// <summary>A reading from the values <see cref="IFullBatchTask.Measure"/> gives: target, figure and detail (NaN: none).</summary>
    public static TaskReading FromValues(ReadOnlySpan<double> values) =>
        new(values[0], values[1], double.IsNaN(values[2]) ? null : values[2]);
}

/// <summary>
/// A problem trained on all of its data at every step: the loss is deterministic, so a farcast jump is judged by the
/// exact training loss, and the runs race to a target in what the user wants (<see cref="Read"/>).
/// </summary>
public interface IFullBatchTask : IDisposable
{
    /// <summary>The task's name on the command line (<c>inr</c>, <c>pinn</c>, <c>classifier</c>).</summary>
    string Name { get; }

    /// <summary>What is trained, in one line (model, data, sizes).</summary>
    string Description { get; }

    /// <summary>The task's own figure of merit, as named in summary.json (e.g. <c>psnr_db</c>).</summary>
    string FigureName { get; }

    /// <summary>What <see cref="TaskReading.Target"/> is, as named in summary.json (e.g. <c>validation_loss</c>).</summary>
    string TargetName { get; }

    /// <summary>A new model, initialised from the current random state.</summary>
    nn.Module<Tensor, Tensor> CreateModel();

    /// <summary>The full-batch training loss with its graph, ready for <c>backward</c>.</summary>
    Tensor Loss(nn.Module<Tensor, Tensor> model);

    /// <summary>The training loss as a number, without a backward pass (the guard's check).</summary>
    double EvaluateLoss(nn.Module<Tensor, Tensor> model);

    /// <summary>
    /// The reading of <paramref name="model"/>'s weights as a float64 tensor of three values — target, figure, detail
    /// (NaN: none) — left on the model's device, so a run reads it without a device-to-host copy per step.
    /// </summary>
    Tensor Measure(nn.Module<Tensor, Tensor> model);

    /// <summary>The target value, the figure and the detail of <paramref name="model"/>'s weights (one device-to-host copy).</summary>
    TaskReading Read(nn.Module<Tensor, Tensor> model)
    {
        using var scope = NewDisposeScope();
        return TaskReading.FromValues(Measure(model).cpu().data<double>().ToArray());
    }

    /// <summary>
    /// The reading of weights whose training loss is <paramref name="loss"/>, when the target is a function of the training
    /// loss alone (the INR's MSE): the runner then takes it from the loss each step computes anyway, at no forward pass.
    /// Null for tasks whose target needs the model (a validation loss, an error against the exact solution).
    /// </summary>
    TaskReading? FromTrainingLoss(double loss) => null;

    /// <summary>A target in the user's terms, e.g. <c>validation loss 0.312 (accuracy 94.2 %)</c> or <c>PSNR 26.3 dB</c>.</summary>
    string DescribeTarget(double target, double? detail);
}
