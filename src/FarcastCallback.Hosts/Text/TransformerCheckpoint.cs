using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Text;

/// <summary>
/// HuggingFace checkpoint directories (<c>config.json</c>, <c>model.safetensors</c> — or, failing that,
/// <c>pytorch_model.bin</c> through <see cref="TorchPickleCheckpoint"/>'s restricted unpickler — and <c>vocab.txt</c>) in and out of
/// <see cref="TransformerClassifier"/>. Key names are HuggingFace's; a checkpoint of the bare encoder (keys without
/// <c>distilbert.</c>/<c>bert.</c>) is accepted; masked-LM heads and <c>position_ids</c> buffers are ignored; a head part
/// the checkpoint lacks is freshly initialised and logged; anything else missing, unexpected or of the wrong shape is
/// an error that names the keys.
/// </summary>
public static class TransformerCheckpoint
{
    private static readonly string[] IgnoredPrefixes = { "vocab_transform.", "vocab_layer_norm.", "vocab_projector.", "cls.", "distilbert.vocab_", "lm_head." };

    /// <summary>Loads the model of a checkpoint directory; <paramref name="labels"/> sets the head's class count.</summary>
    public static TransformerClassifier Load(string directory, int labels, ILogger? logger = null)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException(File.Exists(directory)
                ? $"--checkpoint '{directory}' is a file; give the checkpoint's folder (config.json, model.safetensors, vocab.txt)."
                : $"Checkpoint directory '{directory}' does not exist.");
        var config = TransformerConfig.Read(Path.Combine(directory, "config.json"), labels);
        var safetensors = Path.Combine(directory, "model.safetensors");
        var pickle = Path.Combine(directory, "pytorch_model.bin");
        Dictionary<string, Tensor> weights;
        // The model needs at most its parameters in float64 (the widest dtype read); a file may not make us hold more.
        var maxBytes = 8 * config.ParameterCount + (64L << 20);
        if (File.Exists(safetensors)) weights = SafeTensorsFile.Read(safetensors, maxBytes);
        else if (File.Exists(pickle))
        {
            (logger ?? NullLogger.Instance).LogInformation("{Directory} has no model.safetensors; reading pytorch_model.bin with the restricted unpickler.", directory);
            weights = TorchPickleCheckpoint.Read(pickle, maxBytes);
        }
        else throw new FileNotFoundException($"{directory} has neither model.safetensors nor pytorch_model.bin.", safetensors);
        var model = TransformerClassifier.Create(config);
        try
        {
            LoadInto(model, weights, logger);
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
        return model;
    }

