using System.Diagnostics;
using FarcastCallback.Hosts.Training;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>The full-batch training loss of a run's weights after <see cref="RealSteps"/> real steps.</summary>
/// <param name="RealSteps">Optimizer steps computed before these weights.</param>
/// <param name="EffectiveSteps">The step the weights stand for (real steps plus the horizons of kept jumps).</param>
/// <param name="Seconds">Training time spent to reach these weights: steps, observation, fits, jumps and their checks.</param>
/// <param name="Loss">The training loss at these weights.</param>
/// <param name="Stands">False for weights a delayed judgement later rolled back (a jump under judgement that failed):
/// no time to a target counts them.</param>
public sealed record LossPoint(long RealSteps, long EffectiveSteps, double Seconds, double Loss, bool Stands = true);

/// <summary>The series the races are run on.</summary>
public static class FullBatchSeries
{
    /// <summary>The training loss of each point, in order.</summary>
    public static double[] Losses(this IEnumerable<LossPoint> points) => points.Select(p => p.Loss).ToArray();

    /// <summary>The task's target value of each reading, in order.</summary>
    public static double[] Targets(this IEnumerable<TaskReading> readings) => readings.Select(r => r.Target).ToArray();
}

/// <summary>
/// One full-batch run advanced a step at a time, so a plain and a farcast run can be interleaved. Each step's forward
/// pass computes the loss at the current weights anyway, so the loss is recorded at every step for free, and the task's
/// reading (<see cref="IFullBatchTask.Measure"/>: validation loss, PSNR, error against the exact solution) is taken at
/// every step outside the clock: time to a target is exact to the step, with no evaluation schedule to quantise it.
/// Both stay on the device and are read back <see cref="FlushEvery"/> steps at a time (or when asked for), so a step
/// makes no device-to-host copy. <see cref="Points"/>[i] and <see cref="Readings"/>[i] describe the same weights. The
/// clock covers the step, the optimizer and everything the wrapper does inside it, including the guard's forward passes.
/// Every step goes through <c>step(closure)</c>, so a <see cref="FarcastOptimizer.VerifyWithStepLoss"/> guard reads the
/// loss the step computes; when a delayed judgement rolls a jump back, the points measured on the rolled-back weights
/// are marked as not standing. A run given a weight average updates it after every step (inside the clock) and reads
/// the averaged weights' training loss and the task's reading beside its own at every step (outside the clock: two
/// more forward passes); the average starts again wherever a farcast run's weights jumped for good or were replaced.
/// </summary>
public sealed class FullBatchRun
{
    private readonly IFullBatchTask _task;
    private readonly optim.Optimizer _optimizer;
    private readonly FarcastOptimizer? _farcast;
    private readonly Stopwatch _clock = new();
    private readonly List<LossPoint> _points = new();
    private readonly List<TaskReading> _readings = new();
    private readonly ExponentialWeightAverage? _average;
    private readonly List<double> _averageLosses = new();
    private readonly List<TaskReading> _averageReadings = new();

    private readonly bool _read;
    private readonly bool _readFromLoss;
    private readonly List<Tensor> _pendingLosses = new();
    private readonly List<Tensor> _pendingReadings = new();
    private long? _voidFrom;

    /// <summary>Steps whose losses and readings are held on the device before they are read back together.</summary>
    public const int FlushEvery = 256;

