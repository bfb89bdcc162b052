using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Text;

/// <summary>
/// A DistilBERT- or BERT-family encoder with a sequence-classification head, whose state-dict keys equal
/// HuggingFace's, so checkpoints load without a rename table. <c>forward(ids, mask)</c>: token ids and attention
/// mask [batch, tokens] (int64; mask 1 = token, 0 = padding) → class logits [batch, labels].
/// </summary>
public abstract class TransformerClassifier : nn.Module<Tensor, Tensor, Tensor>
{
    private protected TransformerClassifier(string name, TransformerConfig config) : base(name)
    {
        config.Validate();
        Config = config;
    }

    /// <summary>Children are registered by HuggingFace name; TorchSharp must not add them again by field name.</summary>
    protected override void RegisterComponents()
    {
    }

    /// <summary>The architecture's settings.</summary>
    public TransformerConfig Config { get; }

    /// <summary>The state-dict key prefixes of the head's parts (what a masked-LM or sentence-embedding checkpoint lacks).</summary>
    public abstract IReadOnlyList<string> HeadPrefixes { get; }

    /// <summary>A model of <paramref name="config"/>'s architecture with HuggingFace's random initialisation.</summary>
    public static TransformerClassifier Create(TransformerConfig config) => config.Architecture switch
    {
        TransformerArchitecture.Bert => new BertForSequenceClassification(config),
        _ => new DistilBertForSequenceClassification(config),
    };

    /// <summary>Re-initialises the head part under <paramref name="prefix"/>, one of <see cref="HeadPrefixes"/> (HuggingFace's scheme).</summary>
    public abstract void InitializeHead(string prefix);

    /// <summary>The prefix of the encoder's keys: <c>distilbert.</c> or <c>bert.</c>.</summary>
    public string EncoderPrefix => Config.Architecture == TransformerArchitecture.Bert ? "bert." : "distilbert.";

    /// <summary>The LoRA adapters, once <see cref="AddLora"/> attached them.</summary>
    public LoraAdapters? Lora { get; private set; }

    /// <summary>Each block's attention projections, where adapters attach.</summary>
    private protected abstract IReadOnlyList<AttentionProjections> Blocks { get; }

    /// <summary>
    /// LoRA fine-tuning: freezes every encoder weight, leaves the head trainable and attaches adapters (drawn from the
    /// current random state) to the projections <paramref name="settings"/> names. The adapters are not part of this
    /// module's state dict; <see cref="TrainableParameters"/> lists what an optimizer should get.
    /// </summary>
    /// <exception cref="InvalidOperationException">Adapters are attached already.</exception>
    /// <exception cref="ArgumentException">The rank is above the hidden size: a rank-r update of an h × h projection needs r ≤ h.</exception>
    public LoraAdapters AddLora(LoraSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (settings.Rank > Config.Hidden)
            throw new ArgumentException($"--lora {settings.Rank} is above the model's hidden size, {Config.Hidden}: a rank is at most the size of the projections it adapts.");
        if (Lora is not null) throw new InvalidOperationException("LoRA adapters are attached already; merge them first.");
        foreach (var (name, parameter) in named_parameters())
            parameter.requires_grad_(HeadPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)));
        return Lora = new LoraAdapters(Blocks, settings);
    }

    /// <summary>The parameters that train: all of them, or under LoRA the head's and the adapters'.</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> TrainableParameters() =>
        parameters().Where(p => p.requires_grad).Concat(Lora?.parameters() ?? Enumerable.Empty<TorchSharp.Modules.Parameter>());

    /// <summary>Folds every adapter into its projection, unfreezes the encoder and drops the adapters: a plain model again.</summary>
    public void MergeLora()
    {
        if (Lora is null) return;
        foreach (var block in Blocks) block.MergeAll();
        foreach (var parameter in parameters()) parameter.requires_grad_(true);
        Lora.Dispose();
        Lora = null;
    }
}
