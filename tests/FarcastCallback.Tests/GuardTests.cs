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

    private static GuardReading Reading(params double[] values) => new(values.Average(), values);
}
