using TorchSharp.Modules;

namespace FarcastCallback.Tests;

public sealed class WrapperTests
{
    private static FarcastOptions Settings() => new() { WarmupSteps = 2, InputSteps = 3, Horizon = 4, MinJump = 4, RefitEvery = 0, Lambda = 0.01 };

    [Test]
    public void A_learning_rate_scheduler_built_on_the_wrapper_drives_the_inner_optimizer()
    {
        using var problem = new TinyRegression(seed: 1);
        var inner = optim.Adam(problem.Parameters, lr: 0.01);
        using var farcast = new FarcastOptimizer(inner, Settings()).Unguarded();
        var scheduler = optim.lr_scheduler.StepLR(farcast, step_size: 1, gamma: 0.5);

        problem.Step(farcast);
        scheduler.step();
        problem.Step(farcast);
        scheduler.step();

        Assert.That(inner.ParamGroups.Single().LearningRate, Is.EqualTo(0.0025).Within(1e-12));
        Assert.That(farcast.ParamGroups.Single().LearningRate, Is.EqualTo(0.0025).Within(1e-12));
        Assert.That(farcast.parameters().Count(), Is.EqualTo(4));
        Assert.That(farcast.Inner, Is.SameAs(inner));
    }

    [Test]
    public void Parameter_groups_are_observed_and_farcast_together()
    {
        using var problem = new TinyRegression(seed: 10);
        var layers = problem.Parameters.ToArray();
        var groups = new[]
        {
            new Adam.ParamGroup(layers.Take(2), new Adam.Options { LearningRate = 0.01 }),
            new Adam.ParamGroup(layers.Skip(2), new Adam.Options { LearningRate = 0.001 }),
        };
        var adam = optim.Adam(groups);
        using var farcast = new FarcastOptimizer(adam, Settings()).Unguarded();
        var scheduler = optim.lr_scheduler.StepLR(farcast, step_size: 1, gamma: 0.5);
        var before = problem.Snapshot();

        for (var i = 0; i < 8; i++) problem.Step(farcast);
        scheduler.step();

        Assert.That(farcast.Jumps, Is.EqualTo(1));
        Assert.That(farcast.LastMaps, Has.Count.EqualTo(4), "one map per tensor of both groups");
        Assert.That(farcast.ParamGroups.Select(g => g.LearningRate), Is.EqualTo(new[] { 0.005, 0.0005 }).Within(1e-12));
        Assert.That(before.Zip(problem.Snapshot()).All(pair => !pair.First.equal(pair.Second).all().item<bool>()), "every group moved");
    }

    [Test]
    public void Zero_grad_reaches_the_inner_optimizer()
    {
        using var problem = new TinyRegression(seed: 2);
        using var farcast = new FarcastOptimizer(optim.SGD(problem.Parameters, 0.01), Settings()).Unguarded();
        problem.Step(farcast);

        farcast.zero_grad();

        Assert.That(problem.Parameters.All(p => p.grad is null || p.grad.abs().sum().item<float>() == 0));
    }

    [Test]
    public void Adam_state_is_kept_after_a_jump()
    {
        using var problem = new TinyRegression(seed: 3);
        var adam = optim.Adam(problem.Parameters, lr: 0.01);
        using var farcast = new FarcastOptimizer(adam, Settings()).Unguarded();

        for (var i = 0; i < 8; i++) problem.Step(farcast);   // warm-up 2 + window 2 + 4 targets: one jump at real step 8

        Assert.That(farcast.Jumps, Is.EqualTo(1));
        var state = (Adam.State)adam.state_dict().State[0];
        Assert.That(state.step, Is.EqualTo(8));
        Assert.That(state.exp_avg.abs().sum().item<float>(), Is.GreaterThan(0));
    }

