using FarcastCallback.Jumping;

namespace FarcastCallback.Tests;

/// <summary>
/// The delayed guard (docs/design.md, "The delayed guard"). The timeline of every test: warm-up 2, input window 3,
/// horizon 4, stride 1 — the window starts before real step 3, the recent input window starts after step 6 (the
/// trend's first reading), the jump is written after step 8 (the reading before it) and judged after step 8 + delay.
/// </summary>
public sealed class DelayedGuardTests
{
    private const int Delay = 3;

    private static FarcastOptions Options() => new()
    {
        WarmupSteps = 2, InputSteps = 3, Horizon = 4, MinJump = 1, RefitEvery = 0, JudgeAfterSteps = Delay,
    };

    /// <summary>A guard whose readings are scripted: the n-th call returns the n-th value.</summary>
    private static Func<float> Scripted(params float[] readings)
    {
        var calls = 0;
        return () => calls < readings.Length ? readings[calls++] : throw new AssertionException($"guard called {calls + 1} times");
    }

    [Test]
    public void A_jump_is_judged_after_the_delay_against_the_trend_of_the_guards_readings_and_kept_when_it_beats_it()
    {
        using var problem = new TinyRegression(seed: 31);
        using var farcast = new FarcastOptimizer(optim.Adam(problem.Parameters, 0.01), Options());
        // Recent start 2.0, before the jump 1.0: over the 2-step input window the loss fell by 1, so after 3 more steps
        // plain training is expected at 1 + 1.5 × (1 - 2) = -0.5; the jumped run reads -0.6.
        farcast.VerificationLoss = Scripted(2.0f, 1.0f, -0.6f);
        var kept = new List<FarcastJumpEventArgs>();
        farcast.Jumped += (_, e) => kept.Add(e);
        var underJudgement = new List<bool>();

        for (var i = 0; i < 8 + Delay; i++)
        {
            problem.Step(farcast);
            underJudgement.Add(farcast.JumpUnderJudgement);
        }

        Assert.That(underJudgement, Is.EqualTo(new[] { false, false, false, false, false, false, false, true, true, true, false }));
        Assert.That(kept, Has.Count.EqualTo(1));
        Assert.That(kept[0].Steps, Is.EqualTo(4), "the first delayed jump writes the whole horizon");
        Assert.That(kept[0].JudgedAfterSteps, Is.EqualTo(Delay));
        Assert.That(kept[0].LossBefore, Is.EqualTo(-0.5).Within(1e-6), "the expected loss of plain training by the judgement");
        Assert.That(kept[0].LossAfter, Is.EqualTo(-0.6).Within(1e-6));
        Assert.That(kept[0].Step, Is.EqualTo(8));
        Assert.That(farcast.RealSteps, Is.EqualTo(11));
        Assert.That(farcast.EffectiveSteps, Is.EqualTo(11 + 4));
        Assert.That(kept[0].ToString(), Does.EndWith("after 3 steps"));
    }

    [Test]
    public void A_jump_that_does_not_beat_the_trend_is_rolled_back_with_the_inner_optimizers_state_and_its_steps_count_as_real()
    {
        using var plain = new TinyRegression(seed: 32);
        using var wrapped = new TinyRegression(seed: 32);
        var plainOptimizer = optim.Adam(plain.Parameters, 0.01);
        using var farcast = new FarcastOptimizer(optim.Adam(wrapped.Parameters, 0.01), Options());
        farcast.VerificationLoss = Scripted(2.0f, 1.0f, -0.4f);   // expected -0.5: the jumped run is behind
        var rejected = new List<FarcastJumpEventArgs>();
        farcast.JumpRejected += (_, e) => rejected.Add(e);

        for (var i = 0; i < 8; i++)
        {
            plain.Step(plainOptimizer);
            wrapped.Step(farcast);
        }
        for (var i = 0; i < Delay; i++) wrapped.Step(farcast);

        Assert.That(rejected, Has.Count.EqualTo(1));
        Assert.That(rejected[0].Reason, Is.EqualTo(JumpReason.VerificationFailed));
        Assert.That(rejected[0].JudgedAfterSteps, Is.EqualTo(Delay));
        Assert.That(rejected[0].LossAfter, Is.EqualTo(-0.4).Within(1e-6));
        Assert.That(farcast.JumpUnderJudgement, Is.False);
        Assert.That(farcast.RealSteps, Is.EqualTo(11), "the steps trained on the rolled-back weights were computed");
        Assert.That(farcast.EffectiveSteps, Is.EqualTo(8), "the weights stand again for the step the jump started from");
        WrapperTests.AssertBitwiseEqual(plain.Snapshot(), wrapped.Snapshot());

        // Adam's moments and step count are back too: the next step on the same batch gives the same weights.
        plain.BatchIndex = wrapped.BatchIndex;
        plain.Step(plainOptimizer);
        wrapped.Step(farcast);
        WrapperTests.AssertBitwiseEqual(plain.Snapshot(), wrapped.Snapshot());
    }

