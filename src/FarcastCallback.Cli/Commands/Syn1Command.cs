using System.ComponentModel;
using FarcastCallback.Lab.Evaluation;
using FarcastCallback.Lab.Forecasters;
using FarcastCallback.Lab.Reporting;
using FarcastCallback.Lab.Sequences;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary><c>farcast paper syn1 --update gd|sgd [--dim 1] [--trials 5] [--out DIR]</c>.</summary>
public sealed class Syn1Command : Command<Syn1Command.Settings>
{
    public sealed class Settings : SyntheticSettings
    {
        [CommandOption("--update <RULE>")]
        [Description("gd (full batch, rate 0.01/λmax) or sgd (8 rows, rate 0.001).")]
        public string Update { get; init; } = "gd";

        [CommandOption("--dim <D>")]
        [Description("Dimension d of the regression weights (the paper's code uses 1 and 3).")]
        [DefaultValue(1)]
        public int Dim { get; init; } = 1;

        public override ValidationResult Validate()
        {
            if (Update is not ("gd" or "sgd")) return ValidationResult.Error($"--update must be gd or sgd; got '{Update}'.");
            if (Dim < 1) return ValidationResult.Error($"--dim must be at least 1; got {Dim}.");
            return base.Validate();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var rule = settings.Update == "gd" ? UpdateRule.Gd : UpdateRule.Sgd;
        var run = RunInfo.FromCommandLine();
        var results = ConsoleReport.WithProgress($"Syn-1 {settings.Update}",
            progress => PaperExperiments.Syn1(rule, settings.Dim, settings.Trials, settings.Out, run, progress, ForecasterCatalog.Parse(settings.Models), settings.Problems));
        ConsoleReport.Table($"Syn-1 {settings.Update.ToUpperInvariant()}, d = {settings.Dim}: test MSE, mean (std) over {settings.Trials} trial(s)", results);
        if (settings.Out is not null) AnsiConsole.MarkupLineInterpolated($"Wrote summary.json, table.md, table.csv and figure2-{settings.Update}.png to [bold]{settings.Out}[/].");
        return 0;
    }
}