    [Test]
    public void Counters_and_events_follow_the_cycle()
    {
        using var problem = new TinyRegression(seed: 4);
        using var farcast = new FarcastOptimizer(optim.SGD(problem.Parameters, 0.05), Settings()).Unguarded();
        var jumps = new List<FarcastJumpEventArgs>();
        farcast.Jumped += (_, e) => jumps.Add(e);

        for (var i = 0; i < 14; i++) problem.Step(farcast);   // cycles of 2 + 4 = 6 real steps after 2 warm-up steps

        Assert.That(farcast.RealSteps, Is.EqualTo(14));
        Assert.That(farcast.Jumps, Is.EqualTo(2));
        Assert.That(farcast.EffectiveSteps, Is.EqualTo(14 + 2 * 4));
        Assert.That(jumps.Select(e => e.Step), Is.EqualTo(new long[] { 8, 18 }));
        Assert.That(jumps.Select(e => e.Steps), Has.All.EqualTo(4));
        Assert.That(jumps.Select(e => e.Reason), Has.All.EqualTo(JumpReason.Accepted));
    }

    [Test]
    public void Until_the_warm_up_ends_the_wrapper_is_a_pass_through_that_allocates_nothing()
    {
        using var plain = new TinyRegression(seed: 5);
        using var wrapped = new TinyRegression(seed: 5);
        var plainOptimizer = optim.Adam(plain.Parameters, 0.01);
        var settings = Settings();
        settings.WarmupSteps = 100;
        using var farcast = new FarcastOptimizer(optim.Adam(wrapped.Parameters, 0.01), settings).Unguarded();

        for (var i = 0; i < 20; i++)
        {
            plain.Step(plainOptimizer);
            wrapped.Step(farcast);
        }

        Assert.That(farcast.BufferBytes, Is.EqualTo(0));
        AssertBitwiseEqual(plain.Snapshot(), wrapped.Snapshot());
    }

    [Test]
    public void The_recorder_keeps_three_copies_of_the_parameters()
    {
        using var problem = new TinyRegression(seed: 6);
        using var farcast = new FarcastOptimizer(optim.SGD(problem.Parameters, 0.01), Settings()).Unguarded();
        for (var i = 0; i < 3; i++) problem.Step(farcast);

        var parameterBytes = problem.Parameters.Sum(p => p.numel() * p.ElementSize);
        Assert.That(farcast.BufferBytes, Is.EqualTo(3 * parameterBytes));
    }

    [Test]
    public void A_non_finite_trajectory_is_never_written_and_is_counted_as_rejected()
    {
        using var plain = new TinyRegression(seed: 7);
        using var wrapped = new TinyRegression(seed: 7);
        var plainOptimizer = optim.SGD(plain.Parameters, 0.01);
        using var farcast = new FarcastOptimizer(optim.SGD(wrapped.Parameters, 0.01), Settings()).Unguarded();
        var reasons = new List<JumpReason>();
        farcast.JumpRejected += (_, e) => reasons.Add(e.Reason);

        for (var i = 0; i < 8; i++)
        {
            if (i == 5)
            {
                // A weight goes to infinity inside the window: the fitted statistics are no longer finite.
                using var noGrad = no_grad();
                plain.Model.parameters().First()[0, 0] = float.PositiveInfinity;
                wrapped.Model.parameters().First()[0, 0] = float.PositiveInfinity;
            }
            plain.Step(plainOptimizer);
            wrapped.Step(farcast);
        }

        Assert.That(farcast.Jumps, Is.EqualTo(0));
        Assert.That(farcast.RejectedJumps, Is.EqualTo(1));
        Assert.That(reasons, Is.EqualTo(new[] { JumpReason.NonFiniteForecast }));
        Assert.That(farcast.EffectiveSteps, Is.EqualTo(farcast.RealSteps));
        AssertBitwiseEqual(plain.Snapshot(), wrapped.Snapshot());
    }