    /// <summary>Copies <paramref name="weights"/> into <paramref name="model"/> by HuggingFace key (see the class remarks).</summary>
    /// <returns>The head prefixes that were freshly initialised.</returns>
    public static IReadOnlyList<string> LoadInto(TransformerClassifier model, IReadOnlyDictionary<string, Tensor> weights, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        var prefix = model.EncoderPrefix;
        var bare = !weights.Keys.Any(k => k.StartsWith(prefix, StringComparison.Ordinal));
        var byKey = new Dictionary<string, Tensor>();
        var unexpected = new List<string>();
        foreach (var (key, tensor) in weights)
        {
            if (key.EndsWith("position_ids", StringComparison.Ordinal) || IgnoredPrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)))
                continue;
            var name = bare && (key.StartsWith("embeddings.", StringComparison.Ordinal) || key.StartsWith("transformer.", StringComparison.Ordinal)
                || key.StartsWith("encoder.", StringComparison.Ordinal) || key.StartsWith("pooler.", StringComparison.Ordinal)) ? prefix + key : key;
            byKey[name] = tensor;
        }

        var state = model.state_dict();
        foreach (var key in byKey.Keys)
            if (!state.ContainsKey(key)) unexpected.Add(key);
        var missing = state.Keys.Where(k => !byKey.ContainsKey(k)).ToList();
        var fresh = new List<string>();
        foreach (var head in model.HeadPrefixes)
        {
            var headKeys = state.Keys.Where(k => k.StartsWith(head, StringComparison.Ordinal)).ToArray();
            if (headKeys.All(missing.Contains))
            {
                fresh.Add(head);
                missing.RemoveAll(headKeys.Contains);
            }
        }
        var mismatched = byKey.Where(p => state.TryGetValue(p.Key, out var target) && !target.shape.SequenceEqual(p.Value.shape))
            .Select(p => $"{p.Key} (checkpoint [{string.Join(", ", p.Value.shape)}], model [{string.Join(", ", state[p.Key].shape)}])").ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || mismatched.Count > 0)
            throw new InvalidDataException("The checkpoint does not match the model:"
                + (missing.Count > 0 ? $" missing keys: {string.Join(", ", missing)}." : "")
                + (unexpected.Count > 0 ? $" unexpected keys: {string.Join(", ", unexpected)}." : "")
                + (mismatched.Count > 0 ? $" shape mismatches: {string.Join("; ", mismatched)}." : ""));
        ThrowIfNotUsableWeights(byKey);

        using (no_grad())
        {
            foreach (var (key, tensor) in byKey) state[key].copy_(tensor);
        }
        foreach (var head in fresh)
        {
            model.InitializeHead(head);
            logger.LogWarning("The checkpoint has no '{Head}*' weights: that part of the head is freshly initialised.", head);
        }
        return fresh;
    }

    /// <summary>
    /// Weights must be floating point (an int64 tensor would be cast silently into a weight) and finite (a NaN or an
    /// infinity makes every loss NaN, and every NaN comparison looks like a target reached).
    /// </summary>
    private static void ThrowIfNotUsableWeights(IReadOnlyDictionary<string, Tensor> weights)
    {
        var integral = weights.Where(p => !p.Value.is_floating_point()).Select(p => $"{p.Key} ({p.Value.dtype})").ToList();
        if (integral.Count > 0)
            throw new InvalidDataException($"The checkpoint's weights must be floating point; these are not: {string.Join(", ", integral)}.");
        using var scope = NewDisposeScope();
        var nonFinite = weights.Where(p => !isfinite(p.Value).all().item<bool>()).Select(p => p.Key).ToList();
        if (nonFinite.Count > 0)
            throw new InvalidDataException($"The checkpoint's weights hold NaN or infinite values in: {string.Join(", ", nonFinite)}.");
    }

    /// <summary>Writes <c>model.safetensors</c> (HuggingFace keys) and a <c>config.json</c> for <paramref name="model"/> into <paramref name="directory"/>.</summary>
    public static void Save(TransformerClassifier model, string directory)
    {
        Directory.CreateDirectory(directory);
        SafeTensorsFile.Write(Path.Combine(directory, "model.safetensors"), model.state_dict(), new Dictionary<string, string> { ["format"] = "pt" });
        var c = model.Config;
        var labels = new JsonObject(Enumerable.Range(0, c.Labels).Select(i => KeyValuePair.Create(i.ToString(), (JsonNode?)$"LABEL_{i}")));
        JsonObject json = c.Architecture == TransformerArchitecture.Bert
            ? new() { ["model_type"] = "bert", ["vocab_size"] = c.VocabSize, ["hidden_size"] = c.Hidden, ["num_hidden_layers"] = c.Layers,
                ["num_attention_heads"] = c.Heads, ["intermediate_size"] = c.FeedForward, ["max_position_embeddings"] = c.MaxPositions,
                ["type_vocab_size"] = c.TypeVocabSize, ["hidden_dropout_prob"] = c.Dropout, ["attention_probs_dropout_prob"] = c.AttentionDropout,
                ["classifier_dropout"] = c.ClassifierDropout, ["layer_norm_eps"] = c.LayerNormEpsilon, ["hidden_act"] = "gelu", ["id2label"] = labels }
            : new() { ["model_type"] = "distilbert", ["vocab_size"] = c.VocabSize, ["dim"] = c.Hidden, ["n_layers"] = c.Layers, ["n_heads"] = c.Heads,
                ["hidden_dim"] = c.FeedForward, ["max_position_embeddings"] = c.MaxPositions, ["dropout"] = c.Dropout,
                ["attention_dropout"] = c.AttentionDropout, ["seq_classif_dropout"] = c.ClassifierDropout, ["activation"] = "gelu", ["id2label"] = labels };
        File.WriteAllText(Path.Combine(directory, "config.json"), json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }
}
