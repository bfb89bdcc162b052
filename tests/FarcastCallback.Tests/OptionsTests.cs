using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FarcastCallback.Tests;

public sealed class OptionsTests
{
    [Test]
    public void Defaults_are_the_full_batch_settings_and_every_setting_is_counted()
    {
        var options = new FarcastOptions();
        Assert.Multiple(() =>
        {
            Assert.That(options.WarmupSteps, Is.EqualTo(100));
            Assert.That(options.InputSteps, Is.EqualTo(5));
            Assert.That(options.Horizon, Is.EqualTo(64));
            Assert.That(options.MinJump, Is.EqualTo(4));
            Assert.That(options.Stride, Is.EqualTo(1));
            Assert.That(options.RefitEvery, Is.EqualTo(1000));
            Assert.That(options.MinTensorSize, Is.EqualTo(64));
            Assert.That(options.Map, Is.EqualTo(FarcastMap.Fitted));
            Assert.That(options.Lambda, Is.EqualTo(0.0), "no bias of an exact forecast by default");
            Assert.That(options.Mode, Is.EqualTo(FarcastMode.Resume));
            Assert.That(options.TotalSteps, Is.EqualTo(0));
            Assert.That(options.VerifyTolerance, Is.EqualTo(0.0));
            Assert.That(options.VerifyStandardErrors, Is.EqualTo(0.0));
            Assert.That(options.JudgeAfterSteps, Is.EqualTo(0), "jumps are judged at once unless a delay is chosen");
            Assert.That(options.HorizonSchedule, Is.EqualTo(FarcastHorizonSchedule.Constant));
            Assert.That(options.JudgeAgainst, Is.EqualTo(FarcastCounterfactual.Trend));
            Assert.That(options.ObservedAverageDecay, Is.EqualTo(0.0), "the windows observe the raw weights");
        });
        Assert.That(typeof(FarcastOptions).GetProperties().Count(p => p.CanWrite), Is.EqualTo(17));
    }

    [TestCase(5, 6, "Farcast:MinJump must be at most Farcast:Horizon (5); got 6.")]
    [TestCase(100_000, 1, "(Farcast:InputSteps - 1 + Farcast:Horizon) × Farcast:Stride must be at most 2147483647 real steps (one window); got 10000400000.")]
    public void Settings_that_contradict_each_other_are_refused(int horizon, int minJump, string message)
    {
        var options = new FarcastOptions { Horizon = horizon, MinJump = minJump, Stride = horizon == 100_000 ? 100_000 : 1 };

        var result = new FarcastOptionsValidator().Validate(null, options);

        Assert.That(result.Failures, Is.EqualTo(new[] { message }));
    }

    [Test]
    public void A_total_step_in_resume_mode_is_refused_rather_than_ignored()
    {
        var result = new FarcastOptionsValidator().Validate(null, new FarcastOptions { TotalSteps = 500 });

        Assert.That(result.FailureMessage, Is.EqualTo("Farcast:TotalSteps applies only in Stop mode or to a Shrinking Farcast:HorizonSchedule (Farcast:Mode is Resume); got 500."));
    }

    [Test]
    public void A_shrinking_horizon_needs_the_run_length_and_a_delayed_guard_needs_training_after_the_jump()
    {
        var validator = new FarcastOptionsValidator();

        Assert.That(validator.Validate(null, new FarcastOptions { HorizonSchedule = FarcastHorizonSchedule.Shrinking }).FailureMessage,
            Is.EqualTo("Farcast:TotalSteps must be the run's length in effective steps when Farcast:HorizonSchedule is Shrinking; got 0."));
        Assert.That(validator.Validate(null, new FarcastOptions { HorizonSchedule = FarcastHorizonSchedule.Shrinking, TotalSteps = 10_000 }).Succeeded);
        Assert.That(validator.Validate(null, new FarcastOptions { Mode = FarcastMode.Stop, TotalSteps = 1_000, JudgeAfterSteps = 10 }).FailureMessage,
            Is.EqualTo("Farcast:JudgeAfterSteps must be 0 in Stop mode (no training follows the final farcast); got 10."));
    }

