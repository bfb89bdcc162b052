using System.Diagnostics;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Training;

/// <summary>
/// One training run advanced step by step, so two runs can be interleaved: a plain and a farcast run that alternate
/// steps share whatever else the machine is doing, and their clocks stay comparable. The clock measures training
/// only — the batch's forward and backward, the optimizer step and everything the optimizer does inside it
/// (observation, fits, jumps, verification), the learning-rate schedule — not evaluation. Dropout masks are drawn from
/// a seed per (run seed, step), so two runs with the same seed see the same masks at the same step.
/// </summary>
public sealed class TrainingRun
{
    private readonly nn.Module _model;
    private readonly optim.Optimizer _optimizer;
    private readonly Func<Tensor, Tensor> _batchLoss;
    private readonly Func<(double Accuracy, double Loss)> _evaluate;
    private readonly BatchOrder _order;
    private readonly int _seed;
    private readonly Func<long>? _effectiveSteps;
    private readonly Func<bool>? _shouldStop;
    private readonly optim.lr_scheduler.LRScheduler? _schedule;
    private readonly ExponentialWeightAverage? _average;
    private readonly int _averageRestartDelay;
    private long? _restartAverageAfter;
    private readonly Stopwatch _clock = new();
    private readonly List<TrainingPoint> _points = new();

    /// <param name="model">The model trained (switched to training mode for each step).</param>
    /// <param name="optimizer">Its optimizer (a plain one or a <see cref="FarcastOptimizer"/>, whose judgements the run then follows).</param>
    /// <param name="batchLoss">The training loss of the examples whose row numbers are given.</param>
    /// <param name="evaluate">Validation accuracy and loss (not timed).</param>
    /// <param name="order">Which rows each step trains on.</param>
    /// <param name="seed">The run's seed (dropout masks per step).</param>
    /// <param name="effectiveSteps">The step the weights stand for (a farcast run's); null: the real steps.</param>
    /// <param name="shouldStop">Checked after each step; true stops the run (Stop mode).</param>
    /// <param name="schedule">Learning-rate schedule stepped after every real step.</param>
    /// <param name="average">A weight average updated after every real step (inside the clock) and evaluated beside the weights.</param>
    /// <param name="averageRestartDelay">
    /// Real steps after a kept jump at which <paramref name="average"/> starts again at the weights: 0, at the jump; more,
    /// once training has absorbed it (the average goes on through the jump until then). A later jump within the delay
    /// moves the restart to its own delay, so a delay at least as long as the run never restarts the average at a jump.
    /// A delayed judgement's rollback restarts it at once.
    /// </param>
    public TrainingRun(nn.Module model, optim.Optimizer optimizer, Func<Tensor, Tensor> batchLoss, Func<(double Accuracy, double Loss)> evaluate,
        BatchOrder order, int seed, Func<long>? effectiveSteps = null, Func<bool>? shouldStop = null, optim.lr_scheduler.LRScheduler? schedule = null,
        ExponentialWeightAverage? average = null, int averageRestartDelay = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(averageRestartDelay);
        (_model, _optimizer, _batchLoss, _evaluate, _order, _seed, _effectiveSteps, _shouldStop, _schedule, _average, _averageRestartDelay) =
            (model, optimizer, batchLoss, evaluate, order, seed, effectiveSteps, shouldStop, schedule, average, averageRestartDelay);
        if (optimizer is FarcastOptimizer farcast)
            JudgementFollower.Follow(farcast, () => _restartAverageAfter = _steps + 1 + _averageRestartDelay, ResetAverage, VoidFrom);
        Record();
    }

    /// <summary>The evaluations so far, the first at step 0.</summary>
    public IReadOnlyList<TrainingPoint> Points => _points;

    /// <summary>
    /// Optimizer steps computed: the steps taken, or a <see cref="FarcastOptimizer"/>'s own count, which includes the
    /// steps a race's twin trained (<see cref="FarcastCounterfactual.Race"/>).
    /// </summary>
    public long RealSteps => _optimizer is FarcastOptimizer farcast ? farcast.RealSteps : _steps;

    private long _steps;

    /// <summary>Whether the optimizer asked to stop.</summary>
    public bool Stopped { get; private set; }

