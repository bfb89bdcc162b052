using FarcastCallback.Jumping;

namespace FarcastCallback.Tests;

public sealed class GuardTests
{
    private static readonly GuardReading Before = new(1.0, new[] { 1.0, 1.0, 1.0, 1.0 });

    [Test]
    public void A_consistent_improvement_passes_the_paired_test()
    {
        var guard = new JumpGuard(tolerance: 0, standardErrors: 2);
        Assert.That(guard.Passes(Before, Reading(0.9, 0.9, 0.9, 0.9)));
    }

    [Test]
    public void An_improvement_smaller_than_its_standard_error_fails_the_paired_test_but_passes_the_plain_comparison()
    {
        var after = Reading(0.5, 1.48, 0.7, 1.3);   // mean change -0.005, standard error ≈ 0.24
        Assert.That(new JumpGuard(0, standardErrors: 1).Passes(Before, after), Is.False);
        Assert.That(new JumpGuard(0, standardErrors: 0).Passes(Before, after), Is.True);
    }

    [Test]
    public void A_non_finite_loss_never_passes()
    {
        Assert.That(new JumpGuard(1e6, 0).Passes(Before, Reading(double.NaN, 1, 1, 1)), Is.False);
        Assert.That(new JumpGuard(1e6, 0).Passes(new GuardReading(1, null), new GuardReading(double.PositiveInfinity, null)), Is.False);
    }

    [Test]
    public void The_optimizer_judges_per_example_losses_with_the_standard_error_margin()
    {
        using var problem = new TinyRegression(seed: 3);
        using var farcast = new FarcastOptimizer(optim.SGD(problem.Parameters, 0.01), new FarcastOptions
        {
            WarmupSteps = 2, InputSteps = 3, Horizon = 4, VerifyStandardErrors = 1,
        });
        var calls = 0;
        farcast.VerificationLoss = () => throw new AssertionException("per-example losses take precedence");
        farcast.VerificationLosses = () => ++calls % 2 == 1 ? tensor(new[] { 1f, 1f, 1f, 1f }) : tensor(new[] { 0.5f, 1.48f, 0.7f, 1.3f });

        for (var i = 0; i < 8; i++) problem.Step(farcast);

        Assert.That(calls, Is.EqualTo(2));
        Assert.That(farcast.RejectedJumps, Is.EqualTo(1), "a mean fall of 0.005 with a standard error of 0.24 is noise");
        Assert.That(farcast.VerificationOverhead, Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public void A_guard_that_throws_leaves_the_weights_as_they_were_and_the_attempt_is_counted_and_reported()
    {
        using var plain = new TinyRegression(seed: 4);
        using var wrapped = new TinyRegression(seed: 4);
        var plainOptimizer = optim.SGD(plain.Parameters, 0.01);
        using var farcast = new FarcastOptimizer(optim.SGD(wrapped.Parameters, 0.01), new FarcastOptions
        {
            WarmupSteps = 2, InputSteps = 3, Horizon = 4, RefitEvery = 0,
        });
        var calls = 0;
        farcast.VerificationLoss = () => ++calls == 2 ? throw new InvalidOperationException("the held-out batch is gone") : 1f;
        var rejected = new List<JumpReason>();
        farcast.JumpRejected += (_, e) => rejected.Add(e.Reason);

        for (var i = 0; i < 7; i++)
        {
            plain.Step(plainOptimizer);
            wrapped.Step(farcast);
        }
        plain.Step(plainOptimizer);
        var error = Assert.Throws<InvalidOperationException>(() => wrapped.Step(farcast));   // the jump at real step 8

        Assert.That(error!.Message, Is.EqualTo("the held-out batch is gone"));
        Assert.That(farcast.RejectedJumps, Is.EqualTo(1));
        Assert.That(rejected, Is.EqualTo(new[] { JumpReason.VerificationFailed }));
        WrapperTests.AssertBitwiseEqual(plain.Snapshot(), wrapped.Snapshot());
    }

    [Test]
    public void Per_example_losses_of_another_length_after_the_jump_are_an_error_not_a_skipped_test()
    {
        using var plain = new TinyRegression(seed: 5);
        using var wrapped = new TinyRegression(seed: 5);
        var plainOptimizer = optim.SGD(plain.Parameters, 0.01);
        using var farcast = new FarcastOptimizer(optim.SGD(wrapped.Parameters, 0.01), new FarcastOptions
        {
            WarmupSteps = 2, InputSteps = 3, Horizon = 4, VerifyStandardErrors = 2,
        });
        var calls = 0;
        farcast.VerificationLosses = () => ++calls == 1 ? ones(4) : ones(3);
        for (var i = 0; i < 8; i++) plain.Step(plainOptimizer);
        for (var i = 0; i < 7; i++) wrapped.Step(farcast);

        var error = Assert.Throws<InvalidOperationException>(() => wrapped.Step(farcast));

        Assert.That(error!.Message, Does.Contain("4 losses before the jump and 3 after"));
        Assert.That((farcast.Jumps, farcast.RejectedJumps), Is.EqualTo((0, 1)));
        WrapperTests.AssertBitwiseEqual(plain.Snapshot(), wrapped.Snapshot());
    }

    private static GuardReading Reading(params double[] values) => new(values.Average(), values);
}