    [TestCase(nameof(FarcastOptions.Horizon), "0", "Farcast:Horizon must be between 1 and 100000; got 0.")]
    [TestCase(nameof(FarcastOptions.InputSteps), "1", "Farcast:InputSteps must be between 2 and 100000; got 1.")]
    [TestCase(nameof(FarcastOptions.WarmupSteps), "-1", "Farcast:WarmupSteps must be between 0 and 2147483647; got -1.")]
    [TestCase(nameof(FarcastOptions.Lambda), "-0.5", "Farcast:Lambda must be between 0 and 1000000; got -0.5.")]
    [TestCase(nameof(FarcastOptions.VerifyTolerance), "-1", "Farcast:VerifyTolerance must be between 0 and 1000000; got -1.")]
    [TestCase(nameof(FarcastOptions.Stride), "0", "Farcast:Stride must be between 1 and 100000; got 0.")]
    [TestCase(nameof(FarcastOptions.RefitEvery), "-1", "Farcast:RefitEvery must be between 0 and 2147483647; got -1.")]
    [TestCase(nameof(FarcastOptions.MinTensorSize), "-3", "Farcast:MinTensorSize must be between 0 and 100000000; got -3.")]
    [TestCase(nameof(FarcastOptions.VerifyStandardErrors), "-0.5", "Farcast:VerifyStandardErrors must be between 0 and 1000; got -0.5.")]
    [TestCase(nameof(FarcastOptions.ObservedAverageDecay), "-0.1", "Farcast:ObservedAverageDecay must be between 0 and 1; got -0.1.")]
    [TestCase(nameof(FarcastOptions.ObservedAverageDecay), "1", "Farcast:ObservedAverageDecay must be below 1 (an average of decay 1 never moves); got 1.")]
    public void The_constructor_rejects_an_out_of_range_value_naming_the_key(string key, string value, string message)
    {
        var options = Bind(new Dictionary<string, string?> { [$"Farcast:{key}"] = value });
        using var parameter = new TorchSharp.Modules.Parameter(zeros(3));

        var error = Assert.Throws<OptionsValidationException>(() => new FarcastOptimizer(optim.SGD(new[] { parameter }, 0.1), options));

        Assert.That(error!.Failures, Is.EqualTo(new[] { message }));
    }

    [Test]
    public void Stop_mode_needs_a_total_step_a_farcast_can_reach()
    {
        var options = new FarcastOptions { Mode = FarcastMode.Stop, WarmupSteps = 10, InputSteps = 5, Horizon = 10, MinJump = 10, TotalSteps = 20 };

        var result = new FarcastOptionsValidator().Validate(null, options);

        Assert.That(result.Failed);
        Assert.That(result.FailureMessage, Does.StartWith("Farcast:TotalSteps must be at least 25 in Stop mode"));
    }

    [Test]
    public void An_undefined_enum_value_is_rejected()
    {
        var result = new FarcastOptionsValidator().Validate(null, new FarcastOptions { Map = (FarcastMap)7 });

        Assert.That(result.FailureMessage, Is.EqualTo("Farcast:Map must be one of Fitted, LinearExtrapolation, Smoothing; got 7."));
    }

    [Test]
    public void AddFarcast_binds_the_section_and_fails_start_up_validation_with_the_key()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Farcast:Horizon"] = "0" })
            .Build();
        using var provider = new ServiceCollection().AddFarcast(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(error!.Message, Does.Contain("Farcast:Horizon must be between 1 and 100000"));
    }

    [Test]
    public void Options_bind_from_appsettings_json_including_enum_names()
    {
        const string json = """
            { "Farcast": { "WarmupSteps": 7, "InputSteps": 3, "Horizon": 12, "MinJump": 3, "Mode": "Stop", "TotalSteps": 500,
                           "Map": "LinearExtrapolation", "Lambda": 0.5, "VerifyTolerance": 0.02, "VerifyStandardErrors": 2,
                           "Stride": 1, "RefitEvery": 5, "MinTensorSize": 9 } }
            """;
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        var configuration = new ConfigurationBuilder().AddJsonStream(stream).Build();
        using var provider = new ServiceCollection().AddFarcast(configuration).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<FarcastOptions>>().Value;

        Assert.Multiple(() =>
        {
            Assert.That(options.WarmupSteps, Is.EqualTo(7));
            Assert.That(options.InputSteps, Is.EqualTo(3));
            Assert.That(options.Horizon, Is.EqualTo(12));
            Assert.That(options.Mode, Is.EqualTo(FarcastMode.Stop));
            Assert.That(options.TotalSteps, Is.EqualTo(500));
            Assert.That(options.MinJump, Is.EqualTo(3));
            Assert.That(options.Map, Is.EqualTo(FarcastMap.LinearExtrapolation));
            Assert.That(options.Lambda, Is.EqualTo(0.5));
            Assert.That(options.VerifyTolerance, Is.EqualTo(0.02));
            Assert.That(options.VerifyStandardErrors, Is.EqualTo(2));
            Assert.That(options.RefitEvery, Is.EqualTo(5));
            Assert.That(options.MinTensorSize, Is.EqualTo(9));
        });
    }

    private static FarcastOptions Bind(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var options = new FarcastOptions();
        configuration.GetSection(FarcastOptions.SectionName).Bind(options);
        return options;
    }
}
