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
}
