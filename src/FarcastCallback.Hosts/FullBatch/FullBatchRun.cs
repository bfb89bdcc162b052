using System.Diagnostics;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>The full-batch training loss of a run's weights after <see cref="RealSteps"/> real steps.</summary>
/// <param name="RealSteps">Optimizer steps computed before these weights.</param>
/// <param name="EffectiveSteps">The step the weights stand for (real steps plus the horizons of kept jumps).</param>
/// <param name="Seconds">Training time spent to reach these weights: steps, observation, fits, jumps and their checks.</param>
/// <param name="Loss">The training loss at these weights.</param>
public sealed record LossPoint(long RealSteps, long EffectiveSteps, double Seconds, double Loss);

/// <summary>The task's figure of merit at a real step (evaluated outside the clock).</summary>
public sealed record FigurePoint(long RealSteps, double Figure);

/// <summary>
/// One full-batch run advanced a step at a time, so a plain and a farcast run can be interleaved. Each step's forward
/// pass computes the loss at the current weights anyway, so the loss is recorded at every step for free: time to a
/// target loss is exact to the step, with no evaluation schedule to quantise it. The clock covers the step, the
/// optimizer and everything the wrapper does inside it, including the guard's forward passes.
/// </summary>
public sealed class FullBatchRun
{
    private readonly IFullBatchTask _task;
    private readonly optim.Optimizer _optimizer;
    private readonly FarcastOptimizer? _farcast;
    private readonly Stopwatch _clock = new();
    private readonly List<LossPoint> _points = new();
    private readonly List<FigurePoint> _figures = new();

    public FullBatchRun(IFullBatchTask task, nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer)
    {
        (_task, Model, _optimizer) = (task, model, optimizer);
        _farcast = optimizer as FarcastOptimizer;
    }

    public nn.Module<Tensor, Tensor> Model { get; }

    public long RealSteps { get; private set; }

    /// <summary>The loss at every step's weights, the last at the weights after the final step.</summary>
    public IReadOnlyList<LossPoint> Points => _points;

    public IReadOnlyList<FigurePoint> Figures => _figures;

    private long EffectiveSteps => _farcast?.EffectiveSteps ?? RealSteps;

    /// <summary>One real step, timed; records the loss of the weights it started from.</summary>
    public void Step()
    {
        var (seconds, effective) = (_clock.Elapsed.TotalSeconds, EffectiveSteps);
        _clock.Start();
        double loss;
        using (var scope = NewDisposeScope())
        {
            _optimizer.zero_grad();
            var value = _task.Loss(Model);
            value.backward();
            loss = value.item<float>();
            _optimizer.step();
        }
        _clock.Stop();
        _points.Add(new LossPoint(RealSteps, effective, seconds, loss));
        RealSteps++;
    }

    /// <summary>Evaluates the task's figure (not timed).</summary>
    public void RecordFigure() => _figures.Add(new FigurePoint(RealSteps, _task.Figure(Model)));

    /// <summary>Records the loss after the last step (not timed) and the final figure.</summary>
    public void Finish()
    {
        _points.Add(new LossPoint(RealSteps, EffectiveSteps, _clock.Elapsed.TotalSeconds, _task.EvaluateLoss(Model)));
        if (_figures.Count == 0 || _figures[^1].RealSteps != RealSteps) RecordFigure();
    }

    /// <summary>Runs both for <paramref name="steps"/> steps, alternating which goes first so neither always runs on a warm cache.</summary>
    public static void Interleave(FullBatchRun plain, FullBatchRun farcast, int steps, int evaluateEvery, Action<int>? afterStep = null)
    {
        plain.RecordFigure();
        farcast.RecordFigure();
        for (var step = 1; step <= steps; step++)
        {
            var (first, second) = step % 2 == 1 ? (plain, farcast) : (farcast, plain);
            first.Step();
            second.Step();
            if (step % evaluateEvery == 0 && step != steps)
            {
                plain.RecordFigure();
                farcast.RecordFigure();
            }
            afterStep?.Invoke(step);
        }
        plain.Finish();
        farcast.Finish();
    }
}
