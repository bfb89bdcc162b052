using System.Text.Json;
using System.Text.Json.Nodes;

namespace FarcastCallback.Hosts.Text;

/// <summary>Which HuggingFace architecture (and so which state-dict key names) a model follows.</summary>
public enum TransformerArchitecture
{
    /// <summary><c>DistilBertForSequenceClassification</c>: keys <c>distilbert.*</c>, <c>pre_classifier</c>, <c>classifier</c>.</summary>
    DistilBert,

    /// <summary><c>BertForSequenceClassification</c>: keys <c>bert.*</c> (token types, pooler), <c>classifier</c>.</summary>
    Bert,
}

/// <summary>
/// The settings of a DistilBERT or BERT encoder with a classification head, read from a HuggingFace
/// <c>config.json</c> (either family's key names) or written in code for tests.
/// </summary>
public sealed record TransformerConfig(
    TransformerArchitecture Architecture,
    int VocabSize = 30522,
    int Hidden = 768,
    int Layers = 6,
    int Heads = 12,
    int FeedForward = 3072,
    int MaxPositions = 512,
    int TypeVocabSize = 2,
    double Dropout = 0.1,
    double AttentionDropout = 0.1,
    double ClassifierDropout = 0.2,
    double LayerNormEpsilon = 1e-12,
    int Labels = 2)
{
    /// <summary>distilbert-base-uncased with a <paramref name="labels"/>-class head.</summary>
    public static TransformerConfig DistilBertBase(int labels = 2) => new(TransformerArchitecture.DistilBert, Labels: labels);

    /// <summary>all-MiniLM-L6-v2's encoder (BERT, 6 layers, hidden 384, 12 heads, feed-forward 1536) with a head.</summary>
    public static TransformerConfig MiniLmL6(int labels = 2) =>
        new(TransformerArchitecture.Bert, Hidden: 384, Layers: 6, Heads: 12, FeedForward: 1536, Dropout: 0.1, ClassifierDropout: 0.1, Labels: labels);

    /// <summary>The most parameters a checkpoint may declare: BERT-large is 340 M; larger configs are refused before anything is allocated.</summary>
    public const long MaxParameters = 500_000_000;

    private const long MaxConfigBytes = 1 << 20;

    /// <summary>Size of one attention head.</summary>
    public int HeadSize => Hidden / Heads;

    /// <summary>The model's parameter count (weights and biases of every part), computed from the sizes alone.</summary>
    public long ParameterCount
    {
        get
        {
            long h = Hidden, ff = FeedForward;
            var embeddings = ((long)VocabSize + MaxPositions + (Architecture == TransformerArchitecture.Bert ? Math.Max(1, TypeVocabSize) : 0)) * h + 2 * h;
            var block = 4 * (h * h + h) + (h * ff + ff) + (ff * h + h) + 4 * h;
            var head = (h * h + h) + (h * Labels + Labels);
            return embeddings + Layers * block + head;
        }
    }

    /// <summary>Throws with the field's name when a value is out of range.</summary>
    public void Validate()
    {
        void Positive(int value, string name)
        {
            if (value < 1) throw new ArgumentException($"Transformer config: {name} must be at least 1; got {value}.");
        }
        Positive(VocabSize, "vocab_size");
        Positive(Hidden, "hidden size");
        Positive(Layers, "layers");
        Positive(Heads, "attention heads");
        Positive(FeedForward, "feed-forward size");
        Positive(MaxPositions, "max_position_embeddings");
        Positive(Labels, "labels");
        if (Hidden % Heads != 0) throw new ArgumentException($"Transformer config: hidden size {Hidden} is not a multiple of the {Heads} attention heads.");
        foreach (var (value, limit, name) in new[] { (VocabSize, 1_000_000, "vocab_size"), (Hidden, 16_384, "hidden size"), (Layers, 256, "layers"),
                     (Heads, 1_024, "attention heads"), (FeedForward, 65_536, "feed-forward size"), (MaxPositions, 65_536, "max_position_embeddings"),
                     (TypeVocabSize, 1_024, "type_vocab_size"), (Labels, 100_000, "labels") })
            if (value > limit) throw new ArgumentException($"Transformer config: {name} {value} is above the largest accepted, {limit}.");
        if (ParameterCount > MaxParameters)
            throw new ArgumentException($"Transformer config: {ParameterCount:N0} parameters; at most {MaxParameters:N0} are accepted.");
        foreach (var (value, name) in new[] { (Dropout, "dropout"), (AttentionDropout, "attention dropout"), (ClassifierDropout, "classifier dropout") })
            if (value is < 0 or >= 1) throw new ArgumentException($"Transformer config: {name} must be in [0, 1); got {value}.");
    }

    /// <summary>Reads a HuggingFace <c>config.json</c>; <paramref name="labels"/> overrides its label count.</summary>
    public static TransformerConfig Read(string path, int? labels = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint config '{path}' does not exist.", path);
        if (new FileInfo(path).Length > MaxConfigBytes)
            throw new InvalidDataException($"{path} is {new FileInfo(path).Length:N0} bytes; a config.json of at most {MaxConfigBytes:N0} is accepted.");
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: not a JSON object.");
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {exception.Message}", exception);
        }
        string? Text(string key) => json[key] switch
        {
            null => null,
            JsonValue value when value.TryGetValue<string>(out var text) => text,
            _ => throw new InvalidDataException($"{path}: {key} must be a string."),
        };
        int Int(string key, int fallback) => json[key] switch
        {
            null => fallback,
            JsonValue value when value.TryGetValue<int>(out var number) => number,
            JsonValue value when value.TryGetValue<long>(out _) => throw new InvalidDataException($"{path}: {key} {value} is out of range."),
            _ => throw new InvalidDataException($"{path}: {key} must be an integer."),
        };
        double Real(string key, double fallback) => json[key] switch
        {
            null => fallback,
            JsonValue value when value.TryGetValue<double>(out var number) && double.IsFinite(number) => number,
            _ => throw new InvalidDataException($"{path}: {key} must be a finite number."),
        };
        var type = Text("model_type");
        var labelCount = labels ?? (json["id2label"] is JsonObject id2label ? id2label.Count : Int("num_labels", 2));
        var config = type switch
        {
            "distilbert" => new TransformerConfig(TransformerArchitecture.DistilBert, Int("vocab_size", 30522), Int("dim", 768), Int("n_layers", 6),
                Int("n_heads", 12), Int("hidden_dim", 3072), Int("max_position_embeddings", 512), 2, Real("dropout", 0.1),
                Real("attention_dropout", 0.1), Real("seq_classif_dropout", 0.2), 1e-12, labelCount),
            "bert" => new TransformerConfig(TransformerArchitecture.Bert, Int("vocab_size", 30522), Int("hidden_size", 768), Int("num_hidden_layers", 12),
                Int("num_attention_heads", 12), Int("intermediate_size", 3072), Int("max_position_embeddings", 512), Int("type_vocab_size", 2),
                Real("hidden_dropout_prob", 0.1), Real("attention_probs_dropout_prob", 0.1),
                json["classifier_dropout"] is null ? Real("hidden_dropout_prob", 0.1) : Real("classifier_dropout", 0.1), Real("layer_norm_eps", 1e-12), labelCount),
            _ => throw new InvalidDataException($"{path}: model_type '{type}' is not supported; expected 'distilbert' or 'bert'."),
        };
        if (Text("activation") is { } activation && activation != "gelu")
            throw new InvalidDataException($"{path}: activation '{activation}' is not supported; this host implements GELU.");
        if (Text("hidden_act") is { } hiddenAct && hiddenAct != "gelu")
            throw new InvalidDataException($"{path}: hidden_act '{hiddenAct}' is not supported; this host implements GELU.");
        try
        {
            config.Validate();
        }
        catch (ArgumentException exception)
        {
            throw new InvalidDataException($"{path}: {exception.Message}", exception);
        }
        return config;
    }
}
