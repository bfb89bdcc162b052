namespace FarcastCallback.Tests;

public sealed class StateDictTests
{
    private static FarcastOptions Settings() => new()
    {
        WarmupSteps = 3, InputSteps = 4, Horizon = 6, MinJump = 6, RefitEvery = 0, Lambda = 0.05,
    };

    /// <summary>Stride 2, maps reused twice, horizon search: a checkpoint inside a reusing window must resume it.</summary>
    private static FarcastOptions LongCadence() => new()
    {
        WarmupSteps = 3, InputSteps = 3, Horizon = 4, MinJump = 1, Stride = 2, RefitEvery = 2,
    };

    [TestCase(10)]
    [TestCase(12)]
    [TestCase(2)]
    public void A_run_checkpointed_mid_window_and_resumed_ends_with_identical_weights(int checkpointStep) =>
        CheckpointAndResume(Settings, checkpointStep);

    [TestCase(9)]
    [TestCase(18)]
    [TestCase(21)]
    public void A_long_cadence_run_checkpointed_anywhere_resumes_identically(int checkpointStep) =>
        CheckpointAndResume(LongCadence, checkpointStep, verified: true);

    /// <summary>The smoothing-only control keeps its running line in the buffers: a checkpoint between its snapshots must carry it.</summary>
    [TestCase(6)]
    [TestCase(13)]
    public void A_smoothing_control_run_checkpointed_mid_window_resumes_identically(int checkpointStep) =>
        CheckpointAndResume(() => new FarcastOptions { WarmupSteps = 2, InputSteps = 4, Stride = 2, Map = FarcastMap.Smoothing }, checkpointStep);

    private static void CheckpointAndResume(Func<FarcastOptions> settings, int checkpointStep, bool verified = false)
    {
        const int totalSteps = 30;
        using var reference = new TinyRegression(seed: 21);
        using (var farcast = new FarcastOptimizer(optim.Adam(reference.Parameters, 0.01), settings()))
        {
            if (verified) farcast.VerificationLoss = reference.Loss;
            else farcast.RunWithoutGuard = true;
            for (var i = 0; i < totalSteps; i++) reference.Step(farcast);
            Assert.That(farcast.Jumps, Is.GreaterThan(verified ? 1 : 0));
        }

        using var first = new TinyRegression(seed: 21);
        var saved = new MemoryStream();
        Tensor[] weightsAtCheckpoint;
        using (var farcast = new FarcastOptimizer(optim.Adam(first.Parameters, 0.01), settings()))
        {
            if (verified) farcast.VerificationLoss = first.Loss;
            else farcast.RunWithoutGuard = true;
            for (var i = 0; i < checkpointStep; i++) first.Step(farcast);
            farcast.save_state_dict(new BinaryWriter(saved));
            weightsAtCheckpoint = first.Snapshot();
        }

        using var resumed = new TinyRegression(seed: 21) { BatchIndex = checkpointStep };   // same data, fresh optimizer
        using (var noGrad = no_grad())
            foreach (var (target, source) in resumed.Parameters.Zip(weightsAtCheckpoint)) target.copy_(source);
        using var resumedFarcast = new FarcastOptimizer(optim.Adam(resumed.Parameters, 0.01), settings());
        if (verified) resumedFarcast.VerificationLoss = resumed.Loss;
        else resumedFarcast.RunWithoutGuard = true;
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
        using (var farcast = new FarcastOptimizer(optim.SGD(problem.Parameters, 0.01), Settings()))
            farcast.save_state_dict(new BinaryWriter(saved));
        var other = Settings();
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
        using var farcast = new FarcastOptimizer(optim.SGD(problem.Parameters, 0.01), Settings());
        var stream = new MemoryStream();
        new BinaryWriter(stream).Write("SomethingElse");
        stream.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => farcast.load_state_dict(new BinaryReader(stream)));

