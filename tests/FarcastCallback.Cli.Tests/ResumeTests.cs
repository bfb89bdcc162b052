using System.Text.Json.Nodes;
using FarcastCallback.Hosts.Tests;

namespace FarcastCallback.Cli.Tests;

/// <summary><c>farcast mnist --resume</c>: a multi-seed run cut off after some seeds goes on from the next one and ends as one uninterrupted run.</summary>
[NonParallelizable]   // AnsiConsole.Console is process-wide
public sealed class ResumeTests
{
    private static string[] Job(string data, int seeds, string folder, params string[] more) =>
        new[] { "mnist", "--data", data, "--steps", "12", "--eval-every", "4", "--batch-size", "16", "--verify-images", "20", "--seed", "3", "--seeds", seeds.ToString(),
            "--Farcast:WarmupSteps=2", "--Farcast:InputSteps=2", "--Farcast:Horizon=3", "--Farcast:MinJump=1", "--Farcast:RefitEvery=0", "--quiet", "--out", folder }.Concat(more).ToArray();

    private static JsonObject Summary(string folder) => JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")))!.AsObject();

    /// <summary>steps.csv without its seconds column, which differs between any two runs.</summary>
    private static string[] Curves(string folder) =>
        File.ReadAllLines(Path.Combine(folder, "steps.csv")).Select(l => string.Join(',', l.Split(',').Where((_, i) => i != 4))).ToArray();

    [Test]
    public void A_run_resumed_after_its_first_seed_writes_the_curves_of_an_uninterrupted_run_and_lists_the_resumption()
    {
        var data = TinyDigits.TemporaryFolder();
        TinyDigits.WriteIdx(data, "train", perClass: 30, gzip: false);
        var root = Directory.CreateTempSubdirectory("farcast-resume-cli-").FullName;
        var (cut, whole) = (Path.Combine(root, "cut"), Path.Combine(root, "whole"));

        var first = CliRunner.Run(Job(data, 1, cut));
        var resumed = CliRunner.Run(Job(data, 2, cut, "--resume"));
        var uninterrupted = CliRunner.Run(Job(data, 2, whole));

        Assert.That((first.Code, resumed.Code, uninterrupted.Code), Is.EqualTo((0, 0, 0)), first.Output + resumed.Output + uninterrupted.Output);
        Assert.That(Curves(cut), Is.EqualTo(Curves(whole)));
        Assert.That(Curves(cut).Count(l => l.StartsWith("4,farcast,", StringComparison.Ordinal)), Is.GreaterThan(1), "seed 4 was run");
        var summary = Summary(cut);
        Assert.That((summary["complete"]!.GetValue<bool>(), summary["seeds_done"]!.GetValue<int>()), Is.EqualTo((true, 2)));
        Assert.That(summary["command"]!.ToJsonString(), Is.EqualTo(Summary(whole)["command"]!.ToJsonString()), "the command that started the run stays its command");
        Assert.That(summary["resumed"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(summary["runs"]!.AsArray().Select(r => r!["seed"]!.GetValue<int>()), Is.EqualTo(new[] { 3, 4 }));

        var again = CliRunner.Run(Job(data, 2, cut, "--resume"));
        Assert.That(again.Code, Is.EqualTo(0), again.Output);
        Assert.That(again.Output, Does.Contain("already holds every seed of a finished run; nothing to resume."));
        CliRunner.AssertError(Job(data, 1, cut, "--resume"), "--seeds 1 asks for fewer seeds than the 2 ");
        CliRunner.AssertError(Job(data, 3, cut, "--resume", "--steps", "16"), "was written with other settings: Steps is 12 there and 16 here");
        Directory.Delete(root, true);
        Directory.Delete(data, true);
    }

    [Test]
    public void Resume_needs_a_folder_that_holds_a_run_and_contradicts_force()
    {
        var empty = Directory.CreateTempSubdirectory("farcast-resume-cli-").FullName;

        CliRunner.AssertError(new[] { "mnist", "--resume" }, "--resume needs --out DIR: the folder of the run to go on with.");
        CliRunner.AssertError(new[] { "mnist", "--resume", "--force", "--out", empty }, "--resume and --force contradict each other");
        CliRunner.AssertError(new[] { "mnist", "--resume", "--out", empty }, "holds no summary.json: no finished seed to resume from; start the run without --resume.");
        Directory.Delete(empty, true);
    }
}
