using FarcastCallback.Forecasting;

namespace FarcastCallback.Tests;

/// <summary>
/// <see cref="FarcastMap.Smoothing"/>, the smoothing-only control (docs/design.md, "The smoothing-only control"): each jump
/// writes the least-squares line through the input window's snapshots at the last one and skips no steps. Checked against
/// a managed replay of SGD on a linear loss with a different gradient every step, so the trajectory is known exactly.
/// </summary>
public sealed class SmoothingControlTests
{
    private const double Rate = 0.05;

    [Test]
    public void The_line_weights_are_the_least_squares_fit_evaluated_at_the_last_snapshot()
    {
        Assert.That(Enumerable.Range(0, 5).Select(k => WindowLine.Weight(k, 5)), Is.EqualTo(new[] { -0.2, 0.0, 0.2, 0.4, 0.6 }).Within(1e-15));
        Assert.That(Enumerable.Range(0, 2).Select(k => WindowLine.Weight(k, 2)), Is.EqualTo(new[] { 0.0, 1.0 }).Within(1e-15), "two points: the line passes through both");
        foreach (var m in new[] { 3, 4, 7, 12 })
        {
            // A line through exact points of a line returns its last point, and the weights sum to 1.
            Assert.That(Enumerable.Range(0, m).Sum(k => WindowLine.Weight(k, m)), Is.EqualTo(1.0).Within(1e-12));
            Assert.That(Enumerable.Range(0, m).Sum(k => WindowLine.Weight(k, m) * (3.0 - 0.5 * k)), Is.EqualTo(3.0 - 0.5 * (m - 1)).Within(1e-12));
        }
    }

