using TorchSharp.Modules;

namespace FarcastCallback.Tests;

/// <summary>A 4→8→1 MLP fitted to fixed random data with minibatches drawn from a seeded order: deterministic.</summary>
internal sealed class TinyRegression : IDisposable
{
    private readonly Tensor _x;
    private readonly Tensor _y;

    public TinyRegression(int seed)
    {
        random.manual_seed(seed);
        Model = nn.Sequential(("hidden", nn.Linear(4, 8)), ("relu", nn.ReLU()), ("out", nn.Linear(8, 1)));
        _x = randn(64, 4);
        _y = (_x.sum(1, keepdim: true) * 0.5 + 0.1 * randn(64, 1)).DetachFromDisposeScope();
    }

    public Sequential Model { get; }

    /// <summary>Which minibatch the next step uses; the order is fixed, so a resumed run can continue it.</summary>
    public int BatchIndex { get; set; }

    public IEnumerable<Parameter> Parameters => Model.parameters();

    public float Loss()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return nn.functional.mse_loss(Model.forward(_x), _y).item<float>();
    }

    public void Step(optim.Optimizer optimizer)
    {
        using var scope = NewDisposeScope();
        var rows = arange(BatchIndex % 4 * 16, BatchIndex % 4 * 16 + 16, ScalarType.Int64);
        BatchIndex++;
        optimizer.zero_grad();
        nn.functional.mse_loss(Model.forward(_x.index_select(0, rows)), _y.index_select(0, rows)).backward();
        optimizer.step();
    }

    public Tensor[] Snapshot() => Model.parameters().Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();

    public void Dispose()
    {
        Model.Dispose();
        _x.Dispose();
        _y.Dispose();
    }
}
