using TorchSharp.Modules;

namespace FarcastCallback.Tests;

/// <summary>Defects a code review found, each pinned by a test that failed before its fix.</summary>
public sealed class LibraryCorrectnessTests
{
    private static readonly long[][] Shapes = { new long[] { 6, 5 }, new long[] { 7 } };

    [Test]
    public void After_add_param_group_a_stop_mode_run_still_ends_on_a_farcast()
    {
        using var problem = new QuadraticProblem(seed: 1, Shapes, curvature: new[] { 1.0, 1.0 }, learningRate: 0.01);
        using var extra = new Parameter(ones(3));
        using var farcast = new FarcastOptimizer(optim.SGD(new[] { problem.Parameters[0] }, 0.01), new FarcastOptions
        {
            WarmupSteps = 0, InputSteps = 3, Horizon = 5, MinJump = 5, RefitEvery = 0, Mode = FarcastMode.Stop, TotalSteps = 40,
        }).Unguarded();
        for (var i = 0; i < 10; i++) problem.Step(farcast);   // a fit and a jump: maps for one tensor
        farcast.add_param_group(new SGD.ParamGroup(new[] { problem.Parameters[1], extra }, new SGD.Options { LearningRate = 0.01 }));

        var steps = 0;
        while (!farcast.ShouldStop && steps++ < 100) problem.Step(farcast);

        Assert.That(farcast.EffectiveSteps, Is.EqualTo(40), "no stale maps of the old parameter list");
    }

    [Test]
    public void A_parameter_group_added_while_a_jump_is_under_judgement_rolls_the_jump_back_before_the_optimizer_changes()
    {
        using var problem = new QuadraticProblem(seed: 4, Shapes, curvature: new[] { 1.0, 1.0 }, learningRate: 0.01);
        using var extra = new Parameter(ones(3));
        using var farcast = new FarcastOptimizer(optim.Adam(new[] { problem.Parameters[0] }, 0.01), new FarcastOptions
        {
            WarmupSteps = 0, InputSteps = 3, Horizon = 2, MinJump = 2, RefitEvery = 0, JudgeAfterSteps = 5,
        }) { VerificationLoss = () => 1f };
        var rejected = new List<FarcastJumpEventArgs>();
        farcast.JumpRejected += (_, e) => rejected.Add(e);
        for (var i = 0; i < 5; i++) problem.Step(farcast);   // the window ends after step 4: the jump waits for 5 steps
        Assert.That(farcast.JumpUnderJudgement, Is.True);

        farcast.add_param_group(new Adam.ParamGroup(new[] { problem.Parameters[1], extra }, new Adam.Options { LearningRate = 0.01 }));
        for (var i = 0; i < 10; i++) problem.Step(farcast);

        Assert.That(rejected.Select(e => e.JudgedAfterSteps), Is.EqualTo(new[] { 1 }), "abandoned and rolled back, one step into its judgement");
        Assert.That(farcast.Inner.ParamGroups.Count(), Is.EqualTo(2));
    }

    [Test]
    public void Frozen_parameters_are_neither_moved_nor_buffered()
    {
        using var problem = new TinyRegression(seed: 2);
        var frozen = problem.Parameters.First();
        frozen.requires_grad_(false);
        using var before = frozen.detach().clone();
        using var farcast = new FarcastOptimizer(optim.Adam(problem.Parameters, 0.01), new FarcastOptions
        {
            WarmupSteps = 1, InputSteps = 2, Horizon = 3, MinJump = 3, MinTensorSize = 1000,
        }).Unguarded();

        for (var i = 0; i < 12; i++) problem.Step(farcast);

        Assert.That(farcast.Jumps, Is.GreaterThan(0));
        Assert.That(frozen.equal(before).all().item<bool>(), "a frozen tensor never moves");
        var trained = problem.Parameters.Skip(1).Sum(p => p.numel() * p.ElementSize);
        Assert.That(farcast.BufferBytes, Is.EqualTo(3 * trained), "three copies of the trained parameters only");
    }

    [Test]
    public void A_non_contiguous_parameter_is_farcast_like_its_contiguous_twin()
    {
        random.manual_seed(3);
        using var source = randn(5, 4);
        using var optimum = randn(4, 5);
        using var transposed = new Parameter(source.t());                 // a view with strides (1, 4)
        using var contiguous = new Parameter(source.t().contiguous());
        Assert.That(transposed.is_contiguous(), Is.False);
        var options = new FarcastOptions { WarmupSteps = 1, InputSteps = 3, Horizon = 4, RefitEvery = 0 };
        using var a = new FarcastOptimizer(optim.SGD(new[] { transposed }, 0.05), options).Unguarded();
        using var b = new FarcastOptimizer(optim.SGD(new[] { contiguous }, 0.05), options).Unguarded();

        foreach (var (p, o) in new[] { (transposed, a), (contiguous, b) })
        {
            for (var i = 0; i < 10; i++)
            {
                using var scope = NewDisposeScope();
                o.zero_grad();
                (p - optimum).pow(2).sum().backward();
                o.step();
            }
        }

        Assert.That(a.Jumps, Is.EqualTo(b.Jumps).And.GreaterThan(0));
        Assert.That(transposed.allclose(contiguous, rtol: 1e-6, atol: 1e-6));
    }

