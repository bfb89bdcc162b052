using FarcastCallback.Hosts.Text;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Tests;

public sealed class TextJobTests
{
    private static readonly TransformerConfig Tiny = new(TransformerArchitecture.DistilBert, VocabSize: 30522, Hidden: 32, Layers: 2, Heads: 4, FeedForward: 64, MaxPositions: 32, Labels: 2);

    [Test]
    public void A_five_step_fine_tune_with_the_farcast_wrapper_lowers_the_training_loss()
    {
        random.manual_seed(7);
        using var model = TransformerClassifier.Create(Tiny);
        var tokenizer = TextTokenizer.BertBaseUncased();
        var texts = new[] { "the cat sat on the mat", "a dog ran in the park", "the cat chased a mouse", "a dog barked at night" };
        var (ids, mask) = tokenizer.Encode(texts, 12);
        using var idTensor = tensor(ids, new long[] { 4, 12 });
        using var maskTensor = tensor(mask, new long[] { 4, 12 });
        using var labels = tensor(new long[] { 0, 1, 0, 1 });
        using var farcast = new FarcastOptimizer(optim.AdamW(model.parameters(), 1e-3), new FarcastOptions { WarmupSteps = 1, InputSteps = 2, Horizon = 1, MinJump = 1 }) { RunWithoutGuard = true };

        float Loss()
        {
            using var noGrad = no_grad();
            model.eval();
            using var loss = nn.functional.cross_entropy(model.forward(idTensor, maskTensor), labels);
            return loss.item<float>();
        }

        var before = Loss();
        for (var step = 0; step < 5; step++)
        {
            using var scope = NewDisposeScope();
            model.train();
            farcast.zero_grad();
            nn.functional.cross_entropy(model.forward(idTensor, maskTensor), labels).backward();
            farcast.step();
        }

        Assert.That(farcast.RealSteps, Is.EqualTo(5));
        Assert.That(farcast.Jumps + farcast.RejectedJumps, Is.GreaterThan(0), "a farcast cycle ran");
        Assert.That(Loss(), Is.LessThan(before));
    }

    [Test]
    public void The_text_job_reports_both_runs_and_the_plugin_memory_against_the_parameters()
    {
        var texts = new LabeledTexts(
            Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? $"the cat number {i} sleeps" : $"a dog number {i} runs").ToArray(),
            Enumerable.Range(0, 40).Select(i => i % 2).ToArray(), new[] { "cats", "dogs" });
        var split = TextSplit.Stratified(texts, seed: 1, verification: 4);
        var settings = new TextJobSettings(Steps: 6, BatchSize: 4, LearningRate: 1e-3, MaxLength: 10, EvaluateEvery: 3);
        var options = new FarcastOptions { WarmupSteps = 1, InputSteps = 2, Horizon = 2, MinJump = 2, VerifyTolerance = 10 };

        var result = TextJob.Run(split, TextTokenizer.BertBaseUncased(), () => TransformerClassifier.Create(Tiny), settings, options);

        var run = result.Runs.Single();
        Assert.That(run.Baseline[0].ValidationAccuracy, Is.EqualTo(run.Farcast[0].ValidationAccuracy), "same initial weights");
        Assert.That(run.Baseline[^1].RealSteps, Is.EqualTo(6));
        Assert.That(run.Farcast[^1].EffectiveSteps, Is.EqualTo(6 + 2 * run.Jumps));
        using var reference = TransformerClassifier.Create(Tiny);
        Assert.That(result.ParameterBytes, Is.EqualTo(4L * reference.parameters().Sum(p => p.numel())));
        Assert.That(result.PluginBytes, Is.EqualTo(3 * result.ParameterBytes), "three copies of the parameters while observing");
    }

    [Test]
    public void Under_a_delayed_guard_with_averages_the_text_job_voids_the_evaluations_on_rolled_back_weights_and_reports_every_curve()
    {
        var texts = new LabeledTexts(
            Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? $"the cat number {i} sleeps" : $"a dog number {i} runs").ToArray(),
            Enumerable.Range(0, 40).Select(i => i % 2).ToArray(), new[] { "cats", "dogs" });
        var split = TextSplit.Stratified(texts, seed: 1, verification: 4);
        var settings = new TextJobSettings(Steps: 12, BatchSize: 4, LearningRate: 1e-3, MaxLength: 10, EvaluateEvery: 1, AverageDecay: 0.5);
        // Judged 3 steps after the jump against the trend of the verification loss.
        var options = new FarcastOptions { WarmupSteps = 1, InputSteps = 2, Horizon = 2, MinJump = 2, JudgeAfterSteps = 3, VerifyTolerance = 0 };

        var result = TextJob.Run(split, TextTokenizer.BertBaseUncased(), () => TransformerClassifier.Create(Tiny), settings, options);

        var run = result.Runs.Single();
        Assert.That(run.Farcast.All(p => p.AverageAccuracy is not null), "every evaluation measures the average too");
        Assert.That(run.Curves!.Keys, Is.SupersetOf(new[] { "plain", "plain_ema", "farcast", "farcast_ema" }));
        Assert.That(run.RejectedJumps, Is.GreaterThan(0), "this seed rolls jumps back");
        Assert.That(run.Farcast.Count(p => !p.Stands), Is.EqualTo(3 * run.RejectedJumps),
            "each rolled-back judgement voids the evaluations from the jump's step on: the 3 made while it waited");
    }
}

public sealed class TextTrajectoryTests
{
    [Test]
    public void The_trajectory_holds_train_dev_and_test_halves_of_one_run()
    {
        var texts = new LabeledTexts(Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? $"cat {i}" : $"dog {i}").ToArray(),
            Enumerable.Range(0, 40).Select(i => i % 2).ToArray(), new[] { "cats", "dogs" });
        var split = TextSplit.Stratified(texts, seed: 1, verification: 0);
        var config = new TransformerConfig(TransformerArchitecture.Bert, Hidden: 16, Layers: 1, Heads: 2, FeedForward: 32, MaxPositions: 16, Labels: 2);
        var settings = new FarcastCallback.Hosts.Paper.TextTrajectorySettings(Steps: 4, Scalars: 10, Seed: 2,
            new TextJobSettings(BatchSize: 4, LearningRate: 1e-2, MaxLength: 8));

        var sequences = FarcastCallback.Hosts.Paper.TextTrajectories.Collect(split, TextTokenizer.BertBaseUncased(), () => TransformerClassifier.Create(config), settings);

        Assert.That((sequences.Sequences, sequences.Steps, sequences.Scalars), Is.EqualTo((3, 3, 10)));
        for (var i = 0; i < 10; i++)
            Assert.That(sequences[2, 0, i], Is.EqualTo(sequences[0, 2, i]), "the test half starts where the training half ends (same scalars)");
        Assert.That(Enumerable.Range(0, 10).Any(i => sequences[2, 2, i] != sequences[2, 0, i]), "training moves the weights");
        Assert.That(() => FarcastCallback.Hosts.Paper.TextTrajectories.Collect(split, TextTokenizer.BertBaseUncased(), () => TransformerClassifier.Create(config), settings with { Steps = 5 }),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("even"));
    }
}
