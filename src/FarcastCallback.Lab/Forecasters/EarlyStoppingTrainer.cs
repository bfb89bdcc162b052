using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace FarcastCallback.Lab.Forecasters;

/// <summary>
/// Full-batch Adam with early stopping on a dev error: every <see cref="TrainerSettings.CheckEvery"/> epochs the dev
/// error is measured; the weights of the best check are kept and restored; training stops after
/// <see cref="TrainerSettings.Patience"/> epochs without a new best. The same settings serve every trained forecaster, so none is tuned more than another.
/// </summary>
internal static class EarlyStoppingTrainer
{
    /// <summary>The common case: the paper's L1 loss on the training pairs, MSE on the dev pairs.</summary>
    public static FitReport TrainL1(nn.Module<Tensor, Tensor> model, Tensor trainInputs, Tensor trainTargets, Tensor devInputs, Tensor devTargets, TrainerSettings settings) =>
        Train(
            model,
            () => (model.forward(trainInputs) - trainTargets).abs().mean(),
            () => (model.forward(devInputs) - devTargets).pow(2).mean().item<float>(),
            settings);

    public static FitReport Train(nn.Module module, Func<Tensor> trainingLoss, Func<double> devError, TrainerSettings settings)
    {
        var clock = Stopwatch.StartNew();
        var parameters = module.parameters().ToArray();
        var optimizer = optim.Adam(parameters, settings.LearningRate);
        var best = double.PositiveInfinity;
        var bestWeights = parameters.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
        var sinceBest = 0;
        var epochs = 0;
        try
        {
            while (epochs < settings.MaxEpochs && sinceBest < settings.Patience)
            {
                using (var scope = NewDisposeScope())
                {
                    optimizer.zero_grad();
                    trainingLoss().backward();
                    optimizer.step();
                }
                epochs++;
                if (epochs % settings.CheckEvery != 0 && epochs < settings.MaxEpochs) continue;
                double error;
                using (no_grad())
                using (var scope = NewDisposeScope())
                    error = devError();
                if (error < best)
                {
                    best = error;
                    sinceBest = 0;
                    using var noGrad = no_grad();
                    for (var i = 0; i < parameters.Length; i++) bestWeights[i].copy_(parameters[i]);
                }
                else
                {
                    sinceBest += settings.CheckEvery;
                }
            }
            using (no_grad())
                for (var i = 0; i < parameters.Length; i++) parameters[i].copy_(bestWeights[i]);
        }
        finally
        {
            foreach (var weights in bestWeights) weights.Dispose();
            optimizer.Dispose();
        }
        return new FitReport(epochs, clock.Elapsed.TotalSeconds, best);
    }
}

/// <summary>Training settings shared by the trained forecasters.</summary>
/// <param name="LearningRate">Adam's rate. Default 0.01.</param>
/// <param name="MaxEpochs">Upper bound on full-batch epochs. Default 1000.</param>
/// <param name="Patience">Epochs without a better dev error before stopping. Default 100.</param>
/// <param name="CheckEvery">Epochs between dev checks. Default 5.</param>
/// <param name="MaxPairs">
/// Introspection and WNN train on (series, t) pairs — 300,000 to 500,000 of them on Syn-2. A seeded uniform sample
/// of at most this many keeps a fit to seconds; the sample is drawn anew per fit. Default 20,000.
/// </param>
public sealed record TrainerSettings(double LearningRate = 0.01, int MaxEpochs = 1000, int Patience = 100, int CheckEvery = 5, int MaxPairs = 20_000);