    [Test]
    public void A_tensor_the_verification_callback_keeps_survives_the_step()
    {
        // A training loop without a dispose scope of its own: what the callback makes belongs to nobody and must stay
        // valid; inside the wrapper's scope it was freed when the wrapper's observation ended.
        using var problem = new TinyRegression(seed: 4);
        using var farcast = new FarcastOptimizer(optim.SGD(problem.Parameters, 0.01), new FarcastOptions { WarmupSteps = 1, InputSteps = 2, Horizon = 2, MinJump = 2 });
        using var x = randn(16, 4);
        using var y = randn(16, 1);
        var kept = new List<Tensor>();
        farcast.VerificationLoss = () =>
        {
            kept.Add(problem.Model.forward(x).detach());
            return problem.Loss();
        };
        farcast.Jumped += (_, _) => kept.Add(problem.Parameters.First().detach() * 1);

        for (var i = 0; i < 4; i++)
        {
            farcast.zero_grad();
            nn.functional.mse_loss(problem.Model.forward(x), y).backward();
            farcast.step();
        }

        Assert.That(kept, Has.Count.GreaterThanOrEqualTo(2));
        Assert.That(kept.All(t => !t.IsInvalid), "not freed by the wrapper's scope");
        Assert.That(kept.Select(t => t.sum().item<float>()), Has.None.NaN);
        foreach (var t in kept) t.Dispose();
    }

    [Test]
    public void A_state_saved_with_other_settings_leaves_the_inner_optimizer_untouched()
    {
        using var problem = new TinyRegression(seed: 5);
        var saved = new MemoryStream();
        using (var other = new FarcastOptimizer(optim.Adam(problem.Parameters, 0.01), new FarcastOptions { WarmupSteps = 1, InputSteps = 2, Horizon = 3, MinJump = 3 }).Unguarded())
        {
            for (var i = 0; i < 5; i++) problem.Step(other);
            other.save_state_dict(new BinaryWriter(saved));
        }
        var adam = optim.Adam(problem.Parameters, 0.01);
        using var farcast = new FarcastOptimizer(adam, new FarcastOptions { WarmupSteps = 1, InputSteps = 2, Horizon = 4 }).Unguarded();
        saved.Position = 0;

        Assert.Throws<InvalidDataException>(() => farcast.load_state_dict(new BinaryReader(saved)));
        Assert.That(((Adam.State)adam.state_dict().State[0]).step, Is.EqualTo(0), "the saved Adam state (5 steps) was not loaded");
    }

    [Test]
    public void A_scheduler_can_follow_effective_steps()
    {
        using var problem = new TinyRegression(seed: 6);
        var sgd = optim.SGD(problem.Parameters, 1.0);
        using var farcast = new FarcastOptimizer(sgd, new FarcastOptions { WarmupSteps = 1, InputSteps = 2, Horizon = 3, MinJump = 3, RefitEvery = 0 }).Unguarded();
        var schedule = optim.lr_scheduler.StepLR(farcast, step_size: 1, gamma: 0.5);
        farcast.FollowEffectiveSteps(schedule);

        for (var i = 0; i < 6; i++)
        {
            problem.Step(farcast);
            schedule.step();
        }

        Assert.That(farcast.Jumps, Is.EqualTo(1));
        Assert.That(sgd.ParamGroups.Single().LearningRate, Is.EqualTo(Math.Pow(0.5, 6 + 3)).Within(1e-12), "6 real steps and 3 skipped");
    }

    [TestCase(ScalarType.BFloat16)]
    [TestCase(ScalarType.Float16)]
    public void Half_precision_weights_are_fitted_from_float64_sums(ScalarType dtype)
    {
        // The same scripted trajectory — a geometric contraction, rounded to the half type — in a half-precision and a
        // float64 parameter. The values are equal, so sums taken in float64 give the same map; sums reduced in the half
        // type before the subtraction of near-equal terms do not.
        using var half = new Parameter(zeros(4000, dtype: dtype));
        using var wide = new Parameter(zeros(4000, dtype: ScalarType.Float64));
        var options = new FarcastOptions { WarmupSteps = 0, InputSteps = 6, Horizon = 8, MinJump = 8, RefitEvery = 0 };
        using var a = new FarcastOptimizer(optim.SGD(new[] { half }, 0.0), options).Unguarded();
        using var b = new FarcastOptimizer(optim.SGD(new[] { wide }, 0.0), options).Unguarded();
        random.manual_seed(8);
        using var start = rand(4000, dtype: ScalarType.Float64) + 1;
        using var optimum = randn(4000, dtype: ScalarType.Float64);

        for (var t = 1; t <= 13; t++)
        {
            using (no_grad())
            {
                using var exact = optimum + Math.Pow(0.97, t) * (start - optimum);
                half.copy_(exact);
                wide.copy_(half);
            }
            a.step();
            b.step();
        }

        Assert.That((a.Jumps, b.Jumps), Is.EqualTo((1, 1)));
        for (var j = 1; j <= options.Horizon; j++)
        {
            Assert.That(a.LastMaps[0][j].A, Is.EqualTo(b.LastMaps[0][j].A).Within(1e-9), $"a_{j}");
            Assert.That(a.LastMaps[0][j].B, Is.EqualTo(b.LastMaps[0][j].B).Within(1e-9), $"b_{j}");
        }
    }
}
