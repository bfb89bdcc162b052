using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Text;

/// <summary>
/// HuggingFace's <c>DistilBertForSequenceClassification</c>: word + position embeddings, LayerNorm and dropout;
/// post-LN transformer blocks (self-attention → <c>sa_layer_norm</c>, GELU feed-forward → <c>output_layer_norm</c>);
/// the first token's state → <c>pre_classifier</c> → ReLU → dropout → <c>classifier</c>.
/// </summary>
public sealed class DistilBertForSequenceClassification : TransformerClassifier
{
    private readonly Embedding _words;
    private readonly Embedding _positions;
    private readonly LayerNorm _embeddingNorm;
    private readonly Dropout _dropout;
    private readonly DistilBertLayer[] _layers;
    private readonly Linear _preClassifier;
    private readonly Linear _classifier;
    private readonly Dropout _classifierDropout;

    public DistilBertForSequenceClassification(TransformerConfig config) : base(nameof(DistilBertForSequenceClassification), config)
    {
        _words = nn.Embedding(config.VocabSize, config.Hidden);
        _positions = nn.Embedding(config.MaxPositions, config.Hidden);
        _embeddingNorm = nn.LayerNorm(config.Hidden, config.LayerNormEpsilon);
        _dropout = nn.Dropout(config.Dropout);
        _layers = Enumerable.Range(0, config.Layers).Select(_ => new DistilBertLayer(config)).ToArray();
        var layerList = new ModuleList<DistilBertLayer>(_layers);
        register_module("distilbert", new ModuleGroup("distilbert",
            ("embeddings", new ModuleGroup("embeddings", ("word_embeddings", _words), ("position_embeddings", _positions), ("LayerNorm", _embeddingNorm), ("dropout", _dropout))),
            ("transformer", new ModuleGroup("transformer", ("layer", layerList)))));
        register_module("pre_classifier", _preClassifier = nn.Linear(config.Hidden, config.Hidden));
        register_module("classifier", _classifier = nn.Linear(config.Hidden, config.Labels));
        register_module("dropout", _classifierDropout = nn.Dropout(config.ClassifierDropout));
        TransformerBlocks.Initialize(this);
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> HeadPrefixes { get; } = new[] { "pre_classifier.", "classifier." };

    private protected override IReadOnlyList<AttentionProjections> Blocks => _layers.Select(l => l.Projections).ToArray();

    /// <inheritdoc />
    public override void InitializeHead(string prefix) => TransformerBlocks.Initialize(prefix == "pre_classifier." ? _preClassifier : _classifier);

    /// <inheritdoc />
    public override Tensor forward(Tensor ids, Tensor mask)
    {
        using var scope = NewDisposeScope();
        var positions = arange(ids.shape[1], dtype: int64, device: ids.device).unsqueeze(0);
        var x = _dropout.forward(_embeddingNorm.forward(_words.forward(ids) + _positions.forward(positions)));
        foreach (var layer in _layers) x = layer.forward(x, mask);
        var first = x.select(1, 0);
        var pooled = _classifierDropout.forward(nn.functional.relu(_preClassifier.forward(first)));
        return _classifier.forward(pooled).MoveToOuterDisposeScope();
    }
}

/// <summary>One DistilBERT block with HuggingFace's names: <c>attention.{q,k,v,out}_lin</c>, <c>sa_layer_norm</c>, <c>ffn.lin1/lin2</c>, <c>output_layer_norm</c>.</summary>
internal sealed class DistilBertLayer : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear _query, _key, _value, _out, _lin1, _lin2;
    private readonly LayerNorm _attentionNorm, _outputNorm;
    private readonly Dropout _attentionDropout, _dropout;
    private readonly int _heads;

    public DistilBertLayer(TransformerConfig config) : base(nameof(DistilBertLayer))
    {
        _heads = config.Heads;
        _attentionDropout = nn.Dropout(config.AttentionDropout);
        _dropout = nn.Dropout(config.Dropout);
        register_module("attention", new ModuleGroup("attention",
            ("q_lin", _query = nn.Linear(config.Hidden, config.Hidden)), ("k_lin", _key = nn.Linear(config.Hidden, config.Hidden)),
            ("v_lin", _value = nn.Linear(config.Hidden, config.Hidden)), ("out_lin", _out = nn.Linear(config.Hidden, config.Hidden)),
            ("dropout", _attentionDropout)));
        register_module("sa_layer_norm", _attentionNorm = nn.LayerNorm(config.Hidden, config.LayerNormEpsilon));
        register_module("ffn", new ModuleGroup("ffn",
            ("lin1", _lin1 = nn.Linear(config.Hidden, config.FeedForward)), ("lin2", _lin2 = nn.Linear(config.FeedForward, config.Hidden)), ("dropout", _dropout)));
        register_module("output_layer_norm", _outputNorm = nn.LayerNorm(config.Hidden, config.LayerNormEpsilon));
        Projections = new AttentionProjections(_query, _key, _value, _out);
    }

    public AttentionProjections Projections { get; }

    /// <summary>Children are registered by HuggingFace name in the constructor; TorchSharp must not add them again by field name.</summary>
    protected override void RegisterComponents()
    {
    }

    public override Tensor forward(Tensor x, Tensor mask)
    {
        var attended = TransformerBlocks.SelfAttention(x, mask, Projections, _heads, _attentionDropout);
        var afterAttention = _attentionNorm.forward(attended + x);
        var fed = _dropout.forward(_lin2.forward(nn.functional.gelu(_lin1.forward(afterAttention))));
        return _outputNorm.forward(fed + afterAttention);
    }
}
