using System.Diagnostics;
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
        new(this, model, optimizer, new BatchOrder(_trainLabels.shape[0], batchSize, seed), seed, effectiveSteps, shouldStop, schedule);

    /// <summary>
    /// One training run advanced step by step, so two runs can be interleaved: a plain and a farcast run that
    /// alternate steps share whatever else the machine is doing, and their clocks stay comparable. Dropout masks are
    /// drawn from a seed per (run seed, step), so both runs see the same masks at the same step.
    /// </summary>
    public sealed class TrainingRun
    {
        private readonly CnnTrainer _trainer;
        private readonly MnistCnn _model;
        private readonly optim.Optimizer _optimizer;
        private readonly BatchOrder _order;
        private readonly int _seed;
        private readonly Func<long>? _effectiveSteps;
        private readonly Func<bool>? _shouldStop;
        private readonly optim.lr_scheduler.LRScheduler? _schedule;
        private readonly Stopwatch _clock = new();
        private readonly List<TrainingPoint> _points = new();

        internal TrainingRun(CnnTrainer trainer, MnistCnn model, optim.Optimizer optimizer, BatchOrder order, int seed, Func<long>? effectiveSteps, Func<bool>? shouldStop,
            optim.lr_scheduler.LRScheduler? schedule)
        {
            (_trainer, _model, _optimizer, _order, _seed, _effectiveSteps, _shouldStop, _schedule) = (trainer, model, optimizer, order, seed, effectiveSteps, shouldStop, schedule);
            Record();
        }

        public IReadOnlyList<TrainingPoint> Points => _points;

        public long RealSteps { get; private set; }

        public bool Stopped { get; private set; }

        /// <summary>One real optimizer step, timed.</summary>
        public void Step()
        {
            if (Stopped) return;
            _model.train();
            random.manual_seed(unchecked(_seed * 1_000_003L + RealSteps));
            _clock.Start();
            using (var scope = NewDisposeScope())
            {
                var rows = _order.Next();
                _optimizer.zero_grad();
                nn.functional.nll_loss(_model.forward(_trainer._trainImages.index_select(0, rows)), _trainer._trainLabels.index_select(0, rows)).backward();
                _optimizer.step();
                _schedule?.step();
            }
            _clock.Stop();
            RealSteps++;
            Stopped = _shouldStop?.Invoke() ?? false;
        }

        /// <summary>Evaluates on the validation split (not timed) and records a point.</summary>
        public void Record()
        {
            var (accuracy, loss) = Evaluate(_model, _trainer._validationImages, _trainer._validationLabels);
            _points.Add(new TrainingPoint(RealSteps, _effectiveSteps?.Invoke() ?? RealSteps, _clock.Elapsed.TotalSeconds, accuracy, loss));
        }
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
    internal sealed class BatchOrder(long count, int batchSize, int seed)
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
