using FarcastCallback.Lab.Forecasters;
using FarcastCallback.Lab.Sequences;

namespace FarcastCallback.Lab.Evaluation;

/// <summary>
/// The paper's protocol: split the sequences 1/2 : 1/4 : 1/4 into train, dev and test; fit every forecaster on train
/// (early stopping on dev); forecast the test series from their first m steps; report the MSE at absolute steps —
/// step c is the weight after c updates, column c of a series — averaged over test sequences × scalars; repeat for
/// each trial and give mean and standard deviation.
/// </summary>
public static class ForecastEvaluation
{
    /// <summary>Progress of one evaluation: which trial and model is being fitted.</summary>
    public readonly record struct Progress(int Trial, int Trials, string Model, int Done, int Total);

    /// <summary>Runs the protocol; <paramref name="sequencesForTrial"/> gives trial k's sequences (fresh synthetic data
    /// per trial, or the same file every time, when only the model seeds change). <paramref name="onTrialForecasts"/>
    /// sees each trial's test forecasts (for figures). <paramref name="split"/> replaces the paper's 1/2 : 1/4 : 1/4 split.</summary>
    public static IReadOnlyList<ModelResult> Run(
        Func<int, WeightSequences> sequencesForTrial,
        IReadOnlyList<string> models,
        ForecastTask task,
        IReadOnlyList<int> checkpoints,
        int trials,
        TrainerSettings? settings = null,
        IProgress<Progress>? progress = null,
        Action<int, SequenceSplit, IReadOnlyDictionary<string, double[,]>>? onTrialForecasts = null,
        Func<WeightSequences, SequenceSplit>? split = null)
    {
        task.Validate();
        if (trials < 1) throw new ArgumentOutOfRangeException(nameof(trials), $"--trials must be at least 1; got {trials}.");
        foreach (var c in checkpoints)
            if (c < task.InputSteps || c >= task.TotalSteps)
                throw new ArgumentOutOfRangeException(nameof(checkpoints), $"Checkpoint {c} is not a forecast step: it must lie in {task.InputSteps}..{task.TotalSteps - 1}.");

        var mse = models.ToDictionary(m => m, _ => checkpoints.ToDictionary(c => c, _ => new List<double>()));
        var reports = models.ToDictionary(m => m, _ => new List<(FitReport Report, long Parameters)>());
        var done = 0;
        for (var trial = 0; trial < trials; trial++)
        {
            var parts = (split ?? SequenceSplit.Paper)(sequencesForTrial(trial));
            if (parts.Train.Steps != task.TotalSteps)
                throw new ArgumentException($"The sequences have {parts.Train.Steps} steps, the task expects {task.TotalSteps}.");
            var train = parts.Train.Series();
            var dev = parts.Dev.Series();
            var test = parts.Test.Series();
            var forecasts = new Dictionary<string, double[,]>();
            foreach (var name in models)
            {
                progress?.Report(new Progress(trial + 1, trials, name, done, trials * models.Count));
                var forecaster = ForecasterCatalog.Create(name, settings);
                var report = forecaster.Fit(train, dev, task, seed: 1000 * trial + 17, parts.Train.SeriesLosses(), parts.Dev.SeriesLosses());
                var forecast = forecaster.Forecast(test, task, parts.Test.SeriesLosses());
                forecasts[name] = forecast;
                foreach (var c in checkpoints) mse[name][c].Add(MeanSquaredError(forecast, test, c));
                reports[name].Add((report, forecaster.ParameterCount));
                (forecaster as IDisposable)?.Dispose();
                done++;
            }
            onTrialForecasts?.Invoke(trial, parts, forecasts);
        }
        progress?.Report(new Progress(trials, trials, "", done, done));

        return models.Select(name => new ModelResult(
            name,
            checkpoints.ToDictionary(c => c, c => MeanStd.Of(mse[name][c])),
            reports[name].Average(r => r.Report.Seconds),
            reports[name].Average(r => r.Report.SecondsPerEpoch),
            reports[name].Average(r => r.Report.Epochs),
            reports[name][0].Parameters)).ToArray();
    }

    /// <summary>Mean over series of the squared error at absolute step <paramref name="step"/>; NaN if not forecast.</summary>
    public static double MeanSquaredError(double[,] forecast, double[,] truth, int step)
    {
        var rows = truth.GetLength(0);
        double total = 0;
        for (var r = 0; r < rows; r++)
        {
            var error = forecast[r, step] - truth[r, step];
            if (double.IsNaN(error)) return double.NaN;
            total += error * error;
        }
        return total / rows;
    }
}
