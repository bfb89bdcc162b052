using System.ComponentModel;
using FarcastCallback.Lab.Evaluation;
using FarcastCallback.Lab.Forecasters;
using FarcastCallback.Lab.Reporting;
using FarcastCallback.Lab.Sequences;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary><c>farcast paper syn2 --update sgd|adam [--trials 5] [--out DIR]</c>.</summary>
public sealed class Syn2Command : Command<Syn2Command.Settings>
{
    public sealed class Settings : SyntheticSettings
    {
        [CommandOption("--update <RULE>")]
        [Description("sgd (rate 0.002) or adam (rate 0.005); batch 64 of 100 samples.")]
        public string Update { get; init; } = "sgd";

        public override ValidationResult Validate() =>
            Update is "sgd" or "adam" ? base.Validate() : ValidationResult.Error($"--update must be sgd or adam; got '{Update}'.");
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var rule = settings.Update == "sgd" ? UpdateRule.Sgd : UpdateRule.Adam;
        var run = RunInfo.FromCommandLine();
        var results = ConsoleReport.WithProgress($"Syn-2 {settings.Update}",
            progress => PaperExperiments.Syn2(rule, settings.Trials, settings.Out, run, progress, ForecasterCatalog.Parse(settings.Models), settings.Problems));
        ConsoleReport.Table($"Syn-2 {settings.Update.ToUpperInvariant()}: test MSE, mean (std) over {settings.Trials} trial(s)", results);
        if (settings.Out is not null) AnsiConsole.MarkupLineInterpolated($"Wrote summary.json, table.md and table.csv to [bold]{settings.Out}[/].");
        return 0;
    }
}
