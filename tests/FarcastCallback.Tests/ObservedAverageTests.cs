namespace FarcastCallback.Tests;

/// <summary>
/// <see cref="FarcastOptions.ObservedAverageDecay"/>: the windows observe an exponential moving average of the weights,
/// the map extrapolates the average's trajectory, and the average starts again wherever the weights are written
/// (docs/design.md, "The observed average").
/// </summary>
public sealed class ObservedAverageTests
{
    private const double LearningRate = 0.1;
    private const double Decay = 0.5;
    private static readonly double[] Gradient = { 0.3, -0.1, 2.0 };

    /// <summary>Where plain SGD on the linear loss takes <paramref name="weights"/> in <paramref name="steps"/> more steps.</summary>
    private static Tensor Along(Tensor weights, int steps) => weights - tensor(Gradient, ScalarType.Float64) * (steps * LearningRate);

    /// <summary>
    /// A linear loss <c>c · w</c>: plain SGD moves w by exactly <c>-lr · c</c> a step, so the test knows every raw weight
    /// the inner optimizer computes, also the one a jump then overwrites.
    /// </summary>
    private sealed class ConstantGradient : IDisposable
    {
        private readonly Tensor _gradient = tensor(Gradient, ScalarType.Float64);

        /// <param name="options">The wrapper's settings.</param>
        /// <param name="guard">The guard's loss; null runs unguarded.</param>
        public ConstantGradient(FarcastOptions options, Func<float>? guard = null)
        {
            Weights = nn.Parameter(tensor(new[] { 1.0, -2.0, 0.5 }, ScalarType.Float64));
            Farcast = new FarcastOptimizer(optim.SGD(new[] { Weights }, LearningRate), options);
            if (guard is null) Farcast.Unguarded();
            else Farcast.VerificationLoss = guard;
        }

        public TorchSharp.Modules.Parameter Weights { get; }

        public FarcastOptimizer Farcast { get; }

        /// <summary>One real step; returns the raw weight the inner optimizer computed (before any jump).</summary>
        public Tensor Step()
        {
            using var scope = NewDisposeScope();
            var raw = Weights.detach().clone().add_(_gradient, -LearningRate);
            Farcast.zero_grad();
            (_gradient * Weights).sum().backward();
            Farcast.step();
            return scope.MoveToOuter(raw);
        }

        public void Dispose()
        {
            Farcast.Dispose();
            Weights.Dispose();
            _gradient.Dispose();
        }
    }

    private static FarcastOptions Options(double decay) => new()
    {
        WarmupSteps = 2, InputSteps = 3, Horizon = 3, MinJump = 3, Map = FarcastMap.LinearExtrapolation, MinTensorSize = 0,
        ObservedAverageDecay = decay,
    };

    [Test]
    public void Each_jump_extrapolates_the_average_of_the_weights_and_the_average_restarts_at_the_jumped_weights()
    {
        using var run = new ConstantGradient(Options(Decay));
        var jumpedAt = new List<long>();
        run.Farcast.Jumped += (_, _) => jumpedAt.Add(run.Farcast.RealSteps);
        var averages = new List<Tensor> { run.Weights.detach().clone() };   // the test's own average after each step
        var checkedJumps = 0;

        for (var step = 1; step <= 12; step++)
        {
            var jumps = jumpedAt.Count;
            using var raw = run.Step();
            var updated = averages[^1].lerp(raw, 1 - Decay);
            if (jumpedAt.Count == jumps)
            {
                averages.Add(updated);
                continue;
            }
            // A window of 3 input snapshots reusing the fixed map: it began two steps ago, so its recent start is the
            // average after step - 2, and the jump of j = 3 is r + (1 + j / (m - 1)) · (w - r) with w the average now.
            var recent = averages[step - 2];
            using var expected = recent + (updated - recent) * (1 + 3 / 2.0);
            using var rawForecast = Along(raw, 3);   // the same map on the raw weights, a straight line: 3 more steps along it
            Assert.That(run.Weights.data<double>().ToArray(), Is.EqualTo(expected.data<double>().ToArray()).Within(1e-12), $"jump at step {step}");
            Assert.That(run.Weights.data<double>().ToArray(), Is.Not.EqualTo(rawForecast.data<double>().ToArray()).Within(1e-6),
                "the average lags the raw weights, so its forecast is not the raw one");
            averages.Add(run.Weights.detach().clone());   // the average starts again at the written weights
            updated.Dispose();
            checkedJumps++;
        }

        Assert.That(jumpedAt, Is.EqualTo(new long[] { 4, 6, 8, 10, 12 }));
        Assert.That(checkedJumps, Is.EqualTo(5));
        foreach (var t in averages) t.Dispose();
    }

