using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Text;

/// <summary>
/// The four attention projections of one transformer block and the LoRA adapters attached to them, if any. The block
/// calls <see cref="Project"/>, which adds an adapter's update to the frozen projection's output.
/// </summary>
internal sealed class AttentionProjections(Linear query, Linear key, Linear value, Linear output)
{
    private readonly Dictionary<LoraTargets, LoraAdapter> _adapters = new();

    public Linear this[LoraTargets target] => target switch
    {
        LoraTargets.Query => query,
        LoraTargets.Key => key,
        LoraTargets.Value => value,
        LoraTargets.Output => output,
        _ => throw new ArgumentOutOfRangeException(nameof(target)),
    };

    public IReadOnlyDictionary<LoraTargets, LoraAdapter> Adapters => _adapters;

    public Tensor Project(LoraTargets target, Tensor x) =>
        _adapters.TryGetValue(target, out var adapter) ? this[target].forward(x) + adapter.forward(x) : this[target].forward(x);

    public void Attach(LoraTargets target, LoraAdapter adapter) => _adapters.Add(target, adapter);

    /// <summary>Folds every adapter into its projection and detaches it.</summary>
    public void MergeAll()
    {
        foreach (var (target, adapter) in _adapters) adapter.Merge(this[target]);
        _adapters.Clear();
    }
}
