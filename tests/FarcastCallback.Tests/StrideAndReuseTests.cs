namespace FarcastCallback.Tests;

/// <summary>Snapshots <c>Stride</c> steps apart and maps reused on fresh input windows, checked on the exact GD oracle (docs/design.md, "Exact oracle").</summary>
public sealed class StrideAndReuseTests
{
    private static readonly long[][] Shapes = { new long[] { 6, 5 }, new long[] { 7 } };

    [Test]
    public void With_a_stride_every_jump_still_lands_on_gradient_descent_and_skips_stride_times_the_horizon()
    {
        using var problem = new QuadraticProblem(seed: 1, Shapes, curvature: new[] { 1.0, 1.0 }, learningRate: 0.01);
        using var farcast = new FarcastOptimizer(problem.GradientDescent(), new FarcastOptions
        {
            WarmupSteps = 3, InputSteps = 4, Horizon = 5, MinJump = 5, Stride = 3, RefitEvery = 0,
        }).Unguarded();
        var jumps = new List<(long RealStep, int Steps, double Error)>();
        farcast.Jumped += (_, e) => jumps.Add((farcast.RealSteps, e.Steps, problem.RelativeError(farcast.EffectiveSteps)));

        for (var i = 0; i < 100; i++) problem.Step(farcast);

        // A window spans (4 - 1 + 5) × 3 = 24 real steps and skips 5 × 3 = 15.
        Assert.That(jumps.Select(j => j.RealStep), Is.EqualTo(new long[] { 27, 51, 75, 99 }));
        Assert.That(jumps.Select(j => j.Steps), Has.All.EqualTo(15));
        Assert.That(farcast.EffectiveSteps, Is.EqualTo(100 + 4 * 15));
        Assert.That(jumps.Select(j => j.Error), Has.All.LessThanOrEqualTo(1e-5));
    }

    [TestCase(FarcastMap.Fitted, 27L)]
    [TestCase(FarcastMap.Smoothing, 12L)]
    [TestCase(FarcastMap.LinearExtrapolation, 12L)]
    public void The_options_say_at_which_real_step_the_first_jump_comes(FarcastMap map, long expected)
    {
        var options = new FarcastOptions { WarmupSteps = 3, InputSteps = 4, Horizon = 5, MinJump = 5, Stride = 3, RefitEvery = 0, Map = map };
        using var problem = new QuadraticProblem(seed: 4, Shapes, curvature: new[] { 1.0, 1.0 }, learningRate: 0.01);
        using var farcast = new FarcastOptimizer(problem.GradientDescent(), options).Unguarded();
        var first = (long?)null;
        farcast.Jumped += (_, _) => first ??= farcast.RealSteps;

        for (var i = 0; i < 40; i++) problem.Step(farcast);

        // Fitted: 3 + (4 - 1 + 5) × 3; a map that is not fitted writes at the end of its input window, 3 + (4 - 1) × 3.
        Assert.That(options.FirstJumpRealStep(), Is.EqualTo(expected));
        Assert.That(first, Is.EqualTo(expected));
    }

    [Test]
    public void Reused_maps_jump_after_each_fresh_input_window_and_a_fit_follows_every_RefitEvery_reuses()
    {
        using var problem = new QuadraticProblem(seed: 2, Shapes, curvature: new[] { 1.0, 1.0 }, learningRate: 0.01);
        using var farcast = new FarcastOptimizer(problem.GradientDescent(), new FarcastOptions
        {
            WarmupSteps = 3, InputSteps = 6, Horizon = 15, MinJump = 15, RefitEvery = 2,
        }).Unguarded();
        var jumps = new List<(long RealStep, double Error)>();
        farcast.Jumped += (_, _) => jumps.Add((farcast.RealSteps, problem.RelativeError(farcast.EffectiveSteps)));

        for (var i = 0; i < 100; i++) problem.Step(farcast);

        // Fitting windows take 5 + 15 real steps, reusing ones 5.
        Assert.That(jumps.Select(j => j.RealStep), Is.EqualTo(new long[] { 23, 28, 33, 53, 58, 63, 83, 88, 93 }));
        Assert.That(jumps.Select(j => j.Error), Has.All.LessThanOrEqualTo(1e-5), "the contraction is stationary, so a reused map is exact too");
    }

    [Test]
    public void A_rejected_reuse_ends_the_reuse_and_the_next_window_fits_again()
    {
        using var problem = new QuadraticProblem(seed: 3, Shapes, curvature: new[] { 1.0, 1.0 }, learningRate: 0.01);
        using var farcast = new FarcastOptimizer(problem.GradientDescent(), new FarcastOptions
        {
            WarmupSteps = 0, InputSteps = 3, Horizon = 4, MinJump = 4, RefitEvery = 5,
        });
        var attempt = 0;
        var calls = 0;
        farcast.VerificationLoss = () => ++calls % 2 == 1 ? 1f : (attempt == 2 ? 2f : 0.5f);   // the 2nd attempt (a reuse) fails
        var outcomes = new List<(long RealStep, bool Kept)>();
        farcast.Jumped += (_, _) => outcomes.Add((farcast.RealSteps, true));
        farcast.JumpRejected += (_, _) => outcomes.Add((farcast.RealSteps, false));
        farcast.Jumped += (_, _) => attempt++;
        farcast.JumpRejected += (_, _) => attempt++;
        attempt = 1;

        for (var i = 0; i < 20; i++) problem.Step(farcast);

        // Fit 2 + 4 = 6, reuse 2 (rejected), fit 6, reuse 2, 2, 2.
        Assert.That(outcomes, Is.EqualTo(new[] { (6L, true), (8L, false), (14L, true), (16L, true), (18L, true), (20L, true) }));
    }

    [Test]
    public void Linear_extrapolation_with_two_input_steps_is_fast_forward_and_exact_on_a_constant_gradient()
    {
        using var weights = new TorchSharp.Modules.Parameter(tensor(new[] { 1.0, -2.0, 0.5 }));
        using var gradient = tensor(new[] { 0.3, -0.1, 2.0 });
        using var farcast = new FarcastOptimizer(optim.SGD(new[] { weights }, 0.01), new FarcastOptions
        {
            WarmupSteps = 0, InputSteps = 2, Horizon = 8, MinJump = 8, Map = FarcastMap.LinearExtrapolation,
        }).Unguarded();

        for (var i = 0; i < 10; i++)
        {
            using var scope = NewDisposeScope();
            farcast.zero_grad();
            (weights * gradient).sum().backward();
            farcast.step();
        }

        // Every real step is a one-step input window followed by a jump of 8: 10 + 80 effective steps of SGD.
        Assert.That(farcast.Jumps, Is.EqualTo(10));
        Assert.That(farcast.EffectiveSteps, Is.EqualTo(90));
        var expected = new[] { 1.0 - 90 * 0.01 * 0.3, -2.0 + 90 * 0.01 * 0.1, 0.5 - 90 * 0.01 * 2.0 };
        Assert.That(weights.data<double>().ToArray(), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void Stop_mode_refuses_a_stride()
    {
        var result = new FarcastOptionsValidator().Validate(null, new FarcastOptions { Mode = FarcastMode.Stop, TotalSteps = 1000, Stride = 2 });

        Assert.That(result.FailureMessage, Is.EqualTo("Farcast:Stride must be 1 in Stop mode (the final farcast lands on a single step); got 2."));
    }
}
