using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Text;

/// <summary>
/// all-MiniLM-L6-v2's weights from its ONNX graph, under our BERT variant's HuggingFace keys. Embeddings, LayerNorms,
/// biases and the pooler are initializers named by layer; each linear layer's weight is an unnamed initializer fed
/// to a <c>MatMul</c> as [in, out], whose output goes to an <c>Add</c> with the layer's named bias — so the weight's
/// key is the bias's with <c>.weight</c>, and its value the transpose (PyTorch stores [out, in]).
/// </summary>
public static class MiniLmWeights
{
    /// <summary>The model's config: BERT, 6 layers, hidden 384, 12 heads, feed-forward 1536, with a <paramref name="labels"/>-class head.</summary>
    public static TransformerConfig Config(int labels) => TransformerConfig.MiniLmL6(labels);

    /// <summary>all-MiniLM-L6-v2 with a freshly initialised classifier (said in the log).</summary>
    public static BertForSequenceClassification Load(int labels, Microsoft.Extensions.Logging.ILogger? logger = null, string? packagePath = null)
    {
        var weights = Extract(MiniLmPackage.ReadResource(MiniLmPackage.ModelResource, packagePath));
        try
        {
            var model = new BertForSequenceClassification(Config(labels));
            TransformerCheckpoint.LoadInto(model, weights, logger);
            return model;
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
    }

    /// <summary>The float weights of an ONNX BERT graph by HuggingFace key (prefix <c>bert.</c>), outside any dispose scope.</summary>
    public static Dictionary<string, Tensor> Extract(byte[] onnxModel)
    {
        var graph = OnnxGraph.Parse(onnxModel);
        var weights = new Dictionary<string, Tensor>();
        foreach (var init in graph.Initializers.Values)
            if (init.Values is not null && IsNamedWeight(init.Name))
                weights["bert." + init.Name] = tensor(init.Values, init.Shape).DetachFromDisposeScope();

        var consumers = graph.Nodes.SelectMany(n => n.Inputs.Select(i => (Input: i, Node: n))).ToLookup(p => p.Input, p => p.Node);
        foreach (var matMul in graph.Nodes.Where(n => n.Operator == "MatMul"))
        {
            var weight = matMul.Inputs.Select(i => graph.Initializers.GetValueOrDefault(i)).FirstOrDefault(i => i is { Values: not null, Shape.Length: 2 });
            if (weight is null) continue;   // attention's activation × activation products
            var bias = consumers[matMul.Outputs[0]].Where(n => n.Operator == "Add")
                .SelectMany(n => n.Inputs).FirstOrDefault(i => i.EndsWith(".bias", StringComparison.Ordinal) && graph.Initializers.ContainsKey(i))
                ?? throw new InvalidDataException($"ONNX MatMul with weight '{weight.Name}' is not followed by an Add of a named bias: the graph is not the expected BERT export.");
            var key = "bert." + bias[..^".bias".Length] + ".weight";
            using var transposed = tensor(weight.Values!, weight.Shape);
            weights[key] = transposed.t().contiguous().DetachFromDisposeScope();
        }
        return weights;
    }

    private static bool IsNamedWeight(string name) =>
        (name.StartsWith("embeddings.", StringComparison.Ordinal) || name.StartsWith("encoder.", StringComparison.Ordinal) || name.StartsWith("pooler.", StringComparison.Ordinal))
        && !name.EndsWith("position_ids", StringComparison.Ordinal);
}
