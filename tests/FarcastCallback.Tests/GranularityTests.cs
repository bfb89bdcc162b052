namespace FarcastCallback.Tests;

public sealed class GranularityTests
{
    [Test]
    public void Per_tensor_maps_beat_one_global_map_when_tensors_contract_at_different_rates()
    {
        var perTensor = JumpError(FarcastGranularity.PerTensor);
        var global = JumpError(FarcastGranularity.Global);

        Assert.That(perTensor, Is.LessThanOrEqualTo(1e-5), "each tensor is an isotropic quadratic, so its own map is exact");
        Assert.That(global, Is.GreaterThan(1e-3), "one map cannot follow two contraction rates");
        Assert.That(perTensor, Is.LessThan(global / 100));
    }

    private static double JumpError(FarcastGranularity granularity)
    {
        using var problem = new QuadraticProblem(seed: 5, new[] { new long[] { 40 }, new long[] { 8, 5 } },
            curvature: new[] { 1.0, 6.0 }, learningRate: 0.01);
        using var farcast = new FarcastOptimizer(problem.GradientDescent(), new FarcastOptions
        {
            WarmupSteps = 0, InputSteps = 5, Horizon = 20, Lambda = 0, MaxJumps = 1, Granularity = granularity, MinTensorSize = 0,
        });
        for (var i = 0; i < 24; i++) problem.Step(farcast);
        Assert.That(farcast.Jumps, Is.EqualTo(1));
        return problem.RelativeError(farcast.EffectiveSteps);
    }
}
