namespace FarcastCallback.Tests;

/// <summary>
/// The step-loss guard (docs/design.md, "The step-loss guard"): a jump is judged by the loss that the training steps'
/// closures compute anyway, so judging costs no forward pass. The timeline is <see cref="DelayedGuardTests"/>'s: warm-up
/// 2, input window 3, horizon 4, stride 1 — the recent input window starts after step 6, the jump is written after
/// step 8 and judged by the loss of step 8 + R. Step k's closure computes the loss at the weights after k − 1 updates.
/// </summary>
public sealed class StepLossGuardTests
{
    private static FarcastOptions Options(int judgeAfter, int refitEvery = 0) => new()
    {
        WarmupSteps = 2, InputSteps = 3, Horizon = 4, MinJump = 1, RefitEvery = refitEvery, JudgeAfterSteps = judgeAfter,
    };

    private static QuadraticProblem Problem(ScalarType dtype = ScalarType.Float64) =>
        new(seed: 41, new[] { new long[] { 64 } }, new[] { 1.0 }, learningRate: 0.05, dtype);

    /// <summary>Full-batch steps through step(closure), recording every loss the closure computed, and how often it ran.</summary>
    private sealed class ClosureSteps(QuadraticProblem problem, optim.Optimizer optimizer, Func<bool>? poisoned = null)
    {
        public List<double> Losses { get; } = new();

        public void Step()
        {
            using var scope = NewDisposeScope();
            optimizer.step(() =>
            {
                optimizer.zero_grad();
                var loss = problem.Loss();
                loss.backward();
                Losses.Add(loss.ToDouble());
                return poisoned?.Invoke() == true ? loss + 100.0 : loss;
            });
        }
    }

    [Test]
    public void A_jump_is_judged_by_the_loss_the_next_step_computes_at_the_jumped_weights_with_no_forward_pass_of_its_own()
    {
        using var problem = Problem();
        using var farcast = new FarcastOptimizer(problem.GradientDescent(), Options(judgeAfter: 1)) { VerifyWithStepLoss = true };
        var steps = new ClosureSteps(problem, farcast);
        var kept = new List<FarcastJumpEventArgs>();
        farcast.Jumped += (_, e) => kept.Add(e);

        for (var i = 0; i < 9; i++) steps.Step();

        Assert.That(steps.Losses, Has.Count.EqualTo(9), "one closure call per real step: the guard adds none");
        Assert.That(kept, Has.Count.EqualTo(1));
        var l = steps.Losses;
        // Readings are one update old: before the jump, step 8's loss; the trend's first, step 6's (2 steps earlier, the
        // input window's span); one step ahead of the reading before the jump is where plain training would be.
        Assert.That(kept[0].LossBefore, Is.EqualTo(l[7] + 0.5 * (l[7] - l[5])).Within(1e-12));
        Assert.That(kept[0].LossAfter, Is.EqualTo(l[8]), "the loss step 9 computed at the jumped weights");
        Assert.That(kept[0].JudgedAfterSteps, Is.EqualTo(1));
        Assert.That(farcast.EffectiveSteps, Is.EqualTo(9 + 4));
        Assert.That(problem.RelativeError(13), Is.LessThan(1e-9), "the exact oracle: the jump landed on gradient descent");
        Assert.That(farcast.VerificationOverhead, Is.LessThan(farcast.Overhead + TimeSpan.FromTicks(1)));
    }

