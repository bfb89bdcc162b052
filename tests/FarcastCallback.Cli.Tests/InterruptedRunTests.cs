using System.Diagnostics;
using System.Text.Json.Nodes;

namespace FarcastCallback.Cli.Tests;

/// <summary>Runs that end early or start over: finished seeds are written as they finish, and a rerun never leaves stale files beside a new result.</summary>
[NonParallelizable]   // AnsiConsole.Console is process-wide
public sealed class InterruptedRunTests
{
    private static readonly string[] ShortRun = { "fullbatch", "--task", "classifier", "--dataset", "Moons", "--steps", "40", "--eval-every", "20" };

    private static JsonObject Summary(string folder) => JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")))!.AsObject();

    [Test]
    public void A_finished_run_is_marked_complete_and_a_forced_rerun_first_sets_the_old_result_aside()
    {
        var folder = Directory.CreateTempSubdirectory("farcast-rerun-").FullName;
        File.WriteAllText(Path.Combine(folder, "stale.png"), "an old plot");

        var (code, output) = CliRunner.Run(ShortRun.Concat(new[] { "--seeds", "2", "--out", folder, "--force", "--device", "cpu" }).ToArray());

        Assert.That(code, Is.EqualTo(0), output);
        var summary = Summary(folder);
        Assert.That((summary["complete"]!.GetValue<bool>(), summary["seeds_done"]!.GetValue<int>(), summary["seeds_planned"]!.GetValue<int>()), Is.EqualTo((true, 2, 2)));
        Assert.That(summary["device"]!.GetValue<string>(), Is.EqualTo("cpu"));
        Assert.That(File.Exists(Path.Combine(folder, "stale.png")), Is.False, "nothing old beside the new result");
        Assert.That(File.ReadAllText(Path.Combine(folder, "previous", "stale.png")), Is.EqualTo("an old plot"), "set aside, not deleted");
        Assert.That(Directory.GetFiles(folder, "*.tmp-*"), Is.Empty, "summary.json is written through a temporary file");
        Directory.Delete(folder, true);
    }

    [Test]
    [Platform(Exclude = "Win", Reason = "sends SIGTERM with kill(1)")]
    public void A_sigterm_during_a_five_seed_run_leaves_the_finished_seeds_in_a_summary_marked_incomplete()
    {
        var folder = Path.Combine(Directory.CreateTempSubdirectory("farcast-sigterm-").FullName, "out");
        var farcast = Path.Combine(AppContext.BaseDirectory, "farcast.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { farcast, "fullbatch", "--task", "classifier", "--dataset", "Moons", "--steps", "600", "--eval-every", "100", "--seeds", "5", "--out", folder })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var summary = Path.Combine(folder, "summary.json");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(summary) && !process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(100);
        Assert.That(File.Exists(summary), Is.True, "the first seed's result is written as soon as it finishes");

        Process.Start("kill", new[] { "-TERM", process.Id.ToString() })!.WaitForExit();
        Assert.That(process.WaitForExit(TimeSpan.FromMinutes(2)), Is.True, "the run stops at its next progress report");

        Assert.That(process.ExitCode, Is.EqualTo(143), output.Result);
        Assert.That(output.Result, Does.Contain("interrupted by SIGTERM"));
        var written = Summary(folder);
        Assert.That(written["complete"]!.GetValue<bool>(), Is.False);
        Assert.That(written["seeds_done"]!.GetValue<int>(), Is.InRange(1, 4));
        Assert.That(written["runs"]!.AsArray(), Has.Count.EqualTo(written["seeds_done"]!.GetValue<int>()));
        Directory.Delete(Path.GetDirectoryName(folder)!, true);
    }
}
