using System.Text.Json.Nodes;
using FarcastCallback.Hosts.Tests;

namespace FarcastCallback.Cli.Tests;

/// <summary><c>farcast mnist --lr-grid</c> end to end: plain runs per rate and seed, the table, lr-grid.json and its plot.</summary>
[NonParallelizable]   // AnsiConsole.Console is process-wide
public sealed class RateGridTests
{
    [Test]
    public void A_rate_grid_prints_each_rate_s_accuracy_per_seed_and_writes_the_best_rate()
    {
        var data = TinyDigits.TemporaryFolder();
        TinyDigits.WriteIdx(data, "train", perClass: 30, gzip: false);
        var folder = Path.Combine(Directory.CreateTempSubdirectory("farcast-lr-grid-cli-").FullName, "out");

        var (code, output) = CliRunner.Run("mnist", "--data", data, "--steps", "8", "--eval-every", "4", "--batch-size", "16", "--verify-images", "20", "--seed", "3", "--seeds", "2",
            "--lr-grid", "1e-3,3e-3", "--quiet", "--out", folder);

        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("seed 3").And.Contain("seed 4").And.Contain("+ EMA, median"));
        Assert.That(output, Does.Contain("Validation: the validation split ("));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "lr-grid.json")))!;
        Assert.That((json["complete"]!.GetValue<bool>(), json["seeds_done"]!.GetValue<int>()), Is.EqualTo((true, 2)));
        Assert.That(json["rates"]!.AsArray().Select(r => r!["learning_rate"]!.GetValue<double>()), Is.EqualTo(new[] { 1e-3, 3e-3 }));
        var best = json["best_learning_rate"]!.GetValue<double>();
        Assert.That(output, Does.Contain($"Best learning rate: {best.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}."));
        Assert.That(File.Exists(Path.Combine(folder, "validation-accuracy-vs-steps.png")), Is.True);
        Assert.That(File.Exists(Path.Combine(folder, "summary.json")), Is.False, "a grid is no paired run");
        Directory.Delete(Path.GetDirectoryName(folder)!, true);
        Directory.Delete(data, true);
    }
}
