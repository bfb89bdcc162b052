namespace FarcastCallback.Tests;

/// <summary>docs/design.md, "Exact oracle": on an isotropic quadratic under full-batch GD, LFD-2 is exact.</summary>
public sealed class ExactOracleTests
{
    private static readonly long[][] Shapes = { new long[] { 6, 5 }, new long[] { 7 } };

    [Test]
    public void After_each_jump_the_weights_equal_gradient_descent_at_the_effective_step()
    {
        using var problem = new QuadraticProblem(seed: 1, Shapes, curvature: new[] { 1.0, 1.0 }, learningRate: 0.01);
        using var farcast = new FarcastOptimizer(problem.GradientDescent(), new FarcastOptions
        {
            WarmupSteps = 3, InputSteps = 6, Horizon = 15, MinJump = 15, RefitEvery = 0,
        }).Unguarded();
        var errors = new List<double>();
        farcast.Jumped += (_, _) => errors.Add(problem.RelativeError(farcast.EffectiveSteps));

        for (var i = 0; i < 120; i++) problem.Step(farcast);

        Assert.That(farcast.Jumps, Is.EqualTo(5));
        Assert.That(farcast.EffectiveSteps, Is.EqualTo(120 + 5 * 15));
        Assert.That(errors, Has.All.LessThanOrEqualTo(1e-5));
        Assert.That(problem.RelativeError(farcast.EffectiveSteps), Is.LessThanOrEqualTo(1e-5));
    }

    [Test]
    public void In_float32_the_jumps_stay_within_float32_accuracy_of_gradient_descent()
    {
        using var problem = new QuadraticProblem(seed: 6, new[] { new long[] { 300, 40 }, new long[] { 50 } },
            curvature: new[] { 1.0, 1.0 }, learningRate: 0.01, dtype: ScalarType.Float32);
        using var farcast = new FarcastOptimizer(problem.GradientDescent(), new FarcastOptions
        {
            WarmupSteps = 3, InputSteps = 6, Horizon = 15, MinJump = 15, RefitEvery = 0,
        }).Unguarded();
        var errors = new List<double>();
        farcast.Jumped += (_, _) => errors.Add(problem.RelativeError(farcast.EffectiveSteps));

        for (var i = 0; i < 120; i++) problem.Step(farcast);

        TestContext.Out.WriteLine($"float32 relative errors after jumps: {string.Join(", ", errors.Select(e => e.ToString("G3")))}");
        Assert.That(farcast.Jumps, Is.EqualTo(5));
        Assert.That(errors, Has.All.LessThanOrEqualTo(1e-5));
    }

    [Test]
    public void Fitted_coefficients_match_the_closed_form_of_the_design()
    {
        const int horizon = 30;
        using var problem = new QuadraticProblem(seed: 2, Shapes, curvature: new[] { 1.0, 1.0 }, learningRate: 0.01);
        using var farcast = new FarcastOptimizer(problem.GradientDescent(), new FarcastOptions
        {
            WarmupSteps = 0, InputSteps = 21, Horizon = horizon, MinJump = 1,
        }).Unguarded();

        for (var i = 0; i < 20 + horizon; i++) problem.Step(farcast);

        Assert.That(farcast.Jumps, Is.EqualTo(1));
        // Only the steps a ladder can reach are observed and fitted; the others are NaN, so no forecast is written from them.
        var observed = new[] { 1, 2, 4, 8, 15, 16, 30 };
        foreach (var map in farcast.LastMaps)
        {
            Assert.That(Enumerable.Range(1, horizon).Where(j => double.IsFinite(map[j].A)), Is.EqualTo(observed));
            foreach (var j in observed)
            {
                var t = 20 + j;
                var b = (1 - Math.Pow(0.99, t)) / (1 - Math.Pow(0.99, 20));
                var a = Math.Pow(0.99, t) - Math.Pow(0.99, 20) * b;
                Assert.That(map[j].A, Is.EqualTo(a).Within(1e-8), $"a_{j}");
                Assert.That(map[j].B, Is.EqualTo(b).Within(1e-8), $"b_{j}");
                Assert.That(map[j].C, Is.EqualTo(0).Within(1e-8), $"c_{j}");
            }
        }
    }

    [Test]
    public void Stop_mode_farcasts_exactly_the_total_step_and_asks_to_stop()
    {
        using var problem = new QuadraticProblem(seed: 3, Shapes, curvature: new[] { 1.0, 1.0 }, learningRate: 0.01);
        using var farcast = new FarcastOptimizer(problem.GradientDescent(), new FarcastOptions
        {
            WarmupSteps = 2, InputSteps = 5, Horizon = 20, MinJump = 20, RefitEvery = 0, Mode = FarcastMode.Stop, TotalSteps = 100,
        }).Unguarded();
        var reasons = new List<JumpReason>();
        farcast.Jumped += (_, e) => reasons.Add(e.Reason);

        var steps = 0;
        while (!farcast.ShouldStop && steps < 1000)
        {
            problem.Step(farcast);
            steps++;
        }

        Assert.That(farcast.EffectiveSteps, Is.EqualTo(100));
        Assert.That(farcast.RealSteps, Is.LessThan(100));
        Assert.That(reasons.Last(), Is.EqualTo(JumpReason.FinalFarcast));
        Assert.That(reasons.Take(reasons.Count - 1), Has.All.EqualTo(JumpReason.Accepted));
        Assert.That(problem.RelativeError(100), Is.LessThanOrEqualTo(1e-5));
    }
}
