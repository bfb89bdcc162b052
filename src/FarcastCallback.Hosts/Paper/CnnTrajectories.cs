using FarcastCallback.Hosts.Mnist;
using FarcastCallback.Hosts.Training;
using FarcastCallback.Lab.Sequences;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Paper;

/// <summary>Settings of the CNN weight trajectories of Table 4: runs, Adam steps, and the scalars kept per snapshot.</summary>
/// <param name="Runs">Independent training runs (the paper: 10, split 5/2/3).</param>
/// <param name="Steps">Adam steps per run; a run has <c>Steps + 1</c> snapshots (the paper: 100 → 101).</param>
/// <param name="Scalars">Scalars kept per snapshot, drawn uniformly without replacement from all 1,199,882 (the same
/// positions in every run); 0 keeps all of them.</param>
/// <param name="BatchSize">Minibatch size (64, as in the main job).</param>
/// <param name="LearningRate">Adam's learning rate (1e-3).</param>
/// <param name="FirstSeed">Run r uses seed <c>FirstSeed + r</c> for its initialisation, batches and dropout.</param>
/// <param name="SamplingSeed">Seed of the draw of scalar positions.</param>
public sealed record CnnTrajectorySettings(int Runs = 10, int Steps = 100, int Scalars = 4096, int BatchSize = 64, double LearningRate = 1e-3,
    int FirstSeed = 1, int SamplingSeed = 0);

/// <summary>
/// Collects the paper's CNN sequences: the MNIST CNN trained with Adam from a fresh initialisation per run (seed
/// <c>FirstSeed + run</c>, its own batch order), every snapshot flattened over the parameters in module order and
/// sampled at fixed positions.
/// </summary>
public static class CnnTrajectories
{
    public static WeightSequences Collect(MnistData data, CnnTrajectorySettings settings, IProgress<(int Run, int Step)>? progress = null)
    {
        if (settings.Runs < 3) throw new ArgumentOutOfRangeException(nameof(settings), $"--runs must be at least 3 (train, dev, test); got {settings.Runs}.");
        if (settings.Steps < 2) throw new ArgumentOutOfRangeException(nameof(settings), $"--steps must be at least 2; got {settings.Steps}.");
        using var trainer = new CnnTrainer(data);
        var total = MnistCnn.ParameterCount;
        if (settings.Scalars < 0 || settings.Scalars > total)
            throw new ArgumentOutOfRangeException(nameof(settings), $"--scalars must be 0 (all) or 1..{total}; got {settings.Scalars}.");
        var positions = Positions(total, settings.Scalars, settings.SamplingSeed);
        var sequences = new WeightSequences(settings.Runs, settings.Steps + 1, positions.Length);
        using var index = tensor(positions.Select(p => (long)p).ToArray()).DetachFromDisposeScope();
        for (var run = 0; run < settings.Runs; run++)
        {
            var seed = settings.FirstSeed + run;
            random.manual_seed(seed);
            using var model = new MnistCnn();
            var parameters = model.parameters().ToArray();
            var optimizer = optim.Adam(parameters, settings.LearningRate);
            var training = trainer.Start(model, optimizer, settings.BatchSize, seed);
            Snapshot(parameters, index, sequences, run, 0);
            for (var step = 1; step <= settings.Steps; step++)
            {
                training.Step();
                Snapshot(parameters, index, sequences, run, step);
                progress?.Report((run, step));
            }
        }
        return sequences;
    }

    /// <summary>Sorted positions: all of them, or <paramref name="count"/> drawn uniformly without replacement.</summary>
    internal static int[] Positions(int total, int count, int seed)
    {
        var all = Enumerable.Range(0, total).ToArray();
        if (count == 0 || count == total) return all;
        new Random(seed).Shuffle(all);
        var chosen = all[..count];
        Array.Sort(chosen);
        return chosen;
    }

    /// <summary>Writes the parameters' values at <paramref name="index"/> (positions in their concatenation) into sequence <paramref name="run"/>, step <paramref name="step"/>.</summary>
    internal static void Snapshot(Parameter[] parameters, Tensor index, WeightSequences sequences, int run, int step)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var values = cat(parameters.Select(p => p.flatten()).ToArray()).index_select(0, index).to(float64).cpu().data<double>();
        for (var i = 0; i < values.Count; i++) sequences[run, step, i] = values[i];
    }
}
