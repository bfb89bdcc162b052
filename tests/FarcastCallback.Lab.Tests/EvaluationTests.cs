using FarcastCallback.Lab.Evaluation;
using FarcastCallback.Lab.Forecasters;
using FarcastCallback.Lab.Reporting;
using FarcastCallback.Lab.Sequences;

namespace FarcastCallback.Lab.Tests;

public sealed class EvaluationTests
{
    [Test]
    public void Step_40_means_the_weight_after_40_updates()
    {
        var truth = new double[3, 50];
        for (var r = 0; r < 3; r++)
            for (var t = 0; t < 50; t++)
                truth[r, t] = t;
        var forecast = (double[,])truth.Clone();
        for (var r = 0; r < 3; r++) forecast[r, 40] += 2;

        Assert.That(ForecastEvaluation.MeanSquaredError(forecast, truth, 40), Is.EqualTo(4));
        Assert.That(ForecastEvaluation.MeanSquaredError(forecast, truth, 39), Is.EqualTo(0));
        Assert.That(ForecastEvaluation.MeanSquaredError(forecast, truth, 41), Is.EqualTo(0));
    }

    [Test]
    public void The_split_is_half_quarter_quarter_in_order()
    {
        var sequences = LinearRegressionSequences.Generate(UpdateRule.Gd, 1, problems: 200, updates: 3, seed: 1);

        var split = SequenceSplit.Paper(sequences);

        Assert.That((split.Train.Sequences, split.Dev.Sequences, split.Test.Sequences), Is.EqualTo((100, 50, 50)));
        Assert.That(split.Test[0, 0, 0], Is.EqualTo(sequences[150, 0, 0]));
    }

    [Test]
    public void A_split_by_counts_keeps_the_order_and_refuses_an_empty_test_part()
    {
        var sequences = LinearRegressionSequences.Generate(UpdateRule.Gd, 1, problems: 10, updates: 3, seed: 1);

        var split = SequenceSplit.Counts(sequences, train: 5, dev: 2);

        Assert.That((split.Train.Sequences, split.Dev.Sequences, split.Test.Sequences), Is.EqualTo((5, 2, 3)));
        Assert.That(split.Dev[0, 1, 0], Is.EqualTo(sequences[5, 1, 0]));
        Assert.That(split.Test[2, 3, 0], Is.EqualTo(sequences[9, 3, 0]));
        Assert.That(() => SequenceSplit.Counts(sequences, 5, 5), Throws.ArgumentException.With.Message.Contains("no test sequence"));
    }

    [Test]
    public void An_evaluation_reports_every_model_and_checkpoint_and_writes_summary_json()
    {
        var task = new ForecastTask(21, 61);
        var results = ForecastEvaluation.Run(
            trial => LinearRegressionSequences.Generate(UpdateRule.Gd, 1, problems: 12, updates: 60, seed: trial),
            new[] { "lfd2-ls", "lfl", "introspection" }, task, new[] { 40, 60 }, trials: 2,
            new TrainerSettings(MaxEpochs: 30, Patience: 10));
        var directory = Path.Combine(Path.GetTempPath(), $"farcast-eval-{Guid.NewGuid():N}");

        ResultTables.WriteAll(directory, "", "test", "Test", RunInfo.Current("test"), 21, 2, results);
        var summary = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "summary.json")))!;

        Assert.That(results.Select(r => r.Name), Is.EqualTo(new[] { "lfd2-ls", "lfl", "introspection" }));
        Assert.That(results[0].Mse[60].Mean, Is.LessThan(1e-20));
        Assert.That(results[0].Mse[60].Std, Is.GreaterThanOrEqualTo(0));
        Assert.That(double.IsNaN(results[2].Mse[60].Mean), "introspection cannot reach step 60 from t = 20");
        Assert.That(summary["models"]!["lfl"]!["mse"]!["40"]!["mean"]!.GetValue<double>(), Is.EqualTo(results[1].Mse[40].Mean));
        Assert.That(summary["models"]!["introspection"]!["mse"]!["60"]!["mean"], Is.Null);
        Assert.That(summary["models"]!["lfd2-ls"]!["parameters"]!.GetValue<long>(), Is.EqualTo(120));
        Assert.That(File.ReadAllText(Path.Combine(directory, "table.md")), Does.Contain("| introspection |"));
        Directory.Delete(directory, recursive: true);
    }

    [Test]
    public void Checkpoints_outside_the_forecast_are_refused()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ForecastEvaluation.Run(
            _ => LinearRegressionSequences.Generate(UpdateRule.Gd, 1, 6, 60), new[] { "lfl" }, new ForecastTask(21, 61), new[] { 10 }, 1));
        Assert.That(error!.Message, Does.Contain("Checkpoint 10 is not a forecast step"));
    }

    [Test]
    public void The_trajectory_figure_is_written_as_png()
    {
        var path = Path.Combine(Path.GetTempPath(), $"farcast-figure-{Guid.NewGuid():N}.png");
        var truth = Enumerable.Range(0, 61).Select(t => Math.Pow(0.99, t)).ToArray();

        TrajectoryFigure.Save(path, "test", truth, 21, new Dictionary<string, double[]> { ["lfd2"] = truth.Select(v => v + 0.01).ToArray() });

        var header = File.ReadAllBytes(path)[..8];
        Assert.That(header, Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
        File.Delete(path);
    }
}
