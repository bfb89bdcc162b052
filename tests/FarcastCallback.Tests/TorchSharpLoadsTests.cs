namespace FarcastCallback.Tests;

public sealed class TorchSharpLoadsTests
{
    [Test]
    public void A_tensor_operation_runs_on_this_platform()
    {
        using var a = tensor(new[] { 1.0, 2.0, 3.0 });
        using var b = a.mul(2).sum();
        Assert.That(b.item<double>(), Is.EqualTo(12.0));
    }
}
