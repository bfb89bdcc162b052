using System.Text;
using FarcastCallback.Hosts.Text;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Tests;

public sealed class TransformerTests
{
    private static readonly TransformerConfig TinyDistilBert = new(TransformerArchitecture.DistilBert, VocabSize: 50, Hidden: 32, Layers: 2, Heads: 4, FeedForward: 64, MaxPositions: 16, Labels: 3);
    private static readonly TransformerConfig TinyBert = TinyDistilBert with { Architecture = TransformerArchitecture.Bert };

    [Test]
    public void Distilbert_base_uncased_with_a_two_class_head_has_66_955_010_parameters()
    {
        using var model = TransformerClassifier.Create(TransformerConfig.DistilBertBase(labels: 2));
        Assert.That(model.parameters().Sum(p => p.numel()), Is.EqualTo(66_955_010));
    }

    [Test]
    public void State_dict_keys_are_huggingface_keys()
    {
        using var distil = TransformerClassifier.Create(TinyDistilBert with { Layers = 1 });
        using var bert = TransformerClassifier.Create(TinyBert with { Layers = 1 });

        string[] Pair(string stem) => new[] { stem + ".weight", stem + ".bias" };
        var distilKeys = new[] { "distilbert.embeddings.word_embeddings.weight", "distilbert.embeddings.position_embeddings.weight" }
            .Concat(Pair("distilbert.embeddings.LayerNorm"))
            .Concat(new[] { "q_lin", "k_lin", "v_lin", "out_lin" }.SelectMany(n => Pair($"distilbert.transformer.layer.0.attention.{n}")))
            .Concat(Pair("distilbert.transformer.layer.0.sa_layer_norm")).Concat(Pair("distilbert.transformer.layer.0.ffn.lin1"))
            .Concat(Pair("distilbert.transformer.layer.0.ffn.lin2")).Concat(Pair("distilbert.transformer.layer.0.output_layer_norm"))
            .Concat(Pair("pre_classifier")).Concat(Pair("classifier"));
        var bertKeys = new[] { "bert.embeddings.word_embeddings.weight", "bert.embeddings.position_embeddings.weight", "bert.embeddings.token_type_embeddings.weight" }
            .Concat(Pair("bert.embeddings.LayerNorm"))
            .Concat(new[] { "query", "key", "value" }.SelectMany(n => Pair($"bert.encoder.layer.0.attention.self.{n}")))
            .Concat(Pair("bert.encoder.layer.0.attention.output.dense")).Concat(Pair("bert.encoder.layer.0.attention.output.LayerNorm"))
            .Concat(Pair("bert.encoder.layer.0.intermediate.dense")).Concat(Pair("bert.encoder.layer.0.output.dense"))
            .Concat(Pair("bert.encoder.layer.0.output.LayerNorm")).Concat(Pair("bert.pooler.dense")).Concat(Pair("classifier"));

        Assert.That(distil.state_dict().Keys, Is.EquivalentTo(distilKeys));
        Assert.That(bert.state_dict().Keys, Is.EquivalentTo(bertKeys));
    }

