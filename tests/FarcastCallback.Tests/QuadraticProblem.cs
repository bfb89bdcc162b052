using TorchSharp.Modules;

namespace FarcastCallback.Tests;

/// <summary>
/// f(w) = Σ_k ½ c_k ‖w_k - w*_k‖² over parameter tensors k, minimised by full-batch gradient descent with rate η.
/// Each coordinate of tensor k contracts by ρ_k = 1 - η c_k per step, so the trajectory is known exactly:
/// w_k(t) = w*_k + ρ_k^t (w_k(0) - w*_k). With one ρ for every tensor, LFD-2 is exact (docs/design.md, "Exact oracle").
/// </summary>
internal sealed class QuadraticProblem : IDisposable
{
    private readonly Tensor[] _optimum;
    private readonly Tensor[] _initial;
    private readonly double[] _curvature;

    public QuadraticProblem(int seed, long[][] shapes, double[] curvature, double learningRate, ScalarType dtype = ScalarType.Float64)
    {
        random.manual_seed(seed);
        _curvature = curvature;
        LearningRate = learningRate;
        Parameters = shapes.Select(s => new Parameter(rand(s, dtype))).ToArray();
        _initial = Parameters.Select(p => p.detach().clone()).ToArray();
        _optimum = shapes.Select(s => randn(s, dtype)).ToArray();
    }

    public Parameter[] Parameters { get; }

    public double LearningRate { get; }

    public double Contraction(int k) => 1.0 - LearningRate * _curvature[k];

    public optim.Optimizer GradientDescent() => optim.SGD(Parameters, LearningRate);

    public Tensor Loss()
    {
        Tensor total = zeros(1, Parameters[0].dtype);
        for (var k = 0; k < Parameters.Length; k++)
            total = total + 0.5 * _curvature[k] * (Parameters[k] - _optimum[k]).pow(2).sum();
        return total;
    }

    /// <summary>One full-batch step; the dispose scope keeps the loop from growing memory.</summary>
    public void Step(optim.Optimizer optimizer)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        Loss().backward();
        optimizer.step();
    }

    /// <summary>The exact GD weights of tensor k after t updates.</summary>
    public Tensor Exact(int k, long t)
    {
        var optimum = _optimum[k].to(ScalarType.Float64);
        return optimum + Math.Pow(Contraction(k), t) * (_initial[k].to(ScalarType.Float64) - optimum);
    }

    /// <summary>max_k ‖w_k - w_k(t)‖ / ‖w_k(t)‖: the relative error of the current weights against GD at step t.</summary>
    public double RelativeError(long t)
    {
        using var scope = NewDisposeScope();
        double worst = 0;
        for (var k = 0; k < Parameters.Length; k++)
        {
            var exact = Exact(k, t);
            var error = (Parameters[k].detach().to(ScalarType.Float64) - exact).norm().item<double>() / exact.norm().item<double>();
            worst = Math.Max(worst, error);
        }
        return worst;
    }

    public void Dispose()
    {
        foreach (var t in Parameters.Cast<Tensor>().Concat(_optimum).Concat(_initial)) t.Dispose();
    }
}