    [Test]
    public void After_a_rejection_the_next_delayed_jump_is_half_as_long()
    {
        using var problem = new TinyRegression(seed: 33);
        using var farcast = new FarcastOptimizer(optim.SGD(problem.Parameters, 0.01), Options());
        farcast.VerificationLoss = Scripted(2.0f, 1.0f, 5.0f, 2.0f, 1.0f, 5.0f);
        var tried = new List<int>();
        farcast.JumpRejected += (_, e) => tried.Add(e.Steps);

        // First jump written after step 8, judged after 11; the next window starts before step 12 and jumps after 17.
        for (var i = 0; i < 17 + Delay; i++) problem.Step(farcast);

        Assert.That(tried, Is.EqualTo(new[] { 4, 2 }));
        Assert.That(farcast.RejectedJumps, Is.EqualTo(2));
        Assert.That(farcast.EffectiveSteps, Is.EqualTo(20 - 2 * Delay), "each rollback leaves its delay's steps as real steps only");
    }

    [Test]
    public void The_state_cannot_be_saved_while_a_jump_is_under_judgement()
    {
        using var problem = new TinyRegression(seed: 34);
        using var farcast = new FarcastOptimizer(optim.Adam(problem.Parameters, 0.01), Options());
        farcast.VerificationLoss = Scripted(2.0f, 1.0f, -0.6f);
        for (var i = 0; i < 9; i++) problem.Step(farcast);
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);

        var error = Assert.Throws<InvalidOperationException>(() => farcast.save_state_dict(writer));

        Assert.That(error!.Message, Is.EqualTo("A farcast jump is under judgement for 2 more real steps; save after it is judged (JumpUnderJudgement is false)."));
        for (var i = 0; i < 2; i++) problem.Step(farcast);
        Assert.DoesNotThrow(() => farcast.save_state_dict(writer));
    }

    [Test]
    public void The_trend_continues_each_examples_loss_along_its_own_line()
    {
        var earlier = new GuardReading(2.5, new[] { 3.0, 2.0 });
        var now = new GuardReading(1.5, new[] { 1.0, 2.0 });

        var expected = now.Extrapolated(earlier, ahead: 0.5);

        Assert.That(expected.Mean, Is.EqualTo(1.0));
        Assert.That(expected.Examples, Is.EqualTo(new[] { 0.0, 2.0 }));
        Assert.That(now.Extrapolated(null, 0.5), Is.EqualTo(now), "without an earlier reading the expectation is the reading itself");
        Assert.Throws<InvalidOperationException>(() => now.Extrapolated(new GuardReading(1, new[] { 1.0 }), 0.5));
    }

    [Test]
    public void The_shrinking_schedule_lowers_the_longest_jump_along_ninos_curve()
    {
        const int horizon = 9, total = 60;
        using var problem = new TinyRegression(seed: 35);
        using var farcast = new FarcastOptimizer(optim.SGD(problem.Parameters, 1e-4), new FarcastOptions
        {
            WarmupSteps = 0, InputSteps = 2, Horizon = horizon, MinJump = horizon, Map = FarcastMap.LinearExtrapolation,
            HorizonSchedule = FarcastHorizonSchedule.Shrinking, TotalSteps = total,
        }).Unguarded();
        var jumps = new List<FarcastJumpEventArgs>();
        farcast.Jumped += (_, e) => jumps.Add(e);

        while (farcast.EffectiveSteps < total + 10) problem.Step(farcast);

        Assert.That(jumps, Has.Count.GreaterThan(5));
        foreach (var jump in jumps)
        {
            var progress = Math.Min(1.0, jump.Step / (double)total);
            var expected = (int)Math.Round(Math.Pow(3 - 2 * progress, 2));
            Assert.That(jump.Steps, Is.EqualTo(Math.Max(1, expected)), $"the jump from effective step {jump.Step}");
        }
        Assert.That(jumps[0].Steps, Is.EqualTo(horizon));
        Assert.That(jumps[^1].Steps, Is.EqualTo(1));
    }
}
