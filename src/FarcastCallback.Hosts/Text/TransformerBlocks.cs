using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Text;

/// <summary>
/// The computations DistilBERT and BERT share: multi-head self-attention with a padding mask, the GELU feed-forward
/// and HuggingFace's initialisation. The two architectures differ only in module names and where dropout sits.
/// </summary>
internal static class TransformerBlocks
{
    /// <summary>
    /// Self-attention of <paramref name="x"/> [batch, tokens, hidden]; <paramref name="keep"/> [batch, tokens] is 1
    /// for real tokens and 0 for padding, which no query attends to.
    /// </summary>
    public static Tensor SelfAttention(Tensor x, Tensor keep, AttentionProjections projections, int heads, Dropout attentionDropout)
    {
        var (batch, tokens, hidden) = (x.shape[0], x.shape[1], x.shape[2]);
        var headSize = hidden / heads;
        Tensor Split(Tensor y) => y.view(batch, tokens, heads, headSize).transpose(1, 2);
        var scores = matmul(Split(projections.Project(LoraTargets.Query, x)), Split(projections.Project(LoraTargets.Key, x)).transpose(-1, -2)) / Math.Sqrt(headSize);
        var padding = keep.eq(0).view(batch, 1, 1, tokens);
        scores = scores.masked_fill(padding, float.MinValue);
        var weights = attentionDropout.forward(nn.functional.softmax(scores, -1));
        var attended = matmul(weights, Split(projections.Project(LoraTargets.Value, x))).transpose(1, 2).contiguous().view(batch, tokens, hidden);
        return projections.Project(LoraTargets.Output, attended);
    }

    /// <summary>HuggingFace's initialisation: linear and embedding weights ~ N(0, 0.02²), biases 0, LayerNorm 1 and 0.</summary>
    public static void Initialize(nn.Module module)
    {
        using var noGrad = no_grad();
        foreach (var (_, child) in module.named_modules().Prepend(("", module)))
        {
            switch (child)
            {
                case Linear linear:
                    nn.init.normal_(linear.weight, 0, 0.02);
                    if (linear.bias is { } bias) nn.init.zeros_(bias);
                    break;
                case Embedding embedding:
                    nn.init.normal_(embedding.weight, 0, 0.02);
                    break;
                case LayerNorm norm:
                    nn.init.ones_(norm.weight);
                    nn.init.zeros_(norm.bias);
                    break;
            }
        }
    }
}

/// <summary>A module that only holds named children, so state-dict keys follow HuggingFace's nesting.</summary>
internal sealed class ModuleGroup : nn.Module
{
    public ModuleGroup(string name, params (string Name, nn.Module Module)[] children) : base(name)
    {
        foreach (var (childName, module) in children) register_module(childName, module);
    }

    /// <summary>Children are registered by name above; nothing is registered by field name.</summary>
    protected override void RegisterComponents()
    {
    }
}
