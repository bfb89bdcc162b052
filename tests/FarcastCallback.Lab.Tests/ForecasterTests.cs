using FarcastCallback.Lab.Evaluation;
using FarcastCallback.Lab.Forecasters;
using FarcastCallback.Lab.Sequences;

namespace FarcastCallback.Lab.Tests;

public sealed class ForecasterTests
{
    private static readonly TrainerSettings Quick = new(LearningRate: 0.01, MaxEpochs: 60, Patience: 20);
    private static readonly ForecastTask Task = new(InputSteps: 21, TotalSteps: 61);

    private static SequenceSplit Data(UpdateRule rule = UpdateRule.Sgd) =>
        SequenceSplit.Paper(LinearRegressionSequences.Generate(rule, dimension: 2, problems: 16, updates: 60, seed: 4));

    [Test]
    public void Wnn_shortens_its_stride_to_fit_a_short_input_window_and_refuses_one_too_short()
    {
        var split = Data();
        var wnn = new WnnForecaster(Quick);
        var shortTask = new ForecastTask(InputSteps: 11, TotalSteps: 61);

        wnn.Fit(split.Train.Series(), split.Dev.Series(), shortTask, seed: 1);
        var forecast = wnn.Forecast(split.Test.Series(), shortTask);

        Assert.That(wnn.Stride, Is.EqualTo(2), "5 weights 2 steps apart span steps 2..10");
        Assert.That(double.IsFinite(forecast[0, 20]) && double.IsFinite(forecast[0, 60]));
        Assert.That(() => wnn.Fit(split.Train.Series(), split.Dev.Series(), new ForecastTask(4, 61), seed: 1),
            Throws.ArgumentException.With.Message.Contains("at least 5 input steps"));
    }

    [TestCase("lfd2", 2 * 40 + 40)]
    [TestCase("lfn", 21 * 40 + 40)]
    [TestCase("lfl", 1 * 40 + 40)]
    [TestCase("lfs", 4 * 40 + 40)]
    [TestCase("dlinear", 2 * (21 * 40 + 40) + 2)]
    [TestCase("introspection", 4 * 40 + 40 + 40 + 1)]
    [TestCase("wnn", 5 * 32 + 32 + 4 * 32 + 32 + 64 * 32 + 32 + 32 + 1)]
    [TestCase("lfd2-ls", 3 * 40)]
    public void Each_forecaster_fits_and_forecasts_every_series_with_its_input_kept(string name, long parameters)
    {
        var split = Data();
        var train = split.Train.Series();
        var test = split.Test.Series();
        var forecaster = ForecasterCatalog.Create(name, Quick);

        var report = forecaster.Fit(train, split.Dev.Series(), Task, seed: 1);
        var forecast = forecaster.Forecast(test, Task);

        Assert.That(forecaster.ParameterCount, Is.EqualTo(parameters));
        Assert.That(report.Epochs, Is.GreaterThan(0));
        Assert.That(forecast.GetLength(0), Is.EqualTo(test.GetLength(0)));
        Assert.That(forecast.GetLength(1), Is.EqualTo(61));
        for (var r = 0; r < test.GetLength(0); r++)
            for (var t = 0; t < 21; t++)
                Assert.That(forecast[r, t], Is.EqualTo(test[r, t]));
        Assert.That(double.IsFinite(forecast[0, 40]), $"{name} reaches step 40");
        var scale = Enumerable.Range(0, test.GetLength(0)).Average(r => test[r, 40] * test[r, 40]);
        Assert.That(ForecastEvaluation.MeanSquaredError(forecast, test, 40), Is.LessThan(scale), $"{name} learned something");
    }

    [Test]
    public void Introspection_reaches_only_step_2t()
    {
        var split = Data();
        var forecaster = new IntrospectionForecaster(Quick);
        forecaster.Fit(split.Train.Series(), split.Dev.Series(), Task, seed: 1);

        var forecast = forecaster.Forecast(split.Test.Series(), Task);

        Assert.That(double.IsFinite(forecast[0, 40]));
        Assert.That(Enumerable.Range(21, 40).Where(t => t != 40).Select(t => forecast[0, t]), Has.All.NaN);
    }

    [Test]
    public void Closed_form_lfd2_is_exact_on_one_dimensional_gradient_descent_and_last_value_is_not()
    {
        var split = SequenceSplit.Paper(LinearRegressionSequences.Generate(UpdateRule.Gd, dimension: 1, problems: 12, updates: 60, seed: 9));
        var lfd2 = new ClosedFormLfd2Forecaster();
        var lfl = LinearWindowForecaster.Lfl(Quick);
        lfd2.Fit(split.Train.Series(), split.Dev.Series(), Task, seed: 1);
        lfl.Fit(split.Train.Series(), split.Dev.Series(), Task, seed: 1);
        var test = split.Test.Series();

        Assert.That(ForecastEvaluation.MeanSquaredError(lfd2.Forecast(test, Task), test, 60), Is.LessThan(1e-20));
        Assert.That(ForecastEvaluation.MeanSquaredError(lfl.Forecast(test, Task), test, 60), Is.GreaterThan(1e-6));
        var (a, b, c) = lfd2.Coefficients(40);   // step 20 + 40 = 60, docs/design.md, Exact oracle
        var expectedB = (1 - Math.Pow(0.99, 60)) / (1 - Math.Pow(0.99, 20));
        Assert.That(b, Is.EqualTo(expectedB).Within(1e-9));
        Assert.That(a, Is.EqualTo(Math.Pow(0.99, 60) - Math.Pow(0.99, 20) * expectedB).Within(1e-9));
        Assert.That(c, Is.EqualTo(0).Within(1e-9));
    }

    [Test]
    public void Lfd2_with_loss_needs_losses()
    {
        var split = Data();
        var forecaster = LinearWindowForecaster.Lfd2WithLoss(new[] { 0.0 }, Quick);

        Assert.Throws<InvalidOperationException>(() => forecaster.Fit(split.Train.Series(), split.Dev.Series(), Task, 1));
        var report = forecaster.Fit(split.Train.Series(), split.Dev.Series(), Task, 1, split.Train.SeriesLosses(), split.Dev.SeriesLosses());
        Assert.That(report.Epochs, Is.GreaterThan(0));
        Assert.That(forecaster.ParameterCount, Is.EqualTo(4 * 40 + 40));
    }

    [Test]
    public void Unknown_model_names_list_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => ForecasterCatalog.Parse("lfd2,prophet"));
        Assert.That(error!.Message, Does.Contain("Unknown model 'prophet'").And.Contain("dlinear"));
    }
}
