using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FarcastCallback.Lab.Evaluation;

namespace FarcastCallback.Lab.Reporting;

/// <summary>Writes an experiment's results as <c>summary.json</c>, a Markdown table and a CSV file.</summary>
public static class ResultTables
{
    /// <summary>
    /// <c>summary.json</c>: for each model <c>"mse": {"&lt;step&gt;": {"mean": x, "std": y}}</c> (null where the model
    /// cannot reach the step), <c>"fit_seconds"</c>, <c>"seconds_per_epoch"</c>, <c>"epochs"</c>, <c>"parameters"</c>.
    /// </summary>
    public static JsonObject Summary(string experiment, RunInfo run, int inputSteps, int trials, IReadOnlyList<ModelResult> results)
    {
        var models = new JsonObject();
        foreach (var result in results)
        {
            var mse = new JsonObject();
            foreach (var (step, value) in result.Mse)
                mse[step.ToString(CultureInfo.InvariantCulture)] = new JsonObject { ["mean"] = Number(value.Mean), ["std"] = Number(value.Std) };
            models[result.Name] = new JsonObject
            {
                ["mse"] = mse,
                ["fit_seconds"] = result.FitSeconds,
                ["seconds_per_epoch"] = result.SecondsPerEpoch,
                ["epochs"] = result.Epochs,
                ["parameters"] = result.Parameters,
            };
        }
        return new JsonObject
        {
            ["experiment"] = experiment,
            ["command"] = run.Command,
            ["machine"] = run.Machine,
            ["date"] = run.Date,
            ["input_steps"] = inputSteps,
            ["trials"] = trials,
            ["models"] = models,
        };
    }

    public static string Markdown(string title, RunInfo run, int trials, IReadOnlyList<ModelResult> results)
    {
        var steps = results[0].Mse.Keys.ToArray();
        var text = new StringBuilder();
        text.AppendLine($"### {title}").AppendLine();
        text.AppendLine($"Test MSE at absolute step, mean (std) over {trials} trial(s); `{run.Command}`; {run.Machine}; {run.Date}.").AppendLine();
        text.AppendLine("| model | " + string.Join(" | ", steps.Select(s => $"step {s}")) + " | parameters | fit s | s/epoch | epochs |");
        text.AppendLine("|---|" + string.Concat(steps.Select(_ => "---:|")) + "---:|---:|---:|---:|");
        foreach (var r in results)
        {
            text.Append($"| {r.Name} | ");
            text.Append(string.Join(" | ", steps.Select(s => Format(r.Mse[s]))));
            text.AppendLine(FormattableString.Invariant($" | {r.Parameters} | {r.FitSeconds:0.###} | {r.SecondsPerEpoch:0.#####} | {r.Epochs:0} |"));
        }
        return text.ToString();
    }

    public static string Csv(IReadOnlyList<ModelResult> results)
    {
        var text = new StringBuilder("model,step,mse_mean,mse_std,parameters,fit_seconds,seconds_per_epoch,epochs\n");
        foreach (var r in results)
            foreach (var (step, value) in r.Mse)
                text.AppendLine(FormattableString.Invariant(
                    $"{r.Name},{step},{CsvNumber(value.Mean)},{CsvNumber(value.Std)},{r.Parameters},{r.FitSeconds:R},{r.SecondsPerEpoch:R},{r.Epochs:R}"));
        return text.ToString();
    }

    public static void WriteAll(string directory, string stem, string experiment, string title, RunInfo run, int inputSteps, int trials, IReadOnlyList<ModelResult> results)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, stem == "" ? "table.md" : $"table-{stem}.md"), Markdown(title, run, trials, results));
        File.WriteAllText(Path.Combine(directory, stem == "" ? "table.csv" : $"table-{stem}.csv"), Csv(results));
        JsonFiles.Write(Path.Combine(directory, stem == "" ? "summary.json" : $"summary-{stem}.json"), Summary(experiment, run, inputSteps, trials, results));
    }

    public static string Format(MeanStd value) =>
        double.IsNaN(value.Mean) ? "—" : FormattableString.Invariant($"{value.Mean:0.###e+0} ({value.Std:0.#e+0})");

    private static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    private static string CsvNumber(double value) => double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "";
}
