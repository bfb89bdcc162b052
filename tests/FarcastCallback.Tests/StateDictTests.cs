namespace FarcastCallback.Tests;

public sealed class StateDictTests
{
    private static FarcastOptions Settings(FarcastFit fit) => new()
    {
        WarmupSteps = 3, InputSteps = 4, Horizon = 6, Lambda = 0.05, Fit = fit, SampleSize = 16, Seed = 11,
    };

    /// <summary>Stride 2, maps reused twice, horizon search: a checkpoint inside a reusing window must resume it.</summary>
    private static FarcastOptions LongCadence() => new()
    {
        WarmupSteps = 3, InputSteps = 3, Horizon = 4, Stride = 2, RefitEvery = 2, HorizonSearch = HorizonSearch.Furthest, Seed = 11,
    };

    [TestCase(FarcastFit.LeastSquares, 10)]
    [TestCase(FarcastFit.L1, 12)]
    [TestCase(FarcastFit.LeastSquares, 2)]
    public void A_run_checkpointed_mid_window_and_resumed_ends_with_identical_weights(FarcastFit fit, int checkpointStep) =>
        CheckpointAndResume(() => Settings(fit), checkpointStep);

    [TestCase(9)]
    [TestCase(18)]
    [TestCase(21)]
    public void A_long_cadence_run_checkpointed_anywhere_resumes_identically(int checkpointStep) =>
        CheckpointAndResume(LongCadence, checkpointStep, verified: true);

    private static void CheckpointAndResume(Func<FarcastOptions> settings, int checkpointStep, bool verified = false)
    {
        const int totalSteps = 30;
        using var reference = new TinyRegression(seed: 21);
        using (var farcast = new FarcastOptimizer(optim.Adam(reference.Parameters, 0.01), settings()))
        {
            if (verified) farcast.VerificationLoss = reference.Loss;
            for (var i = 0; i < totalSteps; i++) reference.Step(farcast);
            Assert.That(farcast.Jumps, Is.GreaterThan(verified ? 1 : 0));
        }

        using var first = new TinyRegression(seed: 21);
        var saved = new MemoryStream();
        Tensor[] weightsAtCheckpoint;
        using (var farcast = new FarcastOptimizer(optim.Adam(first.Parameters, 0.01), settings()))
        {
            if (verified) farcast.VerificationLoss = first.Loss;
            for (var i = 0; i < checkpointStep; i++) first.Step(farcast);
            farcast.save_state_dict(new BinaryWriter(saved));
            weightsAtCheckpoint = first.Snapshot();
        }

        using var resumed = new TinyRegression(seed: 21) { BatchIndex = checkpointStep };   // same data, fresh optimizer
        using (var noGrad = no_grad())
            foreach (var (target, source) in resumed.Parameters.Zip(weightsAtCheckpoint)) target.copy_(source);
        using var resumedFarcast = new FarcastOptimizer(optim.Adam(resumed.Parameters, 0.01), settings());
        if (verified) resumedFarcast.VerificationLoss = resumed.Loss;
        saved.Position = 0;
        resumedFarcast.load_state_dict(new BinaryReader(saved));
        for (var i = checkpointStep; i < totalSteps; i++) resumed.Step(resumedFarcast);

        WrapperTests.AssertBitwiseEqual(reference.Snapshot(), resumed.Snapshot());
    }

    [Test]
    public void Loading_a_state_saved_with_another_horizon_fails_clearly()
    {
        using var problem = new TinyRegression(seed: 22);
        var saved = new MemoryStream();
        using (var farcast = new FarcastOptimizer(optim.SGD(problem.Parameters, 0.01), Settings(FarcastFit.LeastSquares)))
            farcast.save_state_dict(new BinaryWriter(saved));
        var other = Settings(FarcastFit.LeastSquares);
        other.Horizon = 7;
        using var mismatched = new FarcastOptimizer(optim.SGD(problem.Parameters, 0.01), other);
        saved.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => mismatched.load_state_dict(new BinaryReader(saved)));

        Assert.That(error!.Message, Does.Contain("Farcast:Horizon is 6 in the state, 7 here"));
    }

    [Test]
    public void Loading_something_else_fails_clearly()
    {
        using var problem = new TinyRegression(seed: 23);
        using var farcast = new FarcastOptimizer(optim.SGD(problem.Parameters, 0.01), Settings(FarcastFit.LeastSquares));
        var stream = new MemoryStream();
        new BinaryWriter(stream).Write("SomethingElse");
        stream.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => farcast.load_state_dict(new BinaryReader(stream)));

        Assert.That(error!.Message, Does.Contain("Not a FarcastOptimizer state"));
    }
}
