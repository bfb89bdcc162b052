using FarcastCallback.Lab.Sequences;

namespace FarcastCallback.Cli.Tests;

/// <summary><c>farcast eval</c> on weight sequences holding NaN and infinities: a warning and a table, never a crash.</summary>
[NonParallelizable]
public sealed class EvalNonFiniteTests
{
    [Test]
    public void Non_finite_values_in_the_input_window_leave_every_model_reported_and_the_summary_written()
    {
        var random = new Random(4);
        var values = Enumerable.Range(0, 8 * 12 * 2).Select(_ => random.NextDouble()).ToArray();
        for (var s = 0; s < 8; s++) values[(s * 12 + 1) * 2] = s % 2 == 0 ? double.NaN : double.PositiveInfinity;
        var folder = Directory.CreateTempSubdirectory("farcast-eval-nan-").FullName;
        var path = Path.Combine(folder, "nan.npy");
        NpyFile.Write(path, new WeightSequences(8, 12, 2, values));
        var output = Path.Combine(folder, "out");

        var (code, text) = CliRunner.Run("eval", "--sequences", path, "--input-steps", "3", "--checkpoints", "6,11", "--models", "lfd2,lfd2-ls,lfl", "--out", output);

        Assert.That(code, Is.EqualTo(0), text);
        Assert.That(text, Does.Contain("warning: 8 values are NaN or infinite"));
        Assert.That(text, Does.Contain("lfd2-ls").And.Contain("lfl"));
        Assert.That(File.Exists(Path.Combine(output, "summary.json")), text);
        Directory.Delete(folder, true);
    }
}
