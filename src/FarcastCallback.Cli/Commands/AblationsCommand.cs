using FarcastCallback.Lab.Evaluation;
using FarcastCallback.Lab.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary><c>farcast paper ablations [--trials 5] [--out DIR]</c>: Tables 5 and 6.</summary>
public sealed class AblationsCommand : Command<SyntheticSettings>
{
    public override int Execute(CommandContext context, SyntheticSettings settings, CancellationToken cancellationToken)
    {
        var run = RunInfo.FromCommandLine();
        var tables = ConsoleReport.WithProgress("Ablations",
            progress => PaperExperiments.Ablations(settings.Trials, settings.Out, run, progress, settings.Problems));
        foreach (var (name, results) in tables) ConsoleReport.Table(name, results);
        if (settings.Out is not null) AnsiConsole.MarkupLineInterpolated($"Wrote summary.json and the table5-*/table6-* tables to [bold]{settings.Out}[/].");
        return 0;
    }
}
