using System.Text.Json;
using FarcastCallback.Hosts.Mnist;
using FarcastCallback.Hosts.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Tests;

/// <summary>
/// The farcast run's weight average and a kept jump: it starts again at the jumped weights at once, or a set number of
/// real steps later, once training has absorbed the jump, going on through it until then; the weights never change.
/// </summary>
public sealed class AverageRestartDelayTests
{
    /// <summary>An unguarded run of 9 steps, evaluated after each: its points and the real steps its jumps were written at.</summary>
    private static (IReadOnlyList<TrainingPoint> Points, long[] JumpSteps) Run(int delay)
    {
        var (pixels, labels) = TinyDigits.Make(perClass: 10);
        var data = MnistData.Split(new MnistImages(pixels.Select(p => p / 255f).ToArray(), labels), seed: 1, verification: 0);
        using var trainer = new CnnTrainer(data);
        random.manual_seed(3);
        using var model = new NinoConvNet(4);
        using var farcast = new FarcastOptimizer(optim.Adam(model.parameters(), 1e-2),
            new FarcastOptions { WarmupSteps = 1, InputSteps = 2, Horizon = 2, MinJump = 2, RefitEvery = 0 }) { RunWithoutGuard = true };
        var jumps = new List<long>();
        farcast.Jumped += (_, e) => jumps.Add(e.WrittenAtRealStep);
        using var average = new ExponentialWeightAverage(model.parameters(), 0.5);
        var run = trainer.Start(model, farcast, batchSize: 8, seed: 3, () => farcast.EffectiveSteps, average: average, averageRestartDelay: delay);
        for (var i = 0; i < 9; i++)
        {
            run.Step();
            run.Record();
        }
        return (run.Points, jumps.ToArray());
    }

    private static bool ReadsAsWeights(TrainingPoint p) => p.AverageAccuracy == p.ValidationAccuracy && p.AverageLoss == p.ValidationLoss;

    [Test]
    public void The_average_starts_again_at_the_jump_or_the_delay_after_it_and_goes_on_through_the_jump_until_then()
    {
        var (atJump, jumps) = Run(delay: 0);
        var (delayed, delayedJumps) = Run(delay: 2);

        Assert.That(jumps, Is.EqualTo(new long[] { 4, 7 }), "the windows: steps 2-4 and 5-7");
        Assert.That(delayedJumps, Is.EqualTo(jumps));
        Assert.That(delayed.Select(p => (p.RealSteps, p.EffectiveSteps, p.ValidationAccuracy, p.ValidationLoss)),
            Is.EqualTo(atJump.Select(p => (p.RealSteps, p.EffectiveSteps, p.ValidationAccuracy, p.ValidationLoss))), "the average never touches the weights");
        Assert.That(atJump.Where(ReadsAsWeights).Select(p => p.RealSteps), Is.EqualTo(new long[] { 0, 4, 7 }), "restarted at each jump (and started at step 0)");
        Assert.That(delayed.Where(ReadsAsWeights).Select(p => p.RealSteps), Is.EqualTo(new long[] { 0, 6, 9 }), "restarted two steps after each jump");
        Assert.That(delayed[4].AverageLoss, Is.Not.EqualTo(atJump[4].AverageLoss), "at the jump the delayed average still holds the weights before it");
    }

    [Test]
    public void A_delay_as_long_as_the_run_never_restarts_the_average_at_a_jump()
    {
        var (never, _) = Run(delay: 9);

        Assert.That(never.Where(ReadsAsWeights).Select(p => p.RealSteps), Is.EqualTo(new long[] { 0 }));
    }

    [Test]
    public void The_summary_names_a_delay_only_when_there_is_one_so_runs_written_before_it_still_resume()
    {
        var settings = MnistPreset.Fm16.Settings();

        var plain = JsonSerializer.SerializeToNode(settings)!.AsObject();
        var delayed = JsonSerializer.SerializeToNode(settings with { AverageRestartDelay = 50 })!.AsObject();

        Assert.That(plain.ContainsKey(nameof(MnistJobSettings.AverageRestartDelay)), Is.False);
        Assert.That(delayed[nameof(MnistJobSettings.AverageRestartDelay)]!.GetValue<int>(), Is.EqualTo(50));
    }

    [Test]
    public void A_negative_delay_is_refused()
    {
        var (pixels, labels) = TinyDigits.Make(perClass: 10);
        using var trainer = new CnnTrainer(MnistData.Split(new MnistImages(pixels.Select(p => p / 255f).ToArray(), labels), seed: 1, verification: 0));
        using var model = new NinoConvNet(4);

        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Start(model, optim.Adam(model.parameters(), 1e-2), batchSize: 4, seed: 1, averageRestartDelay: -1));
    }
}
