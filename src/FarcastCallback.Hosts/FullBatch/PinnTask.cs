using static TorchSharp.torch;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>
/// A physics-informed network for the 1-D Poisson problem <c>u″ = −π² sin(πx)</c> on (0, 1) with u(0) = u(1) = 0,
/// whose solution is <c>sin(πx)</c>: a tanh MLP 1→64→64→1 is trained on the mean squared residual at fixed, evenly
/// spaced collocation points (second derivative by autograd) plus the squared boundary values. Figure: the relative L2
/// error against the exact solution on 1,001 points.
/// </summary>
public sealed class PinnTask : IFullBatchTask
{
    private const int ErrorPoints = 1001;
    private readonly Tensor _collocation;
    private readonly Tensor _forcing;
    private readonly Tensor _boundary;
    private readonly Tensor _grid;
    private readonly Tensor _exact;
    private readonly int _points;
    private readonly int _hidden;

    /// <summary>The most collocation points: every one is in every step's batch with its second derivative (about 6 KB each), so 100,000 cost about 0.6 GB.</summary>
    public const int MaxPoints = 100_000;

    public PinnTask(int points = 256, int hidden = 64)
    {
        if (points is < 2 or > MaxPoints) throw new ArgumentException($"--points must be between 2 and {MaxPoints}; got {points}.");
        (_points, _hidden) = (points, hidden);
        _collocation = linspace(0, 1, points + 2)[1..^1].reshape(-1, 1).DetachFromDisposeScope();
        _forcing = (-(Math.PI * Math.PI) * (_collocation * Math.PI).sin()).DetachFromDisposeScope();
        _boundary = tensor(new[] { 0f, 1f }).reshape(2, 1).DetachFromDisposeScope();
        _grid = linspace(0, 1, ErrorPoints).reshape(-1, 1).DetachFromDisposeScope();
        _exact = (_grid * Math.PI).sin().DetachFromDisposeScope();
    }

    public string Name => "pinn";

    public string Description => $"PINN: 1-D Poisson u″ = −π² sin(πx), u(0) = u(1) = 0; tanh MLP 1→{_hidden}→{_hidden}→1, {_points} collocation points per step";

    public string FigureName => "l2_relative_error";

    /// <summary>What a user of a PINN wants: the solution's error, not the residual's loss.</summary>
    public string TargetName => "l2_relative_error";

    public nn.Module<Tensor, Tensor> CreateModel() => new CoordinateMlp(1, _hidden, 2, 1, CoordinateActivation.Tanh);

    public Tensor Loss(nn.Module<Tensor, Tensor> model)
    {
        var x = _collocation.detach().requires_grad_(true);
        var u = model.forward(x);
        var du = autograd.grad(new[] { u }, new[] { x }, new[] { ones_like(u) }, retain_graph: true, create_graph: true)[0];
        var d2u = autograd.grad(new[] { du }, new[] { x }, new[] { ones_like(du) }, retain_graph: true, create_graph: true)[0];
        var residual = d2u - _forcing;
        return residual.pow(2).mean() + model.forward(_boundary).pow(2).mean();
    }

    /// <summary>The residual needs derivatives, so the check runs with autograd on but calls no backward.</summary>
    public double EvaluateLoss(nn.Module<Tensor, Tensor> model)
    {
        using var grad = enable_grad();
        using var scope = NewDisposeScope();
        return Loss(model).item<float>();
    }

    /// <summary>The relative L2 error against the exact solution: the target and the figure alike.</summary>
    public Tensor Measure(nn.Module<Tensor, Tensor> model)
    {
        using var noGrad = no_grad();
        var error = ((model.forward(_grid) - _exact).norm() / _exact.norm()).to(ScalarType.Float64);
        return stack(new[] { error, error, full_like(error, double.NaN) });
    }

    public string DescribeTarget(double target, double? detail) => FormattableString.Invariant($"L2 error {target:G3} against the exact solution");

    public void Dispose()
    {
        foreach (var t in new[] { _collocation, _forcing, _boundary, _grid, _exact }) t.Dispose();
    }
}
