using TorchSharp;

namespace FarcastCallback.Tests;

public sealed class MemoryTests
{
    [Test]
    public void Five_hundred_steps_leave_no_live_tensors_behind()
    {
        using var problem = new TinyRegression(seed: 31);
        using var farcast = new FarcastOptimizer(optim.Adam(problem.Parameters, 0.01), new FarcastOptions
        {
            WarmupSteps = 5, InputSteps = 3, Horizon = 5, VerifyTolerance = 1.0,
        });
        farcast.VerificationLoss = problem.Loss;
        for (var i = 0; i < 50; i++) problem.Step(farcast);   // buffers and optimizer state exist from here on
        var liveAfterWarmUp = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.That(liveAfterWarmUp, Is.GreaterThan(0), "the statistics count live tensors");

        for (var i = 0; i < 450; i++) problem.Step(farcast);

        Assert.That(farcast.Jumps + farcast.RejectedJumps, Is.GreaterThan(50));
        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(liveAfterWarmUp));
    }
}
