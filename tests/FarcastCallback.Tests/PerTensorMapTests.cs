namespace FarcastCallback.Tests;

public sealed class PerTensorMapTests
{
    [Test]
    public void Each_tensor_gets_its_own_exact_map_when_tensors_contract_at_different_rates()
    {
        using var problem = new QuadraticProblem(seed: 5, new[] { new long[] { 40 }, new long[] { 8, 5 } },
            curvature: new[] { 1.0, 6.0 }, learningRate: 0.01);
        using var farcast = new FarcastOptimizer(problem.GradientDescent(), new FarcastOptions
        {
            WarmupSteps = 0, InputSteps = 5, Horizon = 20, MinJump = 20, MinTensorSize = 0,
        }).Unguarded();

        for (var i = 0; i < 24; i++) problem.Step(farcast);

        Assert.That(farcast.Jumps, Is.EqualTo(1));
        Assert.That(problem.RelativeError(farcast.EffectiveSteps), Is.LessThanOrEqualTo(1e-5), "each tensor is an isotropic quadratic, so its own map is exact");
        Assert.That(farcast.LastMaps[0][20].B, Is.Not.EqualTo(farcast.LastMaps[1][20].B).Within(1e-3), "two contraction rates, two maps");
    }
}
