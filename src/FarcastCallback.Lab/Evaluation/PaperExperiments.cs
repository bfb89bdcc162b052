using FarcastCallback.Lab.Forecasters;
using FarcastCallback.Lab.Reporting;
using FarcastCallback.Lab.Sequences;

namespace FarcastCallback.Lab.Evaluation;

/// <summary>
/// The paper's synthetic experiments (docs/design.md, "The paper's protocol") as one call each: 200 sequences of 201 steps, split 100/50/50,
/// input steps 0..20, forecast 21..200, test MSE at steps 40, 80, 160, 200, mean (std) over trials. Each trial draws
/// fresh sequences (seed = trial number) and fresh model initialisations.
/// </summary>
public static class PaperExperiments
{
    public const int InputSteps = 21;
    public const int Updates = 200;
    public const int Problems = 200;
    public static readonly IReadOnlyList<int> Checkpoints = new[] { 40, 80, 160, 200 };
    private static readonly string[] FigureModels = { "dlinear", "lfd2", "lfn", "lfs" };

    public static ForecastTask Task(int inputSteps = InputSteps) => new(inputSteps, Updates + 1);

    /// <summary>Table 2 (one column pair) and Figure 2 (one panel): Syn-1 linear regression under GD or SGD.</summary>
    public static IReadOnlyList<ModelResult> Syn1(UpdateRule rule, int dimension, int trials, string? outDirectory, RunInfo run,
        IProgress<ForecastEvaluation.Progress>? progress = null, IReadOnlyList<string>? models = null, int problems = Problems)
    {
        var name = $"syn1-{rule.ToString().ToLowerInvariant()}-d{dimension}";
        var results = ForecastEvaluation.Run(
            trial => LinearRegressionSequences.Generate(rule, dimension, problems, Updates, seed: trial),
            models ?? ForecasterCatalog.All, Task(), Checkpoints, trials, progress: progress,
            onTrialForecasts: outDirectory is null ? null : (trial, split, forecasts) =>
            {
                if (trial == 0) SaveFigure(Path.Combine(outDirectory, $"figure2-{rule.ToString().ToLowerInvariant()}.png"),
                    $"Syn-1 {rule.ToString().ToUpperInvariant()} (d = {dimension}): first test parameter", split, forecasts);
            });
        if (outDirectory is not null)
            ResultTables.WriteAll(outDirectory, "", name, $"Table 2 — Syn-1 {rule.ToString().ToUpperInvariant()}, d = {dimension}", run, InputSteps, trials, results);
        return results;
    }

    /// <summary>Table 3 (one column pair): Syn-2, the 31-parameter MLP under SGD or Adam.</summary>
    public static IReadOnlyList<ModelResult> Syn2(UpdateRule rule, int trials, string? outDirectory, RunInfo run,
        IProgress<ForecastEvaluation.Progress>? progress = null, IReadOnlyList<string>? models = null, int problems = Problems)
    {
        var name = $"syn2-{rule.ToString().ToLowerInvariant()}";
        var results = ForecastEvaluation.Run(
            trial => MlpSequences.Generate(rule, problems, Updates, seed: trial),
            models ?? ForecasterCatalog.All, Task(), Checkpoints, trials, progress: progress);
        if (outDirectory is not null)
            ResultTables.WriteAll(outDirectory, "", name, $"Table 3 — Syn-2 {rule.ToString().ToUpperInvariant()}", run, InputSteps, trials, results);
        return results;
    }

    /// <summary>
    /// Table 5: LFD-2 with the training loss at its two input steps appended, against plain LFD-2.
    /// Table 6: the closed-form least-squares LFD-2 fitted from only the first two steps (m = 2, forecasting steps
    /// 2..200), against the trained LFD-2 with the same input and the least-squares fit with m = 21.
    /// Both on Syn-1 (d = 1) GD and SGD and on Syn-2 SGD and Adam.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<ModelResult>> Ablations(int trials, string? outDirectory, RunInfo run,
        IProgress<ForecastEvaluation.Progress>? progress = null, int problems = Problems)
    {
        var sets = new (string Name, Func<int, WeightSequences> Generate)[]
        {
            ("syn1-gd", trial => LinearRegressionSequences.Generate(UpdateRule.Gd, 1, problems, Updates, trial)),
            ("syn1-sgd", trial => LinearRegressionSequences.Generate(UpdateRule.Sgd, 1, problems, Updates, trial)),
            ("syn2-sgd", trial => MlpSequences.Generate(UpdateRule.Sgd, problems, Updates, trial)),
            ("syn2-adam", trial => MlpSequences.Generate(UpdateRule.Adam, problems, Updates, trial)),
        };
        var tables = new Dictionary<string, IReadOnlyList<ModelResult>>();
        foreach (var (set, generate) in sets)
        {
            var cache = new Dictionary<int, WeightSequences>();
            WeightSequences Sequences(int trial) => cache.TryGetValue(trial, out var s) ? s : cache[trial] = generate(trial);

            var table5 = ForecastEvaluation.Run(Sequences, new[] { "lfd2", "lfd2+loss" }, Task(), Checkpoints, trials, progress: progress);
            var twoSteps = ForecastEvaluation.Run(Sequences, new[] { "lfd2-ls", "lfd2" }, Task(2), Checkpoints, trials, progress: progress);
            var fullWindow = ForecastEvaluation.Run(Sequences, new[] { "lfd2-ls" }, Task(), Checkpoints, trials, progress: progress);
            var table6 = twoSteps.Select(r => r with { Name = $"{r.Name} (m = 2)" })
                .Concat(fullWindow.Select(r => r with { Name = $"{r.Name} (m = 21)" })).ToArray();
            tables[$"table5-{set}"] = table5;
            tables[$"table6-{set}"] = table6;
            if (outDirectory is not null)
            {
                ResultTables.WriteAll(outDirectory, $"table5-{set}", $"table5-{set}", $"Table 5 — LFD-2 with the training loss as input, {set}", run, InputSteps, trials, table5);
                ResultTables.WriteAll(outDirectory, $"table6-{set}", $"table6-{set}", $"Table 6 — least squares from the first two steps, {set}", run, 2, trials, table6);
            }
        }
        if (outDirectory is not null)
        {
            var summary = new System.Text.Json.Nodes.JsonObject { ["experiment"] = "ablations", ["command"] = run.Command, ["machine"] = run.Machine, ["date"] = run.Date, ["trials"] = trials };
            var all = new System.Text.Json.Nodes.JsonObject();
            foreach (var (name, results) in tables)
                all[name] = ResultTables.Summary(name, run, name.StartsWith("table6", StringComparison.Ordinal) ? 2 : InputSteps, trials, results)["models"]!.DeepClone();
            summary["tables"] = all;
            JsonFiles.Write(Path.Combine(outDirectory, "summary.json"), summary);
        }
        return tables;
    }

    private static void SaveFigure(string path, string title, SequenceSplit split, IReadOnlyDictionary<string, double[,]> forecasts)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var truth = Row(split.Test.Series(), 0);
        var shown = FigureModels.Where(forecasts.ContainsKey).ToDictionary(m => m, m => Row(forecasts[m], 0));
        TrajectoryFigure.Save(path, title, truth, InputSteps, shown);
    }

    private static double[] Row(double[,] matrix, int row) =>
        Enumerable.Range(0, matrix.GetLength(1)).Select(t => matrix[row, t]).ToArray();
}
