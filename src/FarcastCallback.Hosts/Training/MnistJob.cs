using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FarcastCallback.Hosts.Mnist;
using FarcastCallback.Lab.Reporting;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Training;

/// <summary>How the learning rate of both runs changes over the real steps.</summary>
public enum LearningRateSchedule
{
    /// <summary>The same rate throughout.</summary>
    Constant,

    /// <summary>Linear decay from the rate to 5 % of it at the last real step.</summary>
    LinearDecay,
}

/// <summary>Settings of <c>farcast mnist</c>.</summary>
/// <param name="Steps">Real optimizer steps per run.</param>
/// <param name="Seeds">Seeds to run, starting at <paramref name="FirstSeed"/>.</param>
/// <param name="FirstSeed">The first seed (initial weights, batch order, dropout).</param>
/// <param name="BatchSize">Images per step.</param>
/// <param name="LearningRate">The inner optimizer's learning rate.</param>
/// <param name="EvaluateEvery">Real steps between validation evaluations.</param>
/// <param name="SplitSeed">The seed of the data split.</param>
/// <param name="Optimizer">The inner optimizer.</param>
/// <param name="Momentum">SGD's momentum.</param>
/// <param name="Schedule">How the learning rate changes over the steps.</param>
/// <param name="Preset">The model and protocol; see <see cref="MnistPresets"/>.</param>
/// <param name="TargetAccuracy">A fixed target accuracy; null: the plain run's smoothed final accuracy.</param>
/// <param name="VerifyChunk">Images per guard check, rotated through the verification split, judged on per-image losses;
/// 0: the mean loss on the whole split.</param>
/// <param name="AverageDecay">The decay of the weight average (EMA) each run keeps and every evaluation measures beside
/// the weights; 0: none.</param>
/// <param name="AverageRestartDelay">Real steps after a kept jump at which the farcast run's average starts again at its
/// weights (0: at the jump; see <see cref="TrainingRun"/>). Left out of summary.json at 0, so runs written before it
/// existed still resume.</param>
public sealed record MnistJobSettings(int Steps = 400, int Seeds = 1, int FirstSeed = 1, int BatchSize = 64, double LearningRate = 1e-3, int EvaluateEvery = 25, int SplitSeed = 0,
    InnerOptimizer Optimizer = InnerOptimizer.Adam, double Momentum = 0.9, LearningRateSchedule Schedule = LearningRateSchedule.Constant,
    MnistPreset Preset = MnistPreset.None, double? TargetAccuracy = null, int VerifyChunk = 0, double AverageDecay = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int AverageRestartDelay = 0)
{
    /// <summary>The inner optimizer for <paramref name="parameters"/>.</summary>
    internal optim.Optimizer CreateOptimizer(IEnumerable<TorchSharp.Modules.Parameter> parameters) => Optimizer.Create(parameters, LearningRate, Momentum);

    /// <summary>The schedule driving <paramref name="optimizer"/> (the wrapper, for a farcast run), stepped once per real step; null when constant.</summary>
    internal optim.lr_scheduler.LRScheduler? CreateSchedule(optim.Optimizer optimizer) => Schedule switch
    {
        LearningRateSchedule.LinearDecay => optim.lr_scheduler.LinearLR(optimizer, start_factor: 1.0, end_factor: 0.05, total_iters: Steps),
        _ => null,
    };
}

/// <summary>
/// The main job: the paper's CNN trained twice per seed from the same initial weights, batch order and dropout
/// masks — plain Adam, and Adam wrapped in <see cref="FarcastOptimizer"/> with a held-out verification batch — for
/// the same number of real steps, the two runs interleaved step by step so machine noise hits both alike;
/// time-to-accuracy against the plain run's final validation accuracy.
/// </summary>
public static class MnistJob
{

