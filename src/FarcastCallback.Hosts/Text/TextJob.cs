using System.Diagnostics;
using System.Text.Json.Nodes;
using FarcastCallback.Hosts.Training;
using FarcastCallback.Lab.Reporting;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Text;

/// <summary>Settings of <c>farcast text</c>: AdamW with a linear warm-up over <paramref name="WarmupFraction"/> of the steps, then linear decay to 0.</summary>
/// <param name="Steps">Real optimizer steps per run.</param>
/// <param name="Seeds">Seeds to run, starting at <paramref name="FirstSeed"/> (head initialisation, batches, dropout).</param>
/// <param name="FirstSeed">The first seed.</param>
/// <param name="BatchSize">Texts per step.</param>
/// <param name="LearningRate">AdamW's peak learning rate.</param>
/// <param name="MaxLength">Tokens per text including [CLS] and [SEP]; longer texts are truncated.</param>
/// <param name="EvaluateEvery">Real steps between validation evaluations.</param>
/// <param name="WarmupFraction">Share of the steps with a rising learning rate.</param>
/// <param name="WeightDecay">AdamW's decoupled weight decay.</param>
/// <param name="Lora">LoRA fine-tuning (adapters and head train, the encoder is frozen); null: every weight trains.</param>
/// <param name="AverageDecay">Both runs keep an exponential moving average of their trained weights with this decay, evaluated beside them; 0: none.</param>
public sealed record TextJobSettings(int Steps = 100, int Seeds = 1, int FirstSeed = 1, int BatchSize = 16, double LearningRate = 1e-4, int MaxLength = 48,
    int EvaluateEvery = 10, double WarmupFraction = 0.1, double WeightDecay = 0.01, LoraSettings? Lora = null, double AverageDecay = 0)
{
    internal optim.lr_scheduler.LRScheduler Schedule(optim.Optimizer optimizer)
    {
        var warmup = Math.Max(1, (int)Math.Round(WarmupFraction * Steps));
        return optim.lr_scheduler.LambdaLR(optimizer, step => step < warmup ? (step + 1.0) / warmup : Math.Max(0.0, (Steps - step) / (double)Math.Max(1, Steps - warmup)));
    }
}

/// <summary>The runs of <c>farcast text</c> and the memory the plugin used.</summary>
/// <param name="Runs">Each seed's plain and farcast run.</param>
/// <param name="ParameterBytes">Bytes of the model's parameters.</param>
/// <param name="PluginBytes">Bytes of the farcast buffers (the most of any seed).</param>
/// <param name="PeakWorkingSetBytes">The process's peak working set at the end (both models, data, everything).</param>
/// <param name="TrainableParameters">Scalars the optimizer trains (all of them, or adapters and head under LoRA).</param>
public sealed record TextJobResult(IReadOnlyList<PairedSeedResult> Runs, long ParameterBytes, long PluginBytes, long PeakWorkingSetBytes, long TrainableParameters = 0)
{
    /// <summary>Adds the memory figures to a summary.json object.</summary>
    public void AddMemory(JsonObject summary)
    {
        summary["parameter_bytes"] = ParameterBytes;
        summary["plugin_bytes"] = PluginBytes;
        summary["plugin_bytes_per_parameter_byte"] = (double)PluginBytes / ParameterBytes;
        summary["process_peak_working_set_bytes"] = PeakWorkingSetBytes;
        summary["trainable_parameters"] = TrainableParameters;
    }
}

/// <summary>
/// Fine-tunes a pretrained text classifier twice per seed from the same weights, batches and dropout masks — plain
/// AdamW and AdamW wrapped in <see cref="FarcastOptimizer"/> (verified on a held-out batch) — interleaved step by
/// step; time to the plain run's final validation accuracy, as <c>farcast mnist</c> reports it.
/// </summary>
public static class TextJob
{
    /// <param name="split">The texts.</param>
    /// <param name="tokenizer">Their tokenizer (the checkpoint's vocabulary).</param>
    /// <param name="pretrained">Creates the model: pretrained encoder, head drawn from the current random state.</param>
    /// <param name="settings">Steps, batches, schedule.</param>
    /// <param name="farcastOptions">The farcast settings.</param>
    /// <param name="logger">Receives jump messages.</param>
    /// <param name="progress">(label, step, steps) after each evaluation.</param>
    /// <param name="seedDone">The seeds finished so far, after each one (to write them as they finish).</param>
    public static TextJobResult Run(TextSplit split, TextTokenizer tokenizer, Func<TransformerClassifier> pretrained, TextJobSettings settings,
        FarcastOptions farcastOptions, ILogger? logger = null, Action<RunProgress>? progress = null, Action<IReadOnlyList<PairedSeedResult>>? seedDone = null)
    {
        using var trainer = new TextTrainer(split, tokenizer, settings.MaxLength);
        var results = new List<PairedSeedResult>();
        long parameterBytes = 0, pluginBytes = 0, trainable = 0;
        for (var s = 0; s < settings.Seeds; s++)
        {
            var seed = settings.FirstSeed + s;
            random.manual_seed(seed);
            using var plainModel = pretrained();
            using var farcastModel = TransformerClassifier.Create(plainModel.Config);
            farcastModel.load_state_dict(plainModel.state_dict());
            parameterBytes = plainModel.parameters().Sum(p => p.numel() * p.element_size());
            if (settings.Lora is { } lora)
            {
                plainModel.AddLora(lora);
                farcastModel.AddLora(lora).load_state_dict(plainModel.Lora!.state_dict());
            }
            trainable = plainModel.TrainableParameters().Sum(p => p.numel());

            var plainOptimizer = optim.AdamW(plainModel.TrainableParameters(), settings.LearningRate, weight_decay: settings.WeightDecay);
            using var farcast = new FarcastOptimizer(optim.AdamW(farcastModel.TrainableParameters(), settings.LearningRate, weight_decay: settings.WeightDecay), farcastOptions, logger);
            var calls = new List<long>();
            if (split.Verification.Count > 0)
            {
                farcast.VerificationLoss = () =>
                {
                    calls.Add(farcast.RealSteps);
                    return trainer.VerificationLoss(farcastModel);
                };
            }
            else
            {
                farcast.RunWithoutGuard = true;   // no verification texts: the unguarded ablation, logged by the wrapper
            }

            using var plainAverage = settings.AverageDecay > 0 ? new ExponentialWeightAverage(plainModel.TrainableParameters(), settings.AverageDecay) : null;
            using var farcastAverage = settings.AverageDecay > 0 ? new ExponentialWeightAverage(farcastModel.TrainableParameters(), settings.AverageDecay) : null;
            var plain = trainer.Start(plainModel, plainOptimizer, settings.BatchSize, seed, schedule: settings.Schedule(plainOptimizer), average: plainAverage);
            var farcasting = trainer.Start(farcastModel, farcast, settings.BatchSize, seed, () => farcast.EffectiveSteps, () => farcast.ShouldStop, settings.Schedule(farcast),
                farcastAverage);
            results.Add(PairedSeedResult.Race(seed, plain, farcasting, farcast, settings.Steps, settings.EvaluateEvery, "AdamW", progress,
                guard: new GuardCost(calls, split.Verification.Count, settings.BatchSize)));
            pluginBytes = Math.Max(pluginBytes, farcast.BufferBytes);
            seedDone?.Invoke(results);
        }
        return new TextJobResult(results, parameterBytes, pluginBytes, Process.GetCurrentProcess().PeakWorkingSet64, trainable);
    }
}
