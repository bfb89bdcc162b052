using FarcastCallback.Hosts.Mnist;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Tests;

public sealed class NinoPresetTests
{
    [TestCase(MnistPreset.Fm16, 14_378)]
    [TestCase(MnistPreset.Fm32, 56_394)]
    [TestCase(MnistPreset.None, 1_199_882)]
    [TestCase(MnistPreset.CnnFashion, 1_199_882)]
    public void Each_preset_builds_the_published_network(MnistPreset preset, long parameters)
    {
        using var model = preset.CreateModel();

        Assert.That(model.parameters().Sum(p => p.numel()), Is.EqualTo(parameters));
    }

    [TestCase(16, new long[] { 16, 1, 3, 3 }, new long[] { 32, 16, 3, 3 }, new long[] { 32, 32, 3, 3 }, new long[] { 10, 32 })]
    [TestCase(32, new long[] { 32, 1, 3, 3 }, new long[] { 64, 32, 3, 3 }, new long[] { 64, 64, 3, 3 }, new long[] { 10, 64 })]
    public void The_nino_network_has_three_3x3_convolutions_and_a_linear_head(int width, long[] conv1, long[] conv2, long[] conv3, long[] head)
    {
        using var model = new NinoConvNet(width);

        var weights = model.named_parameters().Where(p => p.name.EndsWith("weight")).Select(p => p.parameter.shape).ToArray();
        Assert.That(weights, Is.EqualTo(new[] { conv1, conv2, conv3, head }));
    }

    [Test]
    public void The_nino_network_maps_a_batch_of_images_to_log_probabilities_over_ten_classes()
    {
        manual_seed(3);
        using var model = new NinoConvNet(16);
        using var scope = NewDisposeScope();

        var output = model.forward(randn(5, 1, 28, 28));

        Assert.That(output.shape, Is.EqualTo(new long[] { 5, 10 }));
        Assert.That(output.exp().sum(1).data<float>().ToArray(), Is.All.EqualTo(1f).Within(1e-5f));
    }

    [Test]
    public void The_nino_split_refuses_a_training_file_too_small_for_its_guard_pool()
    {
        var folder = TinyDigits.TemporaryFolder();
        TinyDigits.WriteIdx(folder, "train", perClass: 3, gzip: true);
        TinyDigits.WriteIdx(folder, "t10k", perClass: 2, gzip: true);

        var error = Assert.Throws<InvalidDataException>(() => MnistPresets.NinoSplit(folder));

        Assert.That(error!.Message, Does.Contain("holds 30 images; NiNo's split needs more than 55000"));
        Directory.Delete(folder, true);
    }

    [Test]
    public void The_presets_fix_nino_s_protocol()
    {
        var settings = MnistPreset.Fm16.Settings();

        Assert.That((settings.Steps, settings.BatchSize, settings.LearningRate, settings.Optimizer, settings.TargetAccuracy),
            Is.EqualTo((10_000, 128, 0.006, Training.InnerOptimizer.AdamW, (double?)0.895)));
        Assert.That((settings.VerifyChunk, settings.AverageDecay), Is.EqualTo((0, 0.99)), "the measured setting: unguarded, with a weight average");
        Assert.That(MnistPreset.Fm32.TargetAccuracy(), Is.EqualTo(0.905));
    }

    [Test]
    public void The_cnn_long_protocol_takes_its_rate_and_races_to_plain_trainings_own_accuracy()
    {
        var settings = MnistPreset.CnnFashion.Settings(learningRate: 5e-4);

        Assert.That((settings.Steps, settings.BatchSize, settings.LearningRate, settings.Optimizer, settings.EvaluateEvery, settings.TargetAccuracy),
            Is.EqualTo((3_000, 128, 5e-4, Training.InnerOptimizer.AdamW, 100, (double?)null)));
        Assert.That(MnistPreset.CnnFashion.Settings().LearningRate, Is.EqualTo(1e-3));
        Assert.That(MnistPreset.CnnFashion.FixesLearningRate(), Is.False);
    }
}
