using FarcastCallback.Hosts.Training;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Mnist;

/// <summary>The model and protocol of <c>farcast mnist</c>: the paper's CNN, or one of NiNo's Fashion-MNIST tasks.</summary>
public enum MnistPreset
{
    /// <summary>The paper's 1,199,882-parameter CNN on a seeded split of the data (the command's own options).</summary>
    None,

    /// <summary>NiNo's FM-16: <see cref="NinoConvNet"/> 16-32-32, AdamW 0.006, batch 128, 10,000 steps, target 89.5 % test accuracy.</summary>
    Fm16,

    /// <summary>NiNo's FM-32: <see cref="NinoConvNet"/> 32-64-64, same protocol, target 90.5 %.</summary>
    Fm32,

    /// <summary>
    /// The paper's 1,199,882-parameter CNN on NiNo's Fashion-MNIST split with a long protocol: AdamW (rate 0.001 unless
    /// <c>--lr</c>, to be tuned for plain training on seeds 1–3), batch 128, 3,000 steps, evaluated every 100; the target
    /// is plain training's own smoothed final test accuracy.
    /// </summary>
    CnnFashion,
}

/// <summary>What a preset fixes: NiNo's published protocol, so a figure stands next to theirs.</summary>
public static class MnistPresets
{
    /// <summary>Where Debian's dataset-fashion-mnist package puts the IDX files.</summary>
    public const string FashionMnistPath = "/usr/share/datasets/fashion-mnist";

    /// <summary>Training images (the first 55,000 of the training file); the last 5,000 are the guard's pool.</summary>
    public const int NinoTrainImages = 55_000;

    /// <summary>NiNo's normalisation of the pixels (MNIST's mean and standard deviation).</summary>
    public static readonly (float Mean, float Std) NinoNormalisation = (0.1307f, 0.3081f);

    public static nn.Module<Tensor, Tensor> CreateModel(this MnistPreset preset) => preset switch
    {
        MnistPreset.Fm16 => new NinoConvNet(16),
        MnistPreset.Fm32 => new NinoConvNet(32),
        MnistPreset.CnnFashion => new MnistCnn(),
        _ => new MnistCnn(),
    };

    /// <summary>What a title calls the task: "MNIST CNN", or the preset with its origin ("Fm16 (NiNo, Fashion-MNIST)").</summary>
    public static string DisplayName(this MnistPreset preset) => preset switch
    {
        MnistPreset.None => "MNIST CNN",
        MnistPreset.CnnFashion => "CnnFashion (the paper's CNN, Fashion-MNIST, long protocol)",
        _ => $"{preset} (NiNo, Fashion-MNIST)",
    };

    /// <summary>The test accuracy NiNo counts as reaching the end of training; null for the CNN, whose target is plain training's final accuracy.</summary>
    public static double? TargetAccuracy(this MnistPreset preset) => preset switch
    {
        MnistPreset.Fm32 => 0.905,
        MnistPreset.CnnFashion => null,
        _ => 0.895,
    };

    /// <summary>Whether the preset fixes the learning rate (NiNo's tasks: AdamW 0.006) or takes <c>--lr</c> (the CNN, to be tuned).</summary>
    public static bool FixesLearningRate(this MnistPreset preset) => preset != MnistPreset.CnnFashion;

    /// <summary>The preset's steps, learning rate and evaluation interval when the command line gives none.</summary>
    public static (int Steps, double LearningRate, int EvaluateEvery) Defaults(this MnistPreset preset) =>
        preset == MnistPreset.CnnFashion ? (3_000, 1e-3, 100) : (10_000, 0.006, 25);

    /// <summary>The job settings of a preset: AdamW 0.006 without weight decay, batch 128, 10,000 steps, the fixed target.</summary>
    public static MnistJobSettings Settings(this MnistPreset preset, int? steps = null, int seeds = 1, int firstSeed = 1, int? evaluateEvery = null, int verifyChunk = DefaultVerifyChunk,
        double averageDecay = DefaultAverageDecay, double? learningRate = null)
    {
        var defaults = preset.Defaults();
        return new(steps ?? defaults.Steps, seeds, firstSeed, BatchSize: 128, LearningRate: learningRate ?? defaults.LearningRate,
            EvaluateEvery: evaluateEvery ?? defaults.EvaluateEvery, Optimizer: InnerOptimizer.AdamW, Preset: preset,
            TargetAccuracy: preset.TargetAccuracy(), VerifyChunk: verifyChunk, AverageDecay: averageDecay);
    }

    /// <summary>The weight average the presets keep beside each run: the best decay of the EMA measured on FM-16 seed 1 (docs/benchmarks.md).</summary>
    public const double DefaultAverageDecay = 0.99;

    /// <summary>
    /// The guard's chunk of the pool when none is given: 0, no guard. On FM-16 every guard measured rolled back the jumps
    /// that pay (the immediate one all of them, the delayed one at 2 standard errors 9 of 11), while unguarded farcasting
    /// averaged by <see cref="DefaultAverageDecay"/> reached 89.5 % ×1.22 sooner than averaged plain training on seeds 1–3
    /// and ×1.23 on held-out seeds 11–15, every seed ahead (docs/benchmarks.md). A chunk of 1,000 images guards it.
    /// </summary>
    public const int DefaultVerifyChunk = 0;

    /// <summary>
    /// NiNo's split of Fashion-MNIST: train on the first 55,000 training images, keep the last 5,000 as the guard's
    /// pool, and report accuracy on the 10,000 test images.
    /// </summary>
    public static MnistData NinoSplit(string folder)
    {
        var (train, test) = IdxFiles.ReadTrainAndTest(folder);
        if (train.Count <= NinoTrainImages)
            throw new InvalidDataException($"{folder}: the training file holds {train.Count} images; NiNo's split needs more than {NinoTrainImages}.");
        return new MnistData(
            train.Select(Enumerable.Range(0, NinoTrainImages).ToArray()),
            train.Select(Enumerable.Range(NinoTrainImages, train.Count - NinoTrainImages).ToArray()),
            test,
            test.Select(Array.Empty<int>()));
    }
}
