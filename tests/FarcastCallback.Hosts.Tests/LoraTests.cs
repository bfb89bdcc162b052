using FarcastCallback.Hosts.Text;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Tests;

public sealed class LoraTests
{
    private static readonly TransformerConfig Tiny = new(TransformerArchitecture.DistilBert, VocabSize: 60, Hidden: 32, Layers: 2, Heads: 4, FeedForward: 64, MaxPositions: 16, Labels: 3);
    private static readonly LoraSettings AllFour = new(Rank: 4, Alpha: 8, Dropout: 0, Targets: LoraTargets.Query | LoraTargets.Key | LoraTargets.Value | LoraTargets.Output);

    private static (Tensor Ids, Tensor Mask) Batch()
    {
        var ids = tensor(new long[] { 2, 7, 9, 11, 0, 0, 2, 5, 6, 8, 12, 13 }, new long[] { 2, 6 });
        var mask = tensor(new long[] { 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1 }, new long[] { 2, 6 });
        return (ids, mask);
    }

    [Test]
    public void A_rank_above_the_hidden_size_and_an_alpha_that_overflows_the_loss_are_refused_before_adapters_are_built()
    {
        random.manual_seed(1);
        using var model = TransformerClassifier.Create(Tiny);
        var tooHigh = AllFour with { Rank = Tiny.Hidden + 1 };

        Assert.That(() => model.AddLora(tooHigh), Throws.ArgumentException.With.Message.EqualTo(
            $"--lora {Tiny.Hidden + 1} is above the model's hidden size, {Tiny.Hidden}: a rank is at most the size of the projections it adapts."));
        Assert.That(model.Lora, Is.Null);
        Assert.That(model.parameters().All(p => p.requires_grad), "nothing was frozen");
        Assert.That(() => (AllFour with { Alpha = 1e300 }).Validate(), Throws.ArgumentException.With.Message.Contains("--lora-alpha must be a positive number of at most 100000"));
    }

    [TestCase(TransformerArchitecture.DistilBert)]
    [TestCase(TransformerArchitecture.Bert)]
    public void Fresh_adapters_leave_the_logits_unchanged(TransformerArchitecture architecture)
    {
        random.manual_seed(1);
        using var model = TransformerClassifier.Create(Tiny with { Architecture = architecture });
        model.eval();
        var (ids, mask) = Batch();
        using var before = model.forward(ids, mask);

        model.AddLora(AllFour);
        using var after = model.forward(ids, mask);

        Assert.That(after.allclose(before, rtol: 0, atol: 0), "B starts at zero");
        Assert.That(model.Lora!.parameters().Count(), Is.EqualTo(2 * 4 * Tiny.Layers));
    }

    [TestCase(TransformerArchitecture.DistilBert)]
    [TestCase(TransformerArchitecture.Bert)]
    public void Merged_weights_give_the_logits_of_the_unmerged_adapters(TransformerArchitecture architecture)
    {
        random.manual_seed(2);
        using var model = TransformerClassifier.Create(Tiny with { Architecture = architecture });
        model.AddLora(AllFour);
        using (no_grad())
            foreach (var p in model.Lora!.parameters()) p.copy_(randn_like(p) * 0.3);   // B ≠ 0: the adapters change the output
        model.eval();
        var (ids, mask) = Batch();
        using var adapted = model.forward(ids, mask);

        model.MergeLora();
        using var merged = model.forward(ids, mask);

        Assert.That(model.Lora, Is.Null);
        Assert.That((merged - adapted).abs().max().item<float>(), Is.LessThanOrEqualTo(1e-5f));
    }

    [Test]
    public void Only_adapters_and_the_head_receive_gradients()
    {
        random.manual_seed(3);
        using var model = TransformerClassifier.Create(Tiny);
        model.AddLora(LoraSettings.Default);
        model.train();
        var (ids, mask) = Batch();

        nn.functional.cross_entropy(model.forward(ids, mask), tensor(new long[] { 0, 2 })).backward();

        foreach (var (name, p) in model.named_parameters())
        {
            var head = model.HeadPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));
            Assert.That(p.grad is not null, Is.EqualTo(head), name);
        }
        Assert.That(model.Lora!.parameters().All(p => p.grad is not null));
        Assert.That(model.TrainableParameters().Count(), Is.EqualTo(4 + 2 * 2 * Tiny.Layers), "pre_classifier and classifier weight+bias; A and B of q and v per layer");
    }

    [Test]
    public void A_merged_model_saves_and_loads_as_a_plain_checkpoint()
    {
        random.manual_seed(4);
        using var model = TransformerClassifier.Create(Tiny);
        model.AddLora(AllFour);
        using (no_grad())
            foreach (var p in model.Lora!.parameters()) p.copy_(randn_like(p) * 0.3);
        model.MergeLora();
        model.eval();
        var (ids, mask) = Batch();
        using var expected = model.forward(ids, mask);
        var directory = TinyDigits.TemporaryFolder();

        TransformerCheckpoint.Save(model, directory);
        using var loaded = TransformerCheckpoint.Load(directory, labels: 3);
        loaded.eval();

        Assert.That(loaded.state_dict().Keys, Is.EquivalentTo(model.state_dict().Keys), "HuggingFace keys only, no adapter keys");
        Assert.That(loaded.forward(ids, mask).allclose(expected, rtol: 0, atol: 1e-6));
        Directory.Delete(directory, true);
    }

    [Test]
    public void A_five_step_lora_fine_tune_with_the_wrapper_lowers_the_loss()
    {
        random.manual_seed(5);
        using var model = TransformerClassifier.Create(Tiny);
        model.AddLora(new LoraSettings(Rank: 4, Alpha: 8, Dropout: 0));
        var (ids, mask) = Batch();
        using var labels = tensor(new long[] { 0, 2 });
        using var farcast = new FarcastOptimizer(optim.AdamW(model.TrainableParameters(), 1e-2), new FarcastOptions { WarmupSteps = 1, InputSteps = 2, Horizon = 1, MinJump = 1 }) { RunWithoutGuard = true };
        float Loss()
        {
            using var noGrad = no_grad();
            model.eval();
            return nn.functional.cross_entropy(model.forward(ids, mask), labels).item<float>();
        }

        var before = Loss();
        for (var step = 0; step < 5; step++)
        {
            using var scope = NewDisposeScope();
            model.train();
            farcast.zero_grad();
            nn.functional.cross_entropy(model.forward(ids, mask), labels).backward();
            farcast.step();
        }

        Assert.That(Loss(), Is.LessThan(before));
        Assert.That(farcast.Jumps + farcast.RejectedJumps, Is.GreaterThan(0), "the wrapper farcast the adapters");
    }

    [TestCase("q,v", LoraTargets.Query | LoraTargets.Value)]
    [TestCase("o, k ,q", LoraTargets.Output | LoraTargets.Key | LoraTargets.Query)]
    public void Targets_parse_from_their_short_names(string text, LoraTargets expected) =>
        Assert.That(LoraSettings.ParseTargets(text), Is.EqualTo(expected));

    [TestCase("q,x", "'x' is not one of q, k, v, o")]
    [TestCase(",", "names no projection")]
    public void Unknown_targets_are_refused(string text, string message) =>
        Assert.That(() => LoraSettings.ParseTargets(text), Throws.ArgumentException.With.Message.Contains(message));
}
