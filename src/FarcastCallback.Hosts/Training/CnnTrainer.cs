using System.Diagnostics;
using FarcastCallback.Hosts.Mnist;
using TorchSharp;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Training;

/// <summary>
/// Trains the MNIST CNN for a number of real optimizer steps on minibatches in a seeded order (so a plain and a
/// farcast run see identical batches), evaluating on the validation split every few steps. The clock measures
/// training only — forward, backward, the optimizer step and everything the optimizer does inside it (observation,
/// fits, jumps, verification) — and stops while the harness evaluates.
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

    public IReadOnlyList<TrainingPoint> Train(MnistCnn model, optim.Optimizer optimizer, int steps, int batchSize, int evaluateEvery, int batchSeed,
        Func<long>? effectiveSteps = null, Func<bool>? shouldStop = null, IProgress<int>? progress = null)
    {
        var points = new List<TrainingPoint>();
        var order = new BatchOrder(_trainLabels.shape[0], batchSize, batchSeed);
        var clock = new Stopwatch();
        var (accuracy, loss) = Evaluate(model, _validationImages, _validationLabels);
        points.Add(new TrainingPoint(0, 0, 0, accuracy, loss));
        model.train();
        for (var step = 1; step <= steps; step++)
        {
            clock.Start();
            using (var scope = NewDisposeScope())
            {
                var rows = order.Next();
                optimizer.zero_grad();
                nn.functional.nll_loss(model.forward(_trainImages.index_select(0, rows)), _trainLabels.index_select(0, rows)).backward();
                optimizer.step();
            }
            clock.Stop();
            var stop = shouldStop?.Invoke() ?? false;
            if (step % evaluateEvery == 0 || step == steps || stop)
            {
                (accuracy, loss) = Evaluate(model, _validationImages, _validationLabels);
                points.Add(new TrainingPoint(step, effectiveSteps?.Invoke() ?? step, clock.Elapsed.TotalSeconds, accuracy, loss));
                progress?.Report(step);
            }
            if (stop) break;
        }
        return points;
    }

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

    /// <summary>Minibatch indices: a seeded permutation per epoch, cut into batches.</summary>
    private sealed class BatchOrder(long count, int batchSize, int seed)
    {
        private readonly Random _random = new(seed);
        private int[] _permutation = Array.Empty<int>();
        private int _position;

        public Tensor Next()
        {
            if (_position + batchSize > _permutation.Length)
            {
                _permutation = Enumerable.Range(0, (int)count).ToArray();
                _random.Shuffle(_permutation);
                _position = 0;
            }
            var rows = _permutation.AsSpan(_position, batchSize).ToArray().Select(i => (long)i).ToArray();
            _position += batchSize;
            return tensor(rows);
        }
    }
}