    [Test]
    public void A_jump_that_raises_the_verification_loss_is_rolled_back_bit_exactly()
    {
        using var plain = new TinyRegression(seed: 8);
        using var wrapped = new TinyRegression(seed: 8);
        var plainOptimizer = optim.Adam(plain.Parameters, 0.01);
        using var farcast = new FarcastOptimizer(optim.Adam(wrapped.Parameters, 0.01), Settings());
        var calls = 0;
        Tensor[]? duringJump = null;
        farcast.VerificationLoss = () =>
        {
            calls++;
            if (calls % 2 == 0) duringJump = wrapped.Snapshot();
            return calls % 2 == 1 ? 1.0f : 1.5f;   // the loss after every jump is 50% higher
        };
        var rejected = new List<FarcastJumpEventArgs>();
        farcast.JumpRejected += (_, e) => rejected.Add(e);

        for (var i = 0; i < 14; i++)
        {
            plain.Step(plainOptimizer);
            wrapped.Step(farcast);
        }

        Assert.That(calls, Is.EqualTo(4));
        Assert.That(farcast.RejectedJumps, Is.EqualTo(2));
        Assert.That(rejected.Select(e => e.Reason), Has.All.EqualTo(JumpReason.VerificationFailed));
        Assert.That(rejected[0].LossBefore, Is.EqualTo(1.0));
        Assert.That(rejected[0].LossAfter, Is.EqualTo(1.5));
        Assert.That(duringJump!.Zip(wrapped.Snapshot()).Any(pair => !pair.First.equal(pair.Second).all().item<bool>()), "the jump was written before verification");
        AssertBitwiseEqual(plain.Snapshot(), wrapped.Snapshot());
    }

    [Test]
    public void Overhead_counts_the_wrappers_own_time_including_verification_and_not_before_the_first_window()
    {
        using var problem = new TinyRegression(seed: 12);
        var settings = Settings();
        settings.WarmupSteps = 3;
        using var farcast = new FarcastOptimizer(optim.SGD(problem.Parameters, 0.01), settings);
        farcast.VerificationLoss = () =>
        {
            Thread.Sleep(30);
            return 1.0f;
        };

        for (var i = 0; i < 3; i++) problem.Step(farcast);
        var beforeWindow = farcast.Overhead;
        for (var i = 0; i < 6; i++) problem.Step(farcast);   // one window (3 input + 4 target steps, sharing one), then a verified jump

        Assert.That(beforeWindow, Is.LessThan(TimeSpan.FromMilliseconds(30)), "warm-up steps only delegate");
        Assert.That(farcast.Jumps + farcast.RejectedJumps, Is.EqualTo(1));
        Assert.That(farcast.Overhead, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(60)), "two verification calls of 30 ms each");
    }

    [Test]
    public void A_jump_within_the_verification_tolerance_is_kept()
    {
        using var problem = new TinyRegression(seed: 9);
        var settings = Settings();
        settings.VerifyTolerance = 0.6;
        using var farcast = new FarcastOptimizer(optim.Adam(problem.Parameters, 0.01), settings);
        var calls = 0;
        farcast.VerificationLoss = () => ++calls % 2 == 1 ? 1.0f : 1.5f;

        for (var i = 0; i < 8; i++) problem.Step(farcast);

        Assert.That(farcast.Jumps, Is.EqualTo(1));
        Assert.That(farcast.RejectedJumps, Is.EqualTo(0));
    }

    internal static void AssertBitwiseEqual(IReadOnlyList<Tensor> expected, IReadOnlyList<Tensor> actual)
    {
        Assert.That(actual.Count, Is.EqualTo(expected.Count));
        for (var i = 0; i < expected.Count; i++)
        {
            // NaN-aware bitwise comparison through the raw bytes.
            var e = expected[i].data<float>().ToArray();
            var a = actual[i].data<float>().ToArray();
            Assert.That(a.Select(BitConverter.SingleToInt32Bits), Is.EqualTo(e.Select(BitConverter.SingleToInt32Bits)), $"parameter {i}");
        }
    }
}
