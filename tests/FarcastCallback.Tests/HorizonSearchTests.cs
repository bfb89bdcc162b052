namespace FarcastCallback.Tests;

/// <summary>
/// On the exact GD oracle a forecast of j steps lands on w(e + j). The guard's loss is the distance to w(e + 5), so with
/// contraction 0.99 the ladder 16, 8, 4, 2, 1 gives: 16 overshoots (worse than not jumping), 8 passes (and is kept).
/// </summary>
public sealed class HorizonSearchTests
{
    private static readonly long[][] Shapes = { new long[] { 4, 3 } };

    [TestCase(1, 8)]
    [TestCase(16, 0)]
    public void The_ladder_keeps_the_furthest_passing_rung(int minJump, int expected)
    {
        using var problem = new QuadraticProblem(seed: 1, Shapes, curvature: new[] { 1.0 }, learningRate: 0.01);
        using var farcast = new FarcastOptimizer(problem.GradientDescent(), new FarcastOptions
        {
            WarmupSteps = 2, InputSteps = 4, Horizon = 16, MinJump = minJump, RefitEvery = 0,
        });
        farcast.VerificationLoss = () =>
        {
            using var scope = NewDisposeScope();
            var aim = problem.Exact(0, farcast.EffectiveSteps + 5);
            return (float)(problem.Parameters[0].detach() - aim).pow(2).sum().item<double>();
        };
        var kept = new List<int>();
        var errors = new List<double>();
        farcast.Jumped += (_, e) =>
        {
            kept.Add(e.Steps);
            errors.Add(problem.RelativeError(farcast.EffectiveSteps));
        };

        for (var i = 0; i < 80; i++) problem.Step(farcast);

        if (expected == 0)
        {
            Assert.That(farcast.Jumps, Is.EqualTo(0), "the full horizon overshoots and there is nothing else to try");
            Assert.That(farcast.RejectedJumps, Is.GreaterThan(0));
            return;
        }
        Assert.That(kept, Is.Not.Empty);
        Assert.That(kept, Has.All.EqualTo(expected));
        Assert.That(errors, Has.All.LessThanOrEqualTo(1e-5), "the kept rung is written exactly");
    }

    [Test]
    public void When_every_rung_fails_the_weights_are_rolled_back_bit_exactly()
    {
        using var plain = new TinyRegression(seed: 8);
        using var wrapped = new TinyRegression(seed: 8);
        var plainOptimizer = optim.Adam(plain.Parameters, 0.01);
        using var farcast = new FarcastOptimizer(optim.Adam(wrapped.Parameters, 0.01), new FarcastOptions
        {
            WarmupSteps = 2, InputSteps = 3, Horizon = 8, MinJump = 1, RefitEvery = 0,
        });
        var calls = 0;
        farcast.VerificationLoss = () => ++calls == 1 ? 1f : 2f + calls;
        var rejected = new List<FarcastJumpEventArgs>();
        farcast.JumpRejected += (_, e) => rejected.Add(e);

        for (var i = 0; i < 12; i++)
        {
            plain.Step(plainOptimizer);
            wrapped.Step(farcast);
        }

        Assert.That(calls, Is.EqualTo(1 + 4), "one reading before, one per rung of 8, 4, 2, 1");
        Assert.That(farcast.RejectedJumps, Is.EqualTo(1));
        Assert.That((rejected[0].Steps, rejected[0].LossBefore, rejected[0].LossAfter), Is.EqualTo((1, 1.0, 7.0)),
            "a rejected search reports the last rung judged, with that rung's own loss");
        WrapperTests.AssertBitwiseEqual(plain.Snapshot(), wrapped.Snapshot());
    }

    [TestCase(1, new[] { 1 })]
    [TestCase(10, new[] { 10, 5, 3, 2, 1 })]
    [TestCase(64, new[] { 64, 32, 16, 8, 4, 2, 1 })]
    public void The_ladder_halves_from_the_horizon_down_to_one(int horizon, int[] ladder) =>
        Assert.That(Jumping.JumpLadder.Steps(horizon, 0, 1), Is.EqualTo(ladder));

    [TestCase(64, 5, new[] { 10, 5, 3, 2, 1 })]
    [TestCase(64, 40, new[] { 64, 32, 16, 8, 4, 2, 1 })]
    [TestCase(10, 1, new[] { 2, 1 })]
    public void After_a_kept_jump_the_ladder_starts_at_twice_its_rung(int horizon, int lastKept, int[] ladder) =>
        Assert.That(Jumping.JumpLadder.Steps(horizon, lastKept, 1), Is.EqualTo(ladder));

    [TestCase(64, 0, 8, new[] { 64, 32, 16, 8 })]
    [TestCase(64, 1, 8, new[] { 8 })]
    [TestCase(64, 5, 4, new[] { 10, 5 })]
    [TestCase(10, 0, 10, new[] { 10 })]
    public void The_ladder_stops_at_the_shortest_jump_worth_its_checks(int horizon, int lastKept, int minJump, int[] ladder) =>
        Assert.That(Jumping.JumpLadder.Steps(horizon, lastKept, minJump), Is.EqualTo(ladder));

    [Test]
    public void The_full_batch_profiles_ladders_reach_only_the_powers_of_two_down_to_MinJump()
    {
        var reachable = Jumping.JumpLadder.Reachable(64, 4);
        Assert.That(Enumerable.Range(1, 64).Where(j => reachable[j]), Is.EqualTo(new[] { 4, 8, 16, 32, 64 }));
    }

    [TestCase(64, 4)]
    [TestCase(10, 1)]
    [TestCase(10, 4)]
    [TestCase(8, 8)]
    [TestCase(37, 3)]
    public void Every_rung_either_ladder_tries_over_any_history_of_keeps_and_rejections_is_reachable(int horizon, int minJump)
    {
        // Only reachable target steps are observed: a rung outside the set would jump on a map the window never fitted.
        var reachable = Jumping.JumpLadder.Reachable(horizon, minJump);
        var random = new Random(horizon * 100 + minJump);
        for (var history = 0; history < 200; history++)
        {
            var (lastKept, nextDelayed) = (0, 0);
            for (var attempt = 0; attempt < 30; attempt++)
            {
                var ladder = Jumping.JumpLadder.Steps(horizon, lastKept, minJump);
                Assert.That(ladder.All(j => reachable[j]), Is.True, $"ladder {string.Join(" ", ladder)}");
                var delayed = Jumping.JumpLadder.Delayed(horizon, nextDelayed, minJump);
                Assert.That(reachable[delayed], Is.True, $"delayed rung {delayed}");
                if (random.Next(2) == 0)
                {
                    lastKept = random.Next(2) == 0 ? ladder[random.Next(ladder.Length)] : delayed;
                    nextDelayed = Jumping.JumpLadder.AfterKept(delayed, horizon);
                }
                else
                {
                    nextDelayed = Jumping.JumpLadder.AfterRejected(delayed);
                }
            }
        }
        Assert.That(reachable[horizon], Is.True);
    }
}