    /// <param name="task">What is trained.</param>
    /// <param name="model">The run's model.</param>
    /// <param name="optimizer">Plain, or a <see cref="FarcastOptimizer"/>.</param>
    /// <param name="read">Whether to take the task's reading at every step (a benchmark timing whole runs does not).</param>
    /// <param name="average">A weight average of <paramref name="model"/>'s parameters, updated after every step and read beside the weights.</param>
    public FullBatchRun(IFullBatchTask task, nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, bool read = true, ExponentialWeightAverage? average = null)
    {
        (_task, Model, _optimizer, _read, _average) = (task, model, optimizer, read, average);
        _readFromLoss = read && task.FromTrainingLoss(1.0) is not null;   // the task's reading is a function of the loss
        _farcast = optimizer as FarcastOptimizer;
        // A rollback is raised inside the judging step, before its point is added: Step voids the points afterwards.
        if (_farcast is not null) JudgementFollower.Follow(_farcast, () => _average?.Reset(), () => _average?.Reset(), from => _voidFrom = from);
    }

    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>Optimizer steps computed: the steps taken, or the <see cref="FarcastOptimizer"/>'s own count (a race's twin steps included).</summary>
    public long RealSteps => _farcast?.RealSteps ?? _steps;

    private long _steps;

    /// <summary>The loss at every step's weights, the last at the weights after the final step.</summary>
    public IReadOnlyList<LossPoint> Points
    {
        get
        {
            Flush();
            return _points;
        }
    }

    /// <summary>The task's reading of the same weights as <see cref="Points"/>, entry for entry.</summary>
    public IReadOnlyList<TaskReading> Readings
    {
        get
        {
            Flush();
            return _readings;
        }
    }

    /// <summary>The training loss of the weight average at the weights of each of <see cref="Points"/>; empty without an average.</summary>
    public IReadOnlyList<double> AverageLosses => _averageLosses;

    /// <summary>The task's reading of the weight average, entry for entry with <see cref="Points"/>; empty without an average.</summary>
    public IReadOnlyList<TaskReading> AverageReadings => _averageReadings;

    private long EffectiveSteps => _farcast?.EffectiveSteps ?? RealSteps;

    /// <summary>One real step, timed; records the loss and the task's reading (not timed) of the weights it started from.</summary>
    public void Step()
    {
        if (_read && !_readFromLoss)
            using (var reading = NewDisposeScope())
                _pendingReadings.Add(reading.MoveToOuter(_task.Measure(Model)).DetachFromDisposeScope());
        ReadAverage();
        var (seconds, effective) = (_clock.Elapsed.TotalSeconds, EffectiveSteps);
        _clock.Start();
        using (var scope = NewDisposeScope())
        {
            var value = _optimizer.step(() =>
            {
                _optimizer.zero_grad();
                var loss = _task.Loss(Model);
                loss.backward();
                return loss;
            });
            _pendingLosses.Add(value.detach().DetachFromDisposeScope());
            _average?.Update();
        }
        _clock.Stop();
        _steps++;
        // The loss is filled in by Flush; it is the main step's, at the weights it started from: one real step back
        // (a race's twin step, inside the same call, came before it).
        _points.Add(new LossPoint(RealSteps - 1, effective, seconds, double.NaN));
        if (_voidFrom is { } from)
        {
            for (var i = _points.Count - 1; i >= 0 && _points[i].RealSteps >= from; i--) _points[i] = _points[i] with { Stands = false };
            _voidFrom = null;
        }
        if (_pendingLosses.Count >= FlushEvery) Flush();
    }

    /// <summary>Reads the held losses and readings back in one copy each and fills them into <see cref="Points"/> and <see cref="Readings"/>.</summary>
    private void Flush()
    {
        if (_pendingLosses.Count == 0 && _pendingReadings.Count == 0) return;
        using var scope = NewDisposeScope();
        if (_pendingLosses.Count > 0)
        {
            var losses = stack(_pendingLosses).to(ScalarType.Float64).cpu().data<double>().ToArray();
            var first = _points.Count - losses.Length;
            for (var i = 0; i < losses.Length; i++)
            {
                _points[first + i] = _points[first + i] with { Loss = losses[i] };
                if (_readFromLoss) _readings.Add(_task.FromTrainingLoss(losses[i])!);
            }
        }
        if (_pendingReadings.Count > 0)
        {
            var values = stack(_pendingReadings).cpu().data<double>().ToArray();
            for (var i = 0; i < _pendingReadings.Count; i++) _readings.Add(TaskReading.FromValues(values.AsSpan(3 * i, 3)));
        }
        foreach (var t in _pendingLosses.Concat(_pendingReadings)) t.Dispose();
        _pendingLosses.Clear();
        _pendingReadings.Clear();
    }

    /// <summary>Records the loss and the reading of the weights after the last step (not timed).</summary>
    public void Finish()
    {
        Flush();
        var (final, reading) = Evaluate();
        _points.Add(new LossPoint(RealSteps, EffectiveSteps, _clock.Elapsed.TotalSeconds, final));
        if (reading is not null) _readings.Add(reading);
        ReadAverage();
    }

    /// <summary>The averaged weights' training loss and reading (not timed).</summary>
    private void ReadAverage()
    {
        if (!_read || _average is null) return;
        using var swapped = _average.SwapIn();
        var (loss, reading) = Evaluate();
        _averageLosses.Add(loss);
        _averageReadings.Add(reading!);
    }

    /// <summary>
    /// The model's training loss and, when the run reads, the task's reading of the same weights: one forward pass each,
    /// or one for a task read from its loss.
    /// </summary>
    private (double Loss, TaskReading? Reading) Evaluate()
    {
        var loss = _task.EvaluateLoss(Model);
        return (loss, _read ? _task.FromTrainingLoss(loss) ?? _task.Read(Model) : null);
    }

    /// <summary>Runs both for <paramref name="steps"/> steps, alternating which goes first so neither always runs on a warm cache.</summary>
    public static void Interleave(FullBatchRun plain, FullBatchRun farcast, int steps, Action<int>? afterStep = null)
    {
        for (var step = 1; step <= steps; step++)
        {
            var (first, second) = step % 2 == 1 ? (plain, farcast) : (farcast, plain);
            first.Step();
            second.Step();
            afterStep?.Invoke(step);
        }
        plain.Finish();
        farcast.Finish();
    }
}
