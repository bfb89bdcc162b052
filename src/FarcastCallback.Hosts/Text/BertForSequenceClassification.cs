using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Text;

/// <summary>
/// HuggingFace's <c>BertForSequenceClassification</c>, built from the same blocks as
/// <see cref="DistilBertForSequenceClassification"/>: word + position + token-type embeddings, post-LN blocks
/// (<c>attention.self.{query,key,value}</c>, <c>attention.output</c>, <c>intermediate</c>, <c>output</c>), the
/// pooler (first token → dense → tanh) → dropout → <c>classifier</c>. Token types are all 0 (single sentences).
/// </summary>
public sealed class BertForSequenceClassification : TransformerClassifier
{
    private readonly Embedding _words;
    private readonly Embedding _positions;
    private readonly Embedding _tokenTypes;
    private readonly LayerNorm _embeddingNorm;
    private readonly Dropout _dropout;
    private readonly BertLayer[] _layers;
    private readonly Linear _pooler;
    private readonly Linear _classifier;
    private readonly Dropout _classifierDropout;

    public BertForSequenceClassification(TransformerConfig config) : base(nameof(BertForSequenceClassification), config)
    {
        _words = nn.Embedding(config.VocabSize, config.Hidden);
        _positions = nn.Embedding(config.MaxPositions, config.Hidden);
        _tokenTypes = nn.Embedding(Math.Max(1, config.TypeVocabSize), config.Hidden);
        _embeddingNorm = nn.LayerNorm(config.Hidden, config.LayerNormEpsilon);
        _dropout = nn.Dropout(config.Dropout);
        _layers = Enumerable.Range(0, config.Layers).Select(_ => new BertLayer(config)).ToArray();
        _pooler = nn.Linear(config.Hidden, config.Hidden);
        register_module("bert", new ModuleGroup("bert",
            ("embeddings", new ModuleGroup("embeddings", ("word_embeddings", _words), ("position_embeddings", _positions),
                ("token_type_embeddings", _tokenTypes), ("LayerNorm", _embeddingNorm), ("dropout", _dropout))),
            ("encoder", new ModuleGroup("encoder", ("layer", new ModuleList<BertLayer>(_layers)))),
            ("pooler", new ModuleGroup("pooler", ("dense", _pooler)))));
        register_module("dropout", _classifierDropout = nn.Dropout(config.ClassifierDropout));
        register_module("classifier", _classifier = nn.Linear(config.Hidden, config.Labels));
        TransformerBlocks.Initialize(this);
    }

    /// <inheritdoc />
    /// <remarks>The pooler counts as head: sentence-embedding checkpoints (e.g. all-MiniLM-L6-v2's ONNX graph) lack it.</remarks>
    public override IReadOnlyList<string> HeadPrefixes { get; } = new[] { "bert.pooler.", "classifier." };

    private protected override IReadOnlyList<AttentionProjections> Blocks => _layers.Select(l => l.Projections).ToArray();

    /// <inheritdoc />
    public override void InitializeHead(string prefix)
    {
        if (prefix == "bert.pooler.") TransformerBlocks.Initialize(_pooler);
        else TransformerBlocks.Initialize(_classifier);
    }

    /// <summary>The encoder's last hidden states [batch, tokens, hidden] (what a sentence-embedding model outputs).</summary>
    public Tensor Encode(Tensor ids, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var positions = arange(ids.shape[1], dtype: int64, device: ids.device).unsqueeze(0);
        var embedded = _words.forward(ids) + _positions.forward(positions) + _tokenTypes.forward(zeros_like(ids));
        var x = _dropout.forward(_embeddingNorm.forward(embedded));
        foreach (var layer in _layers) x = layer.forward(x, mask);
        return x.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor ids, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var pooled = tanh(_pooler.forward(Encode(ids, mask).select(1, 0)));
        return _classifier.forward(_classifierDropout.forward(pooled)).MoveToOuterDisposeScope();
    }
}

/// <summary>One BERT block with HuggingFace's names.</summary>
internal sealed class BertLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear _query, _key, _value, _attentionOut, _intermediate, _output;
    private readonly LayerNorm _attentionNorm, _outputNorm;
    private readonly Dropout _attentionDropout, _dropout;
    private readonly int _heads;

    public BertLayer(TransformerConfig config) : base(nameof(BertLayer))
    {
        _heads = config.Heads;
        _attentionDropout = nn.Dropout(config.AttentionDropout);
        _dropout = nn.Dropout(config.Dropout);
        register_module("attention", new ModuleGroup("attention",
            ("self", new ModuleGroup("self", ("query", _query = nn.Linear(config.Hidden, config.Hidden)),
                ("key", _key = nn.Linear(config.Hidden, config.Hidden)), ("value", _value = nn.Linear(config.Hidden, config.Hidden)),
                ("dropout", _attentionDropout))),
            ("output", new ModuleGroup("output", ("dense", _attentionOut = nn.Linear(config.Hidden, config.Hidden)),
                ("LayerNorm", _attentionNorm = nn.LayerNorm(config.Hidden, config.LayerNormEpsilon)), ("dropout", _dropout)))));
        register_module("intermediate", new ModuleGroup("intermediate", ("dense", _intermediate = nn.Linear(config.Hidden, config.FeedForward))));
        register_module("output", new ModuleGroup("output", ("dense", _output = nn.Linear(config.FeedForward, config.Hidden)),
            ("LayerNorm", _outputNorm = nn.LayerNorm(config.Hidden, config.LayerNormEpsilon))));
        Projections = new AttentionProjections(_query, _key, _value, _attentionOut);
    }

    public AttentionProjections Projections { get; }

    /// <summary>Children are registered by HuggingFace name in the constructor; TorchSharp must not add them again by field name.</summary>
    protected override void RegisterComponents()
    {
    }

    public override Tensor forward(Tensor x, Tensor mask)
    {
        var attended = _dropout.forward(TransformerBlocks.SelfAttention(x, mask, Projections, _heads, _attentionDropout));
        var afterAttention = _attentionNorm.forward(attended + x);
        var fed = _dropout.forward(_output.forward(nn.functional.gelu(_intermediate.forward(afterAttention))));
        return _outputNorm.forward(fed + afterAttention);
    }
}