    /// <summary>
    /// One real optimizer step, timed, through <c>step(closure)</c>: the closure draws the step's dropout masks, computes
    /// the batch's loss and gradients and returns the loss, so an optimizer may evaluate it again on the same batch with
    /// the same masks (a race's twin).
    /// </summary>
    public void Step()
    {
        if (Stopped) return;
        _model.train();
        var maskSeed = unchecked(_seed * 1_000_003L + _steps);
        _clock.Start();
        using (var scope = NewDisposeScope())
        {
            var rows = _order.Next();
            _optimizer.step(() =>
            {
                random.manual_seed(maskSeed);
                _optimizer.zero_grad();
                var loss = _batchLoss(rows);
                loss.backward();
                return loss;
            });
            _schedule?.step();
            _average?.Update();
            if (_restartAverageAfter == _steps + 1) ResetAverage();
        }
        _clock.Stop();
        _steps++;
        Stopped = _shouldStop?.Invoke() ?? false;
    }

    /// <summary>Evaluates the weights and their average (not timed) and records a point.</summary>
    public void Record()
    {
        var (accuracy, loss) = _evaluate();
        (double Accuracy, double Loss)? average = null;
        if (_average is not null)
            using (_average.SwapIn())
                average = _evaluate();
        _points.Add(new TrainingPoint(RealSteps, _effectiveSteps?.Invoke() ?? RealSteps, _clock.Elapsed.TotalSeconds, accuracy, loss, average?.Accuracy, average?.Loss));
    }

    /// <summary>
    /// The points from real step <paramref name="realStep"/> on were measured on weights that were rolled back: they no
    /// longer stand, and no time to target counts them.
    /// </summary>
    public void VoidFrom(long realStep)
    {
        for (var i = 0; i < _points.Count; i++)
            if (_points[i].RealSteps >= realStep) _points[i] = _points[i] with { Stands = false };
    }

    /// <summary>Starts the weight average again at the current weights (after a jump moved them); a delayed restart still due is dropped.</summary>
    public void ResetAverage()
    {
        _restartAverageAfter = null;
        _average?.Reset();
    }

    /// <summary>
    /// Runs <paramref name="plain"/> and <paramref name="farcast"/> for <paramref name="steps"/> steps, alternating which
    /// goes first (plain on odd steps) so neither always runs on a warm cache, evaluating both every
    /// <paramref name="evaluateEvery"/> steps, at the end, and where the farcast run stops (the plain run is then the
    /// same model stopped at that real step without a farcast). <paramref name="progress"/> gets the step after each evaluation.
    /// </summary>
    public static void Interleave(TrainingRun plain, TrainingRun farcast, int steps, int evaluateEvery, Action<int>? progress = null)
    {
        for (var step = 1; step <= steps; step++)
        {
            var wasStopped = farcast.Stopped;
            if (step % 2 == 1)
            {
                plain.Step();
                farcast.Step();
            }
            else
            {
                farcast.Step();
                plain.Step();
            }
            var stoppedNow = farcast.Stopped && !wasStopped;
            if (step % evaluateEvery != 0 && step != steps && !stoppedNow) continue;
            plain.Record();
            if (farcast.Points[^1].RealSteps != farcast.RealSteps) farcast.Record();
            progress?.Invoke(step);
        }
    }
}

/// <summary>Minibatch rows: a seeded permutation per epoch, cut into batches.</summary>
public sealed class BatchOrder
{
    private readonly long count;
    private readonly int batchSize;

    /// <exception cref="ArgumentException">The batch is larger than the data, or not positive.</exception>
    public BatchOrder(long count, int batchSize, int seed)
    {
        if (batchSize < 1 || batchSize > count)
            throw new ArgumentException($"--batch-size {batchSize} must be between 1 and the {count} training examples.");
        (this.count, this.batchSize) = (count, batchSize);
        _random = new Random(seed);
    }

    private readonly Random _random;
    private int[] _permutation = Array.Empty<int>();
    private int _position;

    /// <summary>The row numbers of the batch <see cref="Next"/> gave last, on the host (no device-to-host copy to read them).</summary>
    public long[] LastRows { get; private set; } = Array.Empty<long>();

    /// <summary>The next batch's row numbers (int64, on the default device).</summary>
    public Tensor Next()
    {
        if (_position + batchSize > _permutation.Length)
        {
            _permutation = Enumerable.Range(0, (int)count).ToArray();
            _random.Shuffle(_permutation);
            _position = 0;
        }
        LastRows = _permutation.AsSpan(_position, batchSize).ToArray().Select(i => (long)i).ToArray();
        _position += batchSize;
        return tensor(LastRows);
    }
}