    [Test]
    public void Each_window_writes_the_line_through_its_snapshots_at_the_last_and_skips_no_steps()
    {
        var gradients = Gradients(seed: 4, steps: 40, size: 6);
        using var weights = new TorchSharp.Modules.Parameter(tensor(new[] { 1.0, -2.0, 0.5, 0.0, 3.0, -1.0 }));
        using var farcast = new FarcastOptimizer(optim.SGD(new[] { weights }, Rate), new FarcastOptions
        {
            WarmupSteps = 3, InputSteps = 5, Stride = 2, Map = FarcastMap.Smoothing,
        }).Unguarded();
        var jumps = new List<(long RealStep, int Steps)>();
        farcast.Jumped += (_, e) => jumps.Add((farcast.RealSteps, e.Steps));

        for (var t = 0; t < gradients.Length; t++) Step(farcast, weights, gradients[t]);

        // Windows of (5 - 1) × 2 = 8 real steps, back to back after the warm-up: writes at 11, 19, 27, 35.
        Assert.That(jumps, Is.EqualTo(new[] { (11L, 0), (19L, 0), (27L, 0), (35L, 0) }));
        Assert.That(farcast.EffectiveSteps, Is.EqualTo(farcast.RealSteps));
        var expected = Replay(new[] { 1.0, -2.0, 0.5, 0.0, 3.0, -1.0 }, gradients, warmup: 3, snapshots: 5, stride: 2, smoothAt: new[] { 11, 19, 27, 35 });
        Assert.That(weights.data<double>().ToArray(), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void A_rejected_smoothing_jump_is_rolled_back_to_plain_training()
    {
        var gradients = Gradients(seed: 5, steps: 12, size: 4);
        var initial = new[] { 0.3, -0.7, 1.1, 2.0 };
        using var weights = new TorchSharp.Modules.Parameter(tensor(initial));
        using var farcast = new FarcastOptimizer(optim.SGD(new[] { weights }, Rate), new FarcastOptions
        {
            WarmupSteps = 2, InputSteps = 4, Map = FarcastMap.Smoothing,
        });
        var calls = 0;
        farcast.VerificationLoss = () => ++calls % 2 == 1 ? 1f : 2f;   // every jump raises the guard's loss

        for (var t = 0; t < gradients.Length; t++) Step(farcast, weights, gradients[t]);

        Assert.That(farcast.Jumps, Is.EqualTo(0));
        Assert.That(farcast.RejectedJumps, Is.EqualTo(3), "windows of 3 real steps from step 2: attempts at 5, 8 and 11");
        var plain = Replay(initial, gradients, warmup: 0, snapshots: 4, stride: 1, smoothAt: Array.Empty<int>());
        Assert.That(weights.data<double>().ToArray(), Is.EqualTo(plain).Within(1e-12));
    }

    [Test]
    public void Under_a_delayed_guard_the_smoothed_weights_train_on_and_are_kept_when_the_loss_holds()
    {
        var gradients = Gradients(seed: 6, steps: 14, size: 3);
        var initial = new[] { 0.5, 0.25, -1.5 };
        using var weights = new TorchSharp.Modules.Parameter(tensor(initial));
        using var farcast = new FarcastOptimizer(optim.SGD(new[] { weights }, Rate), new FarcastOptions
        {
            WarmupSteps = 1, InputSteps = 3, Stride = 2, Map = FarcastMap.Smoothing, JudgeAfterSteps = 3,
        });
        farcast.VerificationLoss = () => 1f;   // flat: the trend expects 1, and 1 passes

        for (var t = 0; t < gradients.Length; t++) Step(farcast, weights, gradients[t]);

        // Window from step 1 to 5 (snapshots at 1, 3, 5), written at 5, judged at 8; the next window 8 to 12, judged at 15 (not reached).
        Assert.That(farcast.Jumps, Is.EqualTo(1));
        Assert.That(farcast.JumpUnderJudgement, Is.True);
        Assert.That(farcast.EffectiveSteps, Is.EqualTo(14));
        var expected = Replay(initial, gradients, warmup: 1, snapshots: 3, stride: 2, smoothAt: new[] { 5, 12 });
        Assert.That(weights.data<double>().ToArray(), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void Stop_mode_refuses_the_smoothing_control()
    {
        var result = new FarcastOptionsValidator().Validate(null, new FarcastOptions { Mode = FarcastMode.Stop, TotalSteps = 1000, Map = FarcastMap.Smoothing });

        Assert.That(result.FailureMessage, Is.EqualTo("Farcast:Map Smoothing skips no steps, so it cannot reach Farcast:TotalSteps in Stop mode: use Resume."));
    }

    private static double[][] Gradients(int seed, int steps, int size)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, steps).Select(_ => Enumerable.Range(0, size).Select(_ => random.NextDouble() * 2 - 1).ToArray()).ToArray();
    }

    /// <summary>One SGD step on the linear loss g · w, whose gradient is g exactly.</summary>
    private static void Step(FarcastOptimizer optimizer, TorchSharp.Modules.Parameter weights, double[] gradient)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        (weights * tensor(gradient)).sum().backward();
        optimizer.step();
    }

    /// <summary>
    /// SGD on the given gradients, replaced after each real step in <paramref name="smoothAt"/> by the line through the
    /// window's snapshots (every <paramref name="stride"/> steps back from there) at the last.
    /// </summary>
    private static double[] Replay(double[] initial, double[][] gradients, int warmup, int snapshots, int stride, int[] smoothAt)
    {
        var w = (double[])initial.Clone();
        var history = new Dictionary<int, double[]> { [0] = (double[])w.Clone() };
        for (var t = 1; t <= gradients.Length; t++)
        {
            for (var i = 0; i < w.Length; i++) w[i] -= Rate * gradients[t - 1][i];
            history[t] = (double[])w.Clone();
            if (!smoothAt.Contains(t)) continue;
            var start = t - (snapshots - 1) * stride;
            Assert.That(start, Is.GreaterThanOrEqualTo(warmup));
            var first = history[start];
            var line = (double[])first.Clone();
            for (var k = 1; k < snapshots; k++)
                for (var i = 0; i < w.Length; i++)
                    line[i] += WindowLine.Weight(k, snapshots) * (history[start + k * stride][i] - first[i]);
            w = line;
            history[t] = (double[])w.Clone();
        }
        return w;
    }
}