    [Test]
    public void A_jump_written_for_a_delayed_judgement_and_its_rollback_each_restart_the_average()
    {
        var reading = 0f;
        var options = Options(Decay);
        options.JudgeAfterSteps = 1;
        // A guard whose loss rises by 1 at every reading: the trend expects half a unit less than the judgement reads,
        // so every jump is rolled back one step after it was written.
        using var run = new ConstantGradient(options, () => ++reading);
        var rejectedAt = new List<long>();
        run.Farcast.JumpRejected += (_, _) => rejectedAt.Add(run.Farcast.RealSteps);
        var averages = new List<Tensor> { run.Weights.detach().clone() };
        Tensor? preJump = null;
        var (writes, rollbacks) = (0, 0);

        for (var step = 1; step <= 11; step++)
        {
            var rejections = rejectedAt.Count;
            var pending = run.Farcast.JumpUnderJudgement;
            using var raw = run.Step();
            var updated = averages[^1].lerp(raw, 1 - Decay);
            if (!pending && run.Farcast.JumpUnderJudgement)
            {
                // Written at the window's end, from the average as in the immediate case; the average starts at the forecast.
                var recent = averages[step - 2];
                using var expected = recent + (updated - recent) * (1 + 3 / 2.0);
                Assert.That(run.Weights.data<double>().ToArray(), Is.EqualTo(expected.data<double>().ToArray()).Within(1e-12), $"write at step {step}");
                preJump?.Dispose();
                preJump = raw.clone();
                averages.Add(run.Weights.detach().clone());
                updated.Dispose();
                writes++;
            }
            else if (rejectedAt.Count > rejections)
            {
                // Rolled back to the weights the jump overwrote; the average starts again there, not at the pre-jump average.
                Assert.That(run.Weights.data<double>().ToArray(), Is.EqualTo(preJump!.data<double>().ToArray()), $"rollback at step {step}");
                averages.Add(run.Weights.detach().clone());
                updated.Dispose();
                rollbacks++;
            }
            else
            {
                averages.Add(updated);
            }
        }

        Assert.That(rejectedAt, Is.EqualTo(new long[] { 5, 8, 11 }));
        Assert.That((writes, rollbacks), Is.EqualTo((3, 3)));
        preJump?.Dispose();
        foreach (var t in averages) t.Dispose();
    }

    [Test]
    public void Without_a_decay_the_windows_observe_the_raw_weights()
    {
        using var run = new ConstantGradient(Options(0));
        var raws = new List<Tensor>();
        var jumped = false;
        run.Farcast.Jumped += (_, _) => jumped = true;

        for (var step = 1; step <= 4; step++) raws.Add(run.Step());

        // On a straight line the fixed map lands on it: the raw weight at step 4 plus 3 more steps of SGD.
        Assert.That(jumped);
        using var expected = Along(raws[3], 3);
        Assert.That(run.Weights.data<double>().ToArray(), Is.EqualTo(expected.data<double>().ToArray()).Within(1e-12));
        foreach (var t in raws) t.Dispose();
    }

    [Test]
    public void The_average_costs_one_copy_of_the_parameters_from_the_first_step()
    {
        using var run = new ConstantGradient(Options(Decay));
        Assert.That(run.Farcast.BufferBytes, Is.EqualTo(3 * sizeof(double)), "the average, before any window");

        for (var step = 0; step < 3; step++) run.Step().Dispose();

        Assert.That(run.Farcast.BufferBytes, Is.EqualTo(4 * 3 * sizeof(double)), "the window's three copies and the average");
    }

    [Test]
    public void A_saved_state_carries_the_average_so_a_resumed_run_produces_the_same_weights()
    {
        using var original = new ConstantGradient(Options(Decay));
        for (var step = 0; step < 5; step++) original.Step().Dispose();   // mid-window, after a jump: the average is neither the weights nor fresh
        using var saved = new MemoryStream();
        original.Farcast.save_state_dict(new BinaryWriter(saved));
        using var resumed = new ConstantGradient(Options(Decay));
        using (no_grad()) resumed.Weights.copy_(original.Weights);
        saved.Position = 0;

        resumed.Farcast.load_state_dict(new BinaryReader(saved));
        for (var step = 0; step < 7; step++)
        {
            original.Step().Dispose();
            resumed.Step().Dispose();
        }

        Assert.That(resumed.Weights.data<double>().ToArray(), Is.EqualTo(original.Weights.data<double>().ToArray()));
        Assert.That(resumed.Farcast.Jumps, Is.EqualTo(original.Farcast.Jumps));
    }

    [Test]
    public void A_state_saved_with_raw_observation_does_not_load_into_an_averaging_wrapper()
    {
        using var raw = new ConstantGradient(Options(0));
        raw.Step().Dispose();
        using var saved = new MemoryStream();
        raw.Farcast.save_state_dict(new BinaryWriter(saved));
        using var averaging = new ConstantGradient(Options(Decay));
        saved.Position = 0;

        var error = Assert.Throws<InvalidDataException>(() => averaging.Farcast.load_state_dict(new BinaryReader(saved)));

        Assert.That(error!.Message, Does.Contain("Farcast:ObservedAverageDecay is 0 in the state, 0.5 here"));
    }
}
