using FarcastCallback.Hosts.Mnist;
using TorchSharp;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Training;

/// <summary>
/// Trains the MNIST CNN on minibatches in a seeded order (so a plain and a farcast run see identical batches) and
/// evaluates on the validation split. A run's clock measures training only — forward, backward, the optimizer step
/// and everything the optimizer does inside it (observation, fits, jumps, verification) — not evaluation.
/// </summary>
public sealed class CnnTrainer : IDisposable
{
    private const int EvaluationChunk = 500;
    private readonly Tensor _trainImages;
    private readonly Tensor _trainLabels;
    private readonly Tensor _validationImages;
    private readonly Tensor _validationLabels;
    private readonly Tensor _verificationImages;
    private readonly Tensor _verificationLabels;

    public CnnTrainer(MnistData data)
    {
        (_trainImages, _trainLabels) = ToTensors(data.Train);
        (_validationImages, _validationLabels) = ToTensors(data.Validation);
        (_verificationImages, _verificationLabels) = ToTensors(data.Verification);
    }

    /// <summary>Loss on the verification split with dropout off: what <see cref="FarcastOptimizer.VerificationLoss"/> calls.</summary>
    public float VerificationLoss(MnistCnn model) => (float)Evaluate(model, _verificationImages, _verificationLabels).Loss;

    /// <summary>
    /// Starts a run of <paramref name="model"/> and <paramref name="optimizer"/> on this trainer's data; an optional
    /// learning-rate <paramref name="schedule"/> is stepped after every real step, inside the clock.
    /// </summary>
    public TrainingRun Start(MnistCnn model, optim.Optimizer optimizer, int batchSize, int seed, Func<long>? effectiveSteps = null, Func<bool>? shouldStop = null,
        optim.lr_scheduler.LRScheduler? schedule = null) =>
        new(model, optimizer,
            rows => nn.functional.nll_loss(model.forward(_trainImages.index_select(0, rows)), _trainLabels.index_select(0, rows)),
            () => Evaluate(model, _validationImages, _validationLabels),
            new BatchOrder(_trainLabels.shape[0], batchSize, seed), seed, effectiveSteps, shouldStop, schedule);

    public void Dispose()
    {
        foreach (var t in new[] { _trainImages, _trainLabels, _validationImages, _validationLabels, _verificationImages, _verificationLabels }) t.Dispose();
    }

    private static (double Accuracy, double Loss) Evaluate(MnistCnn model, Tensor images, Tensor labels)
    {
        var wasTraining = model.training;
        model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        double correct = 0, lossSum = 0;
        var count = images.shape[0];
        for (long start = 0; start < count; start += EvaluationChunk)
        {
            var length = Math.Min(EvaluationChunk, count - start);
            var output = model.forward(images.narrow(0, start, length));
            var target = labels.narrow(0, start, length);
            lossSum += nn.functional.nll_loss(output, target, reduction: nn.Reduction.Sum).item<float>();
            correct += output.argmax(1).eq(target).sum().item<long>();
        }
        if (wasTraining) model.train();
        return (correct / count, lossSum / count);
    }

    private static (Tensor Images, Tensor Labels) ToTensors(MnistImages set) => (
        tensor(set.PixelValues, new long[] { set.Count, 1, MnistImages.Side, MnistImages.Side }).DetachFromDisposeScope(),
        tensor(set.Labels.Select(l => (long)l).ToArray()).DetachFromDisposeScope());
}
