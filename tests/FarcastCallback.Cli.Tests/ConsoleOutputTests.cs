namespace FarcastCallback.Cli.Tests;

/// <summary>What a person reads: progress a few lines per run, the result table, where the files are — and less with --quiet.</summary>
[NonParallelizable]   // AnsiConsole.Console is process-wide
public sealed class ConsoleOutputTests
{
    private static readonly string[] ShortRun = { "fullbatch", "--task", "classifier", "--dataset", "Moons", "--steps", "50", "--eval-every", "25", "--seeds", "2" };

    [Test]
    public void A_run_prints_five_progress_lines_per_seed_with_its_tally_and_the_time_left()
    {
        var (code, output) = CliRunner.Run(ShortRun);

        Assert.That(code, Is.EqualTo(0), output);
        var progress = output.Split('\n').Where(l => l.StartsWith("seed ", StringComparison.Ordinal) && l.Contains("plain and farcast:")).ToArray();
        Assert.That(progress, Has.Length.EqualTo(2 * 5));
        Assert.That(progress[0], Does.Contain("10/50 (20 %), loss ").And.Contain("jumps 0 kept, 0 rejected").And.Contain("left"));
        Assert.That(output.Split('\n'), Has.Length.LessThanOrEqualTo(40));
        Assert.That(output, Does.Not.Contain("warn:").And.Not.Contain("info:"), "jump events are not printed by default");
    }

    [Test]
    public void A_run_too_short_for_any_jump_says_so_in_one_warning_line()
    {
        var (code, output) = CliRunner.Run(ShortRun);
        var (jumpingCode, jumping) = CliRunner.Run(ShortRun.Concat(new[] { "--Farcast:WarmupSteps=5", "--Farcast:Horizon=4", "--Farcast:MinJump=4" }).ToArray());

        Assert.That((code, jumpingCode), Is.EqualTo((0, 0)), output + jumping);
        // The full-batch profile: 100 warm-up steps and a window of (5 - 1 + 64) steps.
        Assert.That(output.Split('\n').Count(l => l.StartsWith("warning: no jump can come", StringComparison.Ordinal)), Is.EqualTo(1), output);
        Assert.That(output, Does.Contain("warning: no jump can come within the run's 50 real steps: these farcast settings write their first at real step 168 (WarmupSteps 100, then a window of 68)"));
        Assert.That(jumping, Does.Not.Contain("no jump can come"));
    }

    [Test]
    public void Quiet_prints_the_result_table_only()
    {
        var (code, quiet) = CliRunner.Run(ShortRun.Append("--quiet").ToArray());

        Assert.That(code, Is.EqualTo(0), quiet);
        Assert.That(quiet, Does.Not.Contain("plain and farcast:"), "no progress");
        Assert.That(quiet, Does.Contain("race to the target"), "the table");
    }

    [Test]
    public void Verbose_prints_every_jump_event_one_line_each()
    {
        // The console logger writes to the process's own stdout, so this one runs the program.
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "farcast.dll") }.Concat(ShortRun)
                     .Concat(new[] { "--verbose", "--Farcast:WarmupSteps=5", "--Farcast:Horizon=4", "--Farcast:MinJump=4" }))
            start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.That(process.ExitCode, Is.EqualTo(0), output);
        var events = output.Split('\n').Where(l => l.Contains("Farcast jump")).ToArray();
        Assert.That(events, Is.Not.Empty);
        Assert.That(events, Has.All.Contains("step ").And.Contain("steps"), "one line per event, the message on it");
    }

    [Test]
    public void Quiet_and_verbose_together_are_refused() =>
        CliRunner.AssertError(new[] { "fullbatch", "--quiet", "--verbose" }, "--quiet and --verbose contradict each other; give one.");
}