    [TestCase(TransformerArchitecture.DistilBert)]
    [TestCase(TransformerArchitecture.Bert)]
    public void Logits_have_one_row_per_text_and_padding_is_not_attended(TransformerArchitecture architecture)
    {
        random.manual_seed(3);
        using var model = TransformerClassifier.Create(TinyDistilBert with { Architecture = architecture });
        model.eval();
        using var ids = tensor(new long[] { 2, 7, 9, 11, 0, 0, 2, 5, 6, 8, 12, 13 }, new long[] { 2, 6 });
        using var mask = tensor(new long[] { 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1 }, new long[] { 2, 6 });
        using var otherPadding = ids.clone();
        otherPadding[0, 4] = tensor(33L);
        using var otherToken = ids.clone();
        otherToken[0, 2] = tensor(33L);

        using var logits = model.forward(ids, mask);
        using var samePadding = model.forward(otherPadding, mask);
        using var changed = model.forward(otherToken, mask);

        Assert.That(logits.shape, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(samePadding.allclose(logits, rtol: 0, atol: 1e-6), "a padding token must not change the logits");
        Assert.That((changed - logits).abs().max().item<float>(), Is.GreaterThan(1e-5f), "a real token changes them");
    }

    [TestCase(TransformerArchitecture.DistilBert)]
    [TestCase(TransformerArchitecture.Bert)]
    public void A_checkpoint_saved_as_safetensors_loads_back_to_the_same_model(TransformerArchitecture architecture)
    {
        random.manual_seed(4);
        using var model = TransformerClassifier.Create(TinyDistilBert with { Architecture = architecture });
        var directory = TempDirectory();
        TransformerCheckpoint.Save(model, directory);

        using var loaded = TransformerCheckpoint.Load(directory, labels: 3);

        Assert.That(loaded.Config, Is.EqualTo(model.Config));
        foreach (var (key, value) in model.state_dict())
            Assert.That(loaded.state_dict()[key].allclose(value, rtol: 0, atol: 0), key);
    }

    [Test]
    public void A_checkpoint_without_a_head_gets_a_fresh_head_and_a_missing_encoder_weight_is_named()
    {
        random.manual_seed(5);
        using var model = TransformerClassifier.Create(TinyDistilBert);
        var encoder = model.state_dict().Where(p => !p.Key.StartsWith("pre_classifier") && !p.Key.StartsWith("classifier"))
            .ToDictionary(p => p.Key["distilbert.".Length..], p => p.Value);   // a bare DistilBertModel checkpoint
        using var target = TransformerClassifier.Create(TinyDistilBert);

        var fresh = TransformerCheckpoint.LoadInto(target, encoder);

        Assert.That(fresh, Is.EquivalentTo(new[] { "pre_classifier.", "classifier." }));
        Assert.That(target.state_dict()["distilbert.transformer.layer.1.ffn.lin2.weight"].allclose(model.state_dict()["distilbert.transformer.layer.1.ffn.lin2.weight"], rtol: 0, atol: 0));
        encoder.Remove("transformer.layer.1.ffn.lin2.weight");
        Assert.That(() => TransformerCheckpoint.LoadInto(target, encoder),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("missing keys: distilbert.transformer.layer.1.ffn.lin2.weight"));
        using var wrongShape = TransformerClassifier.Create(TinyDistilBert with { Labels = 5 });
        Assert.That(() => TransformerCheckpoint.LoadInto(target, wrongShape.state_dict()),
            Throws.InstanceOf<InvalidDataException>().With.Message.Contains("classifier.weight (checkpoint [5, 32], model [3, 32])"));
    }

    [Test]
    public void A_checkpoint_with_integer_or_non_finite_weights_is_refused_and_the_model_is_left_as_it_was()
    {
        random.manual_seed(6);
        using var source = TransformerClassifier.Create(TinyDistilBert);
        using var target = TransformerClassifier.Create(TinyDistilBert);
        var before = target.state_dict()["distilbert.transformer.layer.0.ffn.lin1.weight"].clone();
        const string poisoned = "distilbert.transformer.layer.0.ffn.lin1.weight";

        var withNaN = source.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        withNaN[poisoned][0, 0] = float.NaN;
        var withInfinity = source.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        withInfinity[poisoned][1, 1] = float.PositiveInfinity;
        var integral = source.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        integral[poisoned] = integral[poisoned].to(ScalarType.Int64);

        foreach (var weights in new[] { withNaN, withInfinity })
            Assert.That(() => TransformerCheckpoint.LoadInto(target, weights), Throws.InstanceOf<InvalidDataException>()
                .With.Message.EqualTo($"The checkpoint's weights hold NaN or infinite values in: {poisoned}."));
        Assert.That(() => TransformerCheckpoint.LoadInto(target, integral), Throws.InstanceOf<InvalidDataException>()
            .With.Message.EqualTo($"The checkpoint's weights must be floating point; these are not: {poisoned} (Int64)."));
        Assert.That(target.state_dict()[poisoned].allclose(before, rtol: 0, atol: 0), "nothing was copied");
    }

    [Test]
    public void Truncated_or_lying_safetensors_give_clear_errors()
    {
        var directory = TempDirectory();
        var path = Path.Combine(directory, "t.safetensors");
        using (var t = arange(6, dtype: float32).view(2, 3)) SafeTensorsFile.Write(path, new Dictionary<string, Tensor> { ["w"] = t });
        var good = File.ReadAllBytes(path);
        using (var roundTrip = SafeTensorsFile.Read(path)["w"]) Assert.That(roundTrip.data<float>().ToArray(), Is.EqualTo(new float[] { 0, 1, 2, 3, 4, 5 }));

        Assert.That(() => SafeTensorsFile.Read(new MemoryStream(good[..^4])), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("outside the"));
        var hugeHeader = (byte[])good.Clone();
        BitConverter.GetBytes(ulong.MaxValue - 3).CopyTo(hugeHeader, 0);
        Assert.That(() => SafeTensorsFile.Read(new MemoryStream(hugeHeader)), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("header length"));
        var lying = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(good).Replace("[2,3]", "[3,3]"));
        Assert.That(() => SafeTensorsFile.Read(new MemoryStream(lying)), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("tensor 'w': shape [3, 3] of F32 needs 36 bytes"));
        Assert.That(() => SafeTensorsFile.Read(new MemoryStream(new byte[] { 1, 2, 3 })), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("too short"));
    }

    private static string TempDirectory()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"farcast-transformer-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        return directory;
    }
}
