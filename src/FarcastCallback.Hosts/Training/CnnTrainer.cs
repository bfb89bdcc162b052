using FarcastCallback.Hosts.Mnist;
using TorchSharp;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Training;

/// <summary>
/// Trains an image classifier (the paper's CNN or a NiNo network) on minibatches in a seeded order (so a plain and a
/// farcast run see identical batches) and evaluates on the validation split. A run's clock measures training only —
/// forward, backward, the optimizer step and everything the optimizer does inside it (observation, fits, jumps,
/// verification) — not evaluation. The guard's data is either the whole verification split or, with a chunk size,
/// one chunk of it at a time that <see cref="RotateVerification"/> advances, so successive checks see fresh images.
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

    private readonly int _verifyChunk;
    private long _verifyOffset;

    /// <param name="data">The splits.</param>
    /// <param name="normalisation">Pixels become (p − mean) / std; null leaves them in [0, 1].</param>
    /// <param name="verifyChunk">Images per guard check, taken in turn from the verification split; 0: the whole split.</param>
    public CnnTrainer(MnistData data, (float Mean, float Std)? normalisation = null, int verifyChunk = 0)
    {
        (_trainImages, _trainLabels) = ToTensors(data.Train, normalisation);
        (_validationImages, _validationLabels) = ToTensors(data.Validation, normalisation);
        (_verificationImages, _verificationLabels) = ToTensors(data.Verification, normalisation);
        _verifyChunk = (int)Math.Min(verifyChunk, _verificationLabels.shape[0]);
    }

    /// <summary>Loss on the verification split with dropout off: what <see cref="FarcastOptimizer.VerificationLoss"/> calls.</summary>
    public float VerificationLoss(nn.Module<Tensor, Tensor> model) => (float)Evaluate(model, _verificationImages, _verificationLabels).Loss;

    /// <summary>
    /// Per-image losses on the current verification chunk with dropout off: what
    /// <see cref="FarcastOptimizer.VerificationLosses"/> calls (the same images before and after a jump).
    /// </summary>
    public Tensor VerificationLosses(nn.Module<Tensor, Tensor> model)
    {
        var wasTraining = model.training;
        model.eval();
        using var noGrad = no_grad();
        var images = _verificationImages.narrow(0, _verifyOffset, _verifyChunk);
        var labels = _verificationLabels.narrow(0, _verifyOffset, _verifyChunk);
        var losses = nn.functional.nll_loss(model.forward(images), labels, reduction: nn.Reduction.None);
        if (wasTraining) model.train();
        return losses;
    }

    /// <summary>Points the guard at the first chunk again: every seed starts there, so a seed's run never depends on the seeds run before it.</summary>
    public void RestartVerification() => _verifyOffset = 0;

    /// <summary>Moves the guard to the next chunk of the verification split (after a jump attempt), wrapping around.</summary>
    public void RotateVerification()
    {
        var count = _verificationLabels.shape[0];
        _verifyOffset = _verifyOffset + 2 * _verifyChunk <= count ? _verifyOffset + _verifyChunk : 0;
    }

    /// <summary>
    /// Starts a run of <paramref name="model"/> and <paramref name="optimizer"/> on this trainer's data; an optional
    /// learning-rate <paramref name="schedule"/> is stepped after every real step, inside the clock, and so is the
    /// optional weight <paramref name="average"/>, which every evaluation also measures (and which starts again
    /// <paramref name="averageRestartDelay"/> real steps after a kept jump; see <see cref="TrainingRun"/>).
    /// </summary>
    public TrainingRun Start(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, int batchSize, int seed, Func<long>? effectiveSteps = null, Func<bool>? shouldStop = null,
        optim.lr_scheduler.LRScheduler? schedule = null, ExponentialWeightAverage? average = null, int averageRestartDelay = 0) =>
        new(model, optimizer,
            rows => nn.functional.nll_loss(model.forward(_trainImages.index_select(0, rows)), _trainLabels.index_select(0, rows)),
            () => Evaluate(model, _validationImages, _validationLabels),
            new BatchOrder(_trainLabels.shape[0], batchSize, seed), seed, effectiveSteps, shouldStop, schedule, average, averageRestartDelay);

    public void Dispose()
    {
        foreach (var t in new[] { _trainImages, _trainLabels, _validationImages, _validationLabels, _verificationImages, _verificationLabels }) t.Dispose();
    }

    private static (double Accuracy, double Loss) Evaluate(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
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

    private static (Tensor Images, Tensor Labels) ToTensors(MnistImages set, (float Mean, float Std)? normalisation)
    {
        var images = tensor(set.PixelValues, new long[] { set.Count, 1, MnistImages.Side, MnistImages.Side });
        if (normalisation is { } n) images.sub_(n.Mean).div_(n.Std);
        return (images.DetachFromDisposeScope(),
            tensor(set.Labels.Select(l => (long)l).ToArray()).DetachFromDisposeScope());
    }
}
