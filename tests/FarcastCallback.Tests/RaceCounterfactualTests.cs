namespace FarcastCallback.Tests;

/// <summary>
/// The race counterfactual (docs/design.md, "The race"): while a jump is under judgement a twin trains from the pre-jump
/// weights and optimizer state on the same batches; the guard compares the two, a rejection adopts the twin. Adam on the
/// exact quadratic, full batch through step(closure). The guard's calls per attempt are, in order: the trend's reading at
/// the start of the input window, the reading when the jump is written, the jumped weights' reading at the judgement and
/// the twin's.
/// </summary>
public sealed class RaceCounterfactualTests
{
    private const int JudgeAfter = 3;
    private const int Steps = 37;   // 7 attempts of 5 steps after the first 2, the last judged at step 37

    private static FarcastOptions Options(FarcastCounterfactual against) => new()
    {
        WarmupSteps = 2, InputSteps = 3, Horizon = 4, MinJump = 4, Map = FarcastMap.LinearExtrapolation,
        JudgeAfterSteps = JudgeAfter, JudgeAgainst = against,
    };

    private static QuadraticProblem Problem() => new(seed: 51, new[] { new long[] { 5, 4 }, new long[] { 3 } }, new[] { 1.0, 2.0 }, learningRate: 0.05);

    private static optim.Optimizer Adam(QuadraticProblem problem) => optim.Adam(problem.Parameters, 0.05);

    /// <summary>One full-batch step through step(closure); counts the closure's calls.</summary>
    private static void Step(QuadraticProblem problem, optim.Optimizer optimizer, ref int closureCalls)
    {
        using var scope = NewDisposeScope();
        var calls = 0;
        optimizer.step(() =>
        {
            calls++;
            optimizer.zero_grad();
            var loss = problem.Loss();
            loss.backward();
            return loss;
        });
        closureCalls += calls;
    }

    /// <summary>A guard that answers by its position in each attempt's sequence of four calls.</summary>
    private static Func<float> Scripted(params float[] perAttempt)
    {
        var calls = 0;
        return () => perAttempt[calls++ % perAttempt.Length];
    }

    private static Tensor[] Run(QuadraticProblem problem, FarcastOptimizer farcast, out int closureCalls)
    {
        closureCalls = 0;
        for (var i = 0; i < Steps; i++) Step(problem, farcast, ref closureCalls);
        return problem.Parameters.Select(p => p.detach().clone()).ToArray();
    }

    [Test]
    public void A_rejected_race_adopts_the_twin_so_the_run_is_plain_Adam_bit_for_bit_and_the_twin_steps_are_counted()
    {
        using var plainProblem = Problem();
        var plainOptimizer = Adam(plainProblem);
        var plainCalls = 0;
        for (var i = 0; i < Steps; i++) Step(plainProblem, plainOptimizer, ref plainCalls);

        using var problem = Problem();
        using var farcast = new FarcastOptimizer(Adam(problem), Options(FarcastCounterfactual.Race)) { VerificationLoss = Scripted(1f, 1f, 2f, 1f) };
        var rejected = new List<FarcastJumpEventArgs>();
        farcast.JumpRejected += (_, e) => rejected.Add(e);
        var weights = Run(problem, farcast, out var closureCalls);

        // Windows of 2 steps after a warm-up of 2, each judged 3 steps later: written at the user's steps 4, 9, ..., 34.
        Assert.That(rejected, Has.Count.EqualTo(7));
        Assert.That(rejected.Select(e => e.WrittenAtRealStep).Take(3), Is.EqualTo(new long[] { 4, 12, 20 }), "real steps count the twin's: 5 steps and 3 twin steps per attempt");
        Assert.That(rejected, Has.All.Matches<FarcastJumpEventArgs>(e => e.TrendAgrees == true && e.LossBefore == 1.0 && e.LossAfter == 2.0));
        Assert.That(farcast.EffectiveSteps, Is.EqualTo(Steps), "the twin stands for the steps it trained");
        Assert.That(farcast.RealSteps, Is.EqualTo(Steps + 7 * JudgeAfter));
        Assert.That(closureCalls, Is.EqualTo(Steps + 7 * JudgeAfter), "one closure call per real step, the twin's included");
        foreach (var (actual, expected) in weights.Zip(plainProblem.Parameters))
            Assert.That(actual.data<double>().ToArray(), Is.EqualTo(expected.data<double>().ToArray()), "bit for bit: the twin is plain Adam on the same batches");
    }