    [Test]
    public void A_window_that_reuses_the_map_takes_its_first_reading_from_the_step_before_it_began()
    {
        using var problem = Problem();
        using var farcast = new FarcastOptimizer(problem.GradientDescent(), Options(judgeAfter: 1, refitEvery: 1)) { VerifyWithStepLoss = true };
        var steps = new ClosureSteps(problem, farcast);
        var judged = new List<FarcastJumpEventArgs>();
        farcast.Jumped += (_, e) => judged.Add(e);
        farcast.JumpRejected += (_, e) => judged.Add(e);

        // The first jump is judged at step 9; the reusing window begins before step 10 (its recent input window starts
        // there), writes its jump after step 11 and has it judged by step 12's loss.
        for (var i = 0; i < 12; i++) steps.Step();

        Assert.That(judged, Has.Count.EqualTo(2));
        var l = steps.Losses;
        Assert.That(judged[1].LossBefore, Is.EqualTo(l[10] + 0.5 * (l[10] - l[8])).Within(1e-12));
        Assert.That(judged[1].LossAfter, Is.EqualTo(l[11]));
    }

    [Test]
    public void A_rejected_jump_is_rolled_back_at_the_end_of_its_last_step_and_costs_no_extra_closure_call()
    {
        const int delay = 2;
        using var plainProblem = Problem(ScalarType.Float32);   // the bitwise comparison reads float32
        using var problem = Problem(ScalarType.Float32);
        var plainOptimizer = optim.Adam(plainProblem.Parameters, 0.01);
        using var farcast = new FarcastOptimizer(optim.Adam(problem.Parameters, 0.01), Options(delay)) { VerifyWithStepLoss = true };
        var plain = new ClosureSteps(plainProblem, plainOptimizer);
        var steps = new ClosureSteps(problem, farcast, poisoned: () => farcast.JumpUnderJudgement);
        var rejected = new List<FarcastJumpEventArgs>();
        farcast.JumpRejected += (_, e) => rejected.Add(e);

        for (var i = 0; i < 8; i++)
        {
            plain.Step();
            steps.Step();
        }
        for (var i = 0; i < delay; i++) steps.Step();

        Assert.That(rejected, Has.Count.EqualTo(1));
        Assert.That(rejected[0].JudgedAfterSteps, Is.EqualTo(delay));
        Assert.That(rejected[0].LossAfter, Is.EqualTo(steps.Losses[^1] + 100.0).Within(1e-4), "the poisoned loss, in float32");
        Assert.That(steps.Losses, Has.Count.EqualTo(8 + delay));
        Assert.That(farcast.EffectiveSteps, Is.EqualTo(8));
        WrapperTests.AssertBitwiseEqual(plainProblem.Parameters, problem.Parameters);

        // Adam's state is back as well: the next step computes its own loss at the restored weights, as plain's does.
        plain.Step();
        steps.Step();
        Assert.That(steps.Losses[^1], Is.EqualTo(plain.Losses[^1]));
        WrapperTests.AssertBitwiseEqual(plainProblem.Parameters, problem.Parameters);
    }

    [Test]
    public void Misuse_is_one_clear_error()
    {
        using var problem = Problem();
        using var immediate = new FarcastOptimizer(problem.GradientDescent(), Options(judgeAfter: 0));
        var noDelay = Assert.Throws<InvalidOperationException>(() => immediate.VerifyWithStepLoss = true);
        Assert.That(noDelay!.Message, Does.StartWith("VerifyWithStepLoss judges a jump by the losses of the steps after it: set JudgeAfterSteps to at least 1"));

        using var delayed = new FarcastOptimizer(problem.GradientDescent(), Options(judgeAfter: 1)) { VerifyWithStepLoss = true };
        var noClosure = Assert.Throws<InvalidOperationException>(() => delayed.step());
        Assert.That(noClosure!.Message, Does.StartWith("VerifyWithStepLoss reads the loss that step(closure) computes"));

        delayed.VerificationLoss = () => 1f;
        var both = Assert.Throws<InvalidOperationException>(() => new ClosureSteps(problem, delayed).Step());
        Assert.That(both!.Message, Is.EqualTo("VerifyWithStepLoss replaces VerificationLoss and VerificationLosses: set one guard, not both."));
        Assert.Throws<InvalidOperationException>(() => delayed.VerifyWithStepLoss = true);
    }
}
