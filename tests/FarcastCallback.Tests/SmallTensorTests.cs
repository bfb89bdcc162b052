using TorchSharp.Modules;

namespace FarcastCallback.Tests;

public sealed class SmallTensorTests
{
    [Test]
    public void Tensors_below_MinTensorSize_share_one_pooled_map_instead_of_fitting_alone()
    {
        using var problem = new TinyRegression(seed: 5);   // weights 8×4 and 1×8, biases of 8 and 1
        using var farcast = new FarcastOptimizer(optim.Adam(problem.Parameters, 0.01), new FarcastOptions
        {
            WarmupSteps = 2, InputSteps = 3, Horizon = 4, MinTensorSize = 9,
        }).Unguarded();

        for (var i = 0; i < 8; i++) problem.Step(farcast);

        var maps = farcast.LastMaps;
        var sizes = problem.Parameters.Select(p => p.numel()).ToArray();
        Assert.That(sizes, Is.EqualTo(new long[] { 32, 8, 8, 1 }));
        Assert.That(maps[2], Is.SameAs(maps[1]), "the three tensors below 9 scalars (17 together) share one map");
        Assert.That(maps[3], Is.SameAs(maps[1]));
        Assert.That(maps[0], Is.Not.SameAs(maps[1]), "the 32-scalar weight is fitted alone");
    }

    [TestCase(0, false)]
    [TestCase(3, true)]
    public void A_one_element_parameter_never_receives_a_wild_forecast(int minTensorSize, bool expectTame)
    {
        // A scripted trajectory (SGD with rate 0 leaves the weights where the test puts them): a 64-element weight
        // contracts geometrically, while a 1-element bias barely moves in the input window and then drifts. Fitted alone,
        // the bias's three coefficients per step come from one value: q_j = y_j / (3·D) with D ≈ 0 is enormous.
        using var weight = new Parameter(ones(64));
        using var bias = new Parameter(zeros(1));
        var options = new FarcastOptions { WarmupSteps = 0, InputSteps = 3, Horizon = 4, MinTensorSize = minTensorSize };
        using var farcast = new FarcastOptimizer(optim.SGD(new[] { weight, bias }, 0.0), options).Unguarded();
        float? biasAfterJump = null;
        farcast.Jumped += (_, _) => biasAfterJump = bias.item<float>();

        for (var t = 0; t < 7; t++)
        {
            using (no_grad())
            {
                weight.copy_(linspace(1, 2, 64) * Math.Pow(0.9, t + 1));
                bias.fill_(t < 2 ? 1e-7f * t : 0.01f * (t - 1));
            }
            farcast.step();
        }

        Assert.That(farcast.Jumps, Is.EqualTo(1));
        TestContext.Out.WriteLine($"MinTensorSize {minTensorSize}: bias after the jump {biasAfterJump:G4}");
        if (expectTame)
        {
            Assert.That(farcast.LastMaps[1], Is.Not.SameAs(farcast.LastMaps[0]), "the weight is fitted alone; the bias, alone under 3 scalars, with the whole model");
            Assert.That(Math.Abs(biasAfterJump!.Value), Is.LessThan(1));
        }
        else
        {
            Assert.That(Math.Abs(biasAfterJump!.Value), Is.GreaterThan(100), "fitted alone, the bias's forecast is wild");
        }
    }
}
