using FarcastCallback.Lab.Evaluation;
using FarcastCallback.Lab.Reporting;
using Spectre.Console;

namespace FarcastCallback.Cli.Commands;

/// <summary>Progress bars while forecasters fit, and the results table at the end.</summary>
internal static class ConsoleReport
{
    public static T WithProgress<T>(string description, Func<IProgress<ForecastEvaluation.Progress>, T> work)
    {
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(description));
                var progress = new SynchronousProgress<ForecastEvaluation.Progress>(update =>
                {
                    task.MaxValue = Math.Max(1, update.Total);
                    task.Value = update.Done;
                    task.Description = Markup.Escape(update.Model == ""
                        ? description
                        : $"{description}: trial {update.Trial}/{update.Trials}, {update.Model}");
                });
                result = work(progress);
                task.Value = task.MaxValue;
            });
        return result;
    }

    public static void Table(string title, IReadOnlyList<ModelResult> results)
    {
        var table = new Spectre.Console.Table().Title(Markup.Escape(title)).AddColumn("model");
        foreach (var step in results[0].Mse.Keys) table.AddColumn(new TableColumn($"MSE @ {step}").RightAligned());
        table.AddColumn(new TableColumn("params").RightAligned()).AddColumn(new TableColumn("fit s").RightAligned());
        foreach (var r in results)
            table.AddRow(new[] { Markup.Escape(r.Name) }
                .Concat(r.Mse.Values.Select(ResultTables.Format))
                .Append(r.Parameters.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Append(r.FitSeconds.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture))
                .ToArray());
        AnsiConsole.Write(table);
    }
}
