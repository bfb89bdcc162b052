using FarcastCallback.Hosts.Mnist;
using FarcastCallback.Hosts.Paper;
using FarcastCallback.Lab.Reporting;
using FarcastCallback.Lab.Sequences;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Tests;

public sealed class CnnTrajectoryTests
{
    [Test]
    public void Sampled_positions_are_sorted_distinct_and_fixed_by_the_seed()
    {
        var positions = CnnTrajectories.Positions(1000, 50, seed: 3);

        Assert.That(positions, Is.Ordered.And.Unique.And.Length.EqualTo(50));
        Assert.That(positions, Is.EqualTo(CnnTrajectories.Positions(1000, 50, seed: 3)));
        Assert.That(positions, Is.Not.EqualTo(CnnTrajectories.Positions(1000, 50, seed: 4)));
        Assert.That(CnnTrajectories.Positions(10, 0, seed: 3), Is.EqualTo(Enumerable.Range(0, 10)));
    }

    [Test]
    public void Step_zero_holds_the_sampled_initial_weights_of_each_run_and_training_moves_them()
    {
        var data = TinyData();
        var settings = new CnnTrajectorySettings(Runs: 3, Steps: 3, Scalars: 40, BatchSize: 8, FirstSeed: 7, SamplingSeed: 2);

        var sequences = CnnTrajectories.Collect(data, settings);

        Assert.That((sequences.Sequences, sequences.Steps, sequences.Scalars), Is.EqualTo((3, 4, 40)));
        var positions = CnnTrajectories.Positions(MnistCnn.ParameterCount, 40, seed: 2);
        for (var run = 0; run < 3; run++)
        {
            random.manual_seed(7 + run);
            using var model = new MnistCnn();
            var initial = cat(model.parameters().Select(p => p.detach().flatten()).ToArray()).data<float>().ToArray();
            for (var i = 0; i < 40; i++)
                Assert.That(sequences[run, 0, i], Is.EqualTo(initial[positions[i]]), $"run {run}, scalar {i}");
        }
        var moved = Enumerable.Range(0, 40).Count(i => sequences[0, 3, i] != sequences[0, 0, i]);
        Assert.That(moved, Is.GreaterThan(0), "Adam moves every weight with a gradient (some have none on these tiny digits)");
    }

    [Test]
    public void Table_4_needs_the_snapshots_of_step_100()
    {
        var sequences = new WeightSequences(10, 51, 4);

        Assert.That(() => CnnTable4.Evaluate(sequences, new[] { "lfl" }, 1, null, RunInfo.Current("test")),
            Throws.ArgumentException.With.Message.Contains("at least 101 snapshots"));
    }

    private static MnistData TinyData()
    {
        var (pixels, labels) = TinyDigits.Make(perClass: 12);
        return MnistData.Split(new MnistImages(pixels.Select(p => p / 255f).ToArray(), labels), seed: 1, verification: 0);
    }
}