        Assert.That(error!.Message, Does.Contain("Not a FarcastOptimizer state"));
    }

    [TestCase(nameof(FarcastOptions.Map), "Fitted", "LinearExtrapolation")]
    [TestCase(nameof(FarcastOptions.MinTensorSize), "64", "9")]
    [TestCase(nameof(FarcastOptions.RefitEvery), "0", "3")]
    [TestCase(nameof(FarcastOptions.Lambda), "0.05", "0")]
    [TestCase(nameof(FarcastOptions.MinJump), "6", "2")]
    public void Every_setting_is_checked_and_a_refused_state_changes_nothing(string setting, string saved, string here)
    {
        var state = SavedMidWindow(Settings(), steps: 8);
        var other = Settings();
        typeof(FarcastOptions).GetProperty(setting)!.SetValue(other, setting switch
        {
            nameof(FarcastOptions.Map) => Enum.Parse<FarcastMap>(here),
            nameof(FarcastOptions.Lambda) => double.Parse(here, System.Globalization.CultureInfo.InvariantCulture),
            _ => int.Parse(here, System.Globalization.CultureInfo.InvariantCulture),
        });
        using var problem = new TinyRegression(seed: 24);
        using var target = new FarcastOptimizer(optim.Adam(problem.Parameters, 0.01), other).Unguarded();
        for (var i = 0; i < 5; i++) problem.Step(target);
        var before = Save(target);

        var error = Assert.Throws<InvalidDataException>(() => target.load_state_dict(new BinaryReader(new MemoryStream(state))));

        Assert.That(error!.Message, Does.Contain($"Farcast:{setting} is {saved} in the state, {here} here"));
        Assert.That(Save(target), Is.EqualTo(before), "the wrapper and the inner optimizer are as they were");
    }

    [TestCase(0.6)]
    [TestCase(0.8)]
    [TestCase(0.99)]
    public void A_state_cut_short_is_refused_and_changes_nothing(double kept)
    {
        var state = SavedMidWindow(Settings(), steps: 8);
        using var problem = new TinyRegression(seed: 25);
        using var target = new FarcastOptimizer(optim.Adam(problem.Parameters, 0.01), Settings()).Unguarded();
        for (var i = 0; i < 5; i++) problem.Step(target);
        var before = Save(target);

        var cut = state.AsSpan(0, (int)(state.Length * kept)).ToArray();
        var error = Assert.Throws<InvalidDataException>(() => target.load_state_dict(new BinaryReader(new MemoryStream(cut))));

        Assert.That(error!.Message, Does.Contain("more than the stream holds").Or.Contain("ends early"));
        Assert.That(Save(target), Is.EqualTo(before));
        Assert.That(target.RealSteps, Is.EqualTo(5));
    }

    [Test]
    public void A_state_with_flipped_bytes_fails_its_checksum_and_changes_nothing()
    {
        var state = SavedMidWindow(Settings(), steps: 8);
        using var problem = new TinyRegression(seed: 26);
        using var target = new FarcastOptimizer(optim.Adam(problem.Parameters, 0.01), Settings()).Unguarded();
        for (var i = 0; i < 5; i++) problem.Step(target);
        var before = Save(target);
        for (var k = 0; k < 16; k++) state[state.Length / 2 + k] ^= 0x5A;

        var error = Assert.Throws<InvalidDataException>(() => target.load_state_dict(new BinaryReader(new MemoryStream(state))));

        Assert.That(error!.Message, Does.Contain("checksum"));
        Assert.That(Save(target), Is.EqualTo(before));
    }

    private static byte[] SavedMidWindow(FarcastOptions settings, int steps)
    {
        using var problem = new TinyRegression(seed: 27);
        using var farcast = new FarcastOptimizer(optim.Adam(problem.Parameters, 0.01), settings).Unguarded();
        for (var i = 0; i < steps; i++) problem.Step(farcast);
        return Save(farcast);
    }

    private static byte[] Save(FarcastOptimizer farcast)
    {
        var stream = new MemoryStream();
        farcast.save_state_dict(new BinaryWriter(stream));
        return stream.ToArray();
    }
}