    /// <summary>
    /// Runs the seeds <see cref="MnistJobSettings.FirstSeed"/> on, after the <paramref name="finished"/> ones (a resumed
    /// run's, read back by <see cref="PairedRunRecord"/>); <paramref name="seedDone"/> gets every finished seed so far
    /// after each. Each seed depends on its number only — initial weights, batches, dropout and the guard's first chunk —
    /// so a resumed run ends as one uninterrupted run would.
    /// </summary>
    public static IReadOnlyList<PairedSeedResult> Run(MnistData data, MnistJobSettings settings, FarcastOptions farcastOptions,
        ILogger? logger = null, Action<RunProgress>? progress = null, Action<IReadOnlyList<PairedSeedResult>>? seedDone = null,
        IReadOnlyList<PairedSeedResult>? finished = null)
    {
        using var trainer = new CnnTrainer(data, settings.Preset == MnistPreset.None ? null : MnistPresets.NinoNormalisation, settings.VerifyChunk);
        var results = new List<PairedSeedResult>(finished ?? Array.Empty<PairedSeedResult>());
        for (var s = results.Count; s < settings.Seeds; s++)
        {
            var seed = settings.FirstSeed + s;
            random.manual_seed(seed);
            trainer.RestartVerification();
            using var plainModel = settings.Preset.CreateModel();
            using var farcastModel = settings.Preset.CreateModel();
            farcastModel.load_state_dict(plainModel.state_dict());

            var plainOptimizer = settings.CreateOptimizer(plainModel.parameters());
            using var farcast = new FarcastOptimizer(settings.CreateOptimizer(farcastModel.parameters()), farcastOptions, logger);
            if (data.Verification.Count > 0 && settings.VerifyChunk > 0)
            {
                farcast.VerificationLosses = () => trainer.VerificationLosses(farcastModel);
                farcast.Jumped += (_, _) => trainer.RotateVerification();
                farcast.JumpRejected += (_, _) => trainer.RotateVerification();
            }
            else if (data.Verification.Count > 0)
            {
                farcast.VerificationLoss = () => trainer.VerificationLoss(farcastModel);
            }
            else
            {
                farcast.RunWithoutGuard = true;   // no verification images: the unguarded ablation, logged by the wrapper
            }

            using var plainAverage = settings.AverageDecay > 0 ? new ExponentialWeightAverage(plainModel.parameters(), settings.AverageDecay) : null;
            using var farcastAverage = settings.AverageDecay > 0 ? new ExponentialWeightAverage(farcastModel.parameters(), settings.AverageDecay) : null;
            var plain = trainer.Start(plainModel, plainOptimizer, settings.BatchSize, seed, schedule: settings.CreateSchedule(plainOptimizer), average: plainAverage);
            var farcasting = trainer.Start(farcastModel, farcast, settings.BatchSize, seed, () => farcast.EffectiveSteps, () => farcast.ShouldStop,
                settings.CreateSchedule(farcast), farcastAverage, settings.AverageRestartDelay);
            results.Add(PairedSeedResult.Race(seed, plain, farcasting, farcast, settings.Steps, settings.EvaluateEvery, settings.Optimizer.ToString(), progress, settings.TargetAccuracy));
            seedDone?.Invoke(results);
        }
        return results;
    }

    /// <summary>summary.json's content; see <see cref="PairedRunReport.Summary"/>.</summary>
    public static JsonObject Summary(IReadOnlyList<PairedSeedResult> results, RunInfo run, MnistJobSettings settings, FarcastOptions options) =>
        PairedRunReport.Summary(results, run, settings, options);

    /// <summary>Writes <paramref name="summary"/> as summary.json, steps.csv and the two accuracy plots; see <see cref="PairedRunReport.Write"/>.</summary>
    public static void Write(string directory, IReadOnlyList<PairedSeedResult> results, JsonObject summary, MnistJobSettings settings) =>
        PairedRunReport.Write(directory, results, summary, $"{settings.Preset.DisplayName()}, plain {settings.Optimizer}");
}
