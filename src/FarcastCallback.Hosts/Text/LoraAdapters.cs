using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Text;

/// <summary>
/// The LoRA adapters of a <see cref="TransformerClassifier"/>, a module of their own (keys <c>layer.{i}.{q,k,v,o}</c>)
/// so the classifier's state dict keeps HuggingFace's keys: after <see cref="TransformerClassifier.MergeLora"/> it saves
/// as a plain checkpoint.
/// </summary>
public sealed class LoraAdapters : nn.Module
{
    internal LoraAdapters(IReadOnlyList<AttentionProjections> layers, LoraSettings settings) : base(nameof(LoraAdapters))
    {
        Settings = settings;
        for (var i = 0; i < layers.Count; i++)
        {
            var block = new ModuleGroup($"{i}");
            foreach (var (target, key) in new[] { (LoraTargets.Query, "q"), (LoraTargets.Key, "k"), (LoraTargets.Value, "v"), (LoraTargets.Output, "o") })
            {
                if (!settings.Targets.HasFlag(target)) continue;
                var adapter = new LoraAdapter(layers[i][target], settings);
                layers[i].Attach(target, adapter);
                block.register_module(key, adapter);
            }
            register_module($"layer_{i}", block);
        }
    }

    public LoraSettings Settings { get; }

    /// <summary>Children are registered by name in the constructor.</summary>
    protected override void RegisterComponents()
    {
    }
}