    [TestCase(FarcastCounterfactual.Race)]
    [TestCase(FarcastCounterfactual.Trend)]
    public void Under_a_learning_rate_schedule_a_rejected_judgement_leaves_the_run_plain_Adam_on_the_schedule(FarcastCounterfactual against)
    {
        // A chainable schedule (each step multiplies the rate the optimizer holds): restoring saved optimizer state
        // must not bring back the rate of the step the jump was written at, neither for the twin nor after a rollback.
        static optim.lr_scheduler.LRScheduler Schedule(optim.Optimizer optimizer) => optim.lr_scheduler.LinearLR(optimizer, 1.0, 0.1, Steps);
        using var plainProblem = Problem();
        var plainOptimizer = Adam(plainProblem);
        var plainSchedule = Schedule(plainOptimizer);
        var plainCalls = 0;
        for (var i = 0; i < Steps; i++)
        {
            Step(plainProblem, plainOptimizer, ref plainCalls);
            plainSchedule.step();
        }

        using var problem = Problem();
        using var farcast = new FarcastOptimizer(Adam(problem), Options(against))
        {
            VerificationLoss = against == FarcastCounterfactual.Race ? Scripted(1f, 1f, 2f, 1f) : Scripted(1f, 1f, 2f),
        };
        var schedule = Schedule(farcast);
        var closureCalls = 0;
        for (var i = 0; i < Steps; i++)
        {
            Step(problem, farcast, ref closureCalls);
            schedule.step();
        }

        Assert.That(farcast.RejectedJumps, Is.EqualTo(7));
        Assert.That(farcast.ParamGroups.Single().LearningRate, Is.EqualTo(plainOptimizer.ParamGroups.Single().LearningRate), "the schedule's rate, untouched by the rollbacks");
        if (against == FarcastCounterfactual.Trend) return;   // a rolled-back run trained on the jumped weights for 3 steps: not plain
        foreach (var (actual, expected) in problem.Parameters.Zip(plainProblem.Parameters))
            Assert.That(actual.data<double>().ToArray(), Is.EqualTo(expected.data<double>().ToArray()), "the twin trained at the schedule's rate: plain Adam on it, bit for bit");
    }

    [Test]
    public void Racing_does_not_disturb_the_jumped_branch_a_kept_race_ends_where_the_trend_guard_keeping_the_same_jumps_does()
    {
        using var trendProblem = Problem();
        using var trend = new FarcastOptimizer(Adam(trendProblem), Options(FarcastCounterfactual.Trend)) { VerificationLoss = Scripted(1f, 1f, 0.5f) };
        var trendWeights = Run(trendProblem, trend, out _);

        using var problem = Problem();
        using var race = new FarcastOptimizer(Adam(problem), Options(FarcastCounterfactual.Race)) { VerificationLoss = Scripted(1f, 1f, 0.5f, 1f) };
        var kept = new List<FarcastJumpEventArgs>();
        race.Jumped += (_, e) => kept.Add(e);
        var raceWeights = Run(problem, race, out _);

        Assert.That(race.Jumps, Is.EqualTo(trend.Jumps).And.GreaterThan(3));
        Assert.That(kept, Has.All.Matches<FarcastJumpEventArgs>(e => e.TrendAgrees == true && e.LossBefore == 1.0));
        Assert.That(race.EffectiveSteps, Is.EqualTo(trend.EffectiveSteps));
        Assert.That(race.RealSteps, Is.EqualTo(Steps + race.Jumps * JudgeAfter));
        foreach (var (actual, expected) in raceWeights.Zip(trendWeights))
            Assert.That(actual.data<double>().ToArray(), Is.EqualTo(expected.data<double>().ToArray()));
    }

    [Test]
    public void When_the_twin_is_ahead_and_the_trend_is_not_the_race_rejects_and_says_the_trend_disagrees()
    {
        using var problem = Problem();
        using var farcast = new FarcastOptimizer(Adam(problem), Options(FarcastCounterfactual.Race)) { VerificationLoss = Scripted(1f, 1f, 0.5f, 0.25f) };
        var rejected = new List<FarcastJumpEventArgs>();
        farcast.JumpRejected += (_, e) => rejected.Add(e);

        Run(problem, farcast, out _);

        Assert.That(farcast.Jumps, Is.EqualTo(0));
        Assert.That(rejected, Is.Not.Empty.And.All.Matches<FarcastJumpEventArgs>(e => e.TrendAgrees == false && e.LossBefore == 0.25 && e.LossAfter == 0.5));
        Assert.That(rejected[0].ToString(), Does.EndWith("twin's loss 0.25 -> 0.5 after 3 steps, the trend disagrees"));
    }

    [Test]
    public void The_race_needs_a_closure_a_delay_a_saveable_optimizer_and_a_guard_that_reads_the_twin()
    {
        using var problem = Problem();
        using var farcast = new FarcastOptimizer(Adam(problem), Options(FarcastCounterfactual.Race)) { VerificationLoss = () => 1f };
        var noClosure = Assert.Throws<InvalidOperationException>(() => problem.Step(farcast));
        Assert.That(noClosure!.Message, Does.StartWith("JudgeAgainst Race trains a twin on the same batch as each step: pass step(closure)"));

        using var unguarded = new FarcastOptimizer(Adam(problem), Options(FarcastCounterfactual.Race));
        var stepLoss = Assert.Throws<InvalidOperationException>(() => unguarded.VerifyWithStepLoss = true);
        Assert.That(stepLoss!.Message, Does.StartWith("VerifyWithStepLoss judges against the trend"));

        var undelayed = new FarcastOptionsValidator().Validate(null, new FarcastOptions { JudgeAgainst = FarcastCounterfactual.Race });
        Assert.That(undelayed.FailureMessage, Is.EqualTo("Farcast:JudgeAgainst Race needs a delayed judgement: set Farcast:JudgeAfterSteps to 1 or more."));

        using var wrapped = new FarcastOptimizer(Adam(problem), new FarcastOptions());
        var unsaveable = Assert.Throws<ArgumentException>(() => new FarcastOptimizer(wrapped, Options(FarcastCounterfactual.Race)));
        Assert.That(unsaveable!.Message, Does.StartWith("Farcast:JudgeAgainst Race needs an inner optimizer whose state TorchSharp can save"));
    }
}
