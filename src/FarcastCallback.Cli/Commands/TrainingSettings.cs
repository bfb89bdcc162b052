using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli.Commands;

/// <summary>
/// Options of the commands that train a model: seed, steps and learning rate. Each command sets its own defaults in
/// its settings' constructor and names them in its description.
/// </summary>
public class TrainingSettings : OutputSettings, ITrainsOnDevice
{
    [CommandOption("--device <NAME>")]
    [Description("cpu, cuda or cuda:N: where models, data, the guard and the farcast buffers live. Default cpu. CUDA needs a build with -p:TorchBackend=cuda-linux or cuda-windows.")]
    [DefaultValue("cpu")]
    public string Device { get; init; } = "cpu";

    [CommandOption("--seed <S>")]
    [Description("(First) seed: initial weights, batch order, dropout. Default 1.")]
    [DefaultValue(1)]
    public int Seed { get; init; } = 1;

    [CommandOption("--steps <N>")]
    [Description("Real optimizer steps per run.")]
    public int Steps { get; init; }

    [CommandOption("--lr <RATE>")]
    [Description("Learning rate of the inner optimizer (the peak rate under a schedule).")]
    public double LearningRate { get; init; }

    /// <summary>
    /// The largest learning rate any option takes: no rate near it trains, and rates far above it overflow float32 inside
    /// Adam's bias correction (which divides the rate by 1 − β₁ᵗ, 0.1 at the first step).
    /// </summary>
    internal const double MaxLearningRate = 1e6;

    /// <summary>Whether <paramref name="rate"/> is a learning rate the options accept: positive and at most <see cref="MaxLearningRate"/>.</summary>
    internal static bool IsLearningRate(double rate) => rate > 0 && rate <= MaxLearningRate;

    /// <summary>The rates of <c>--lr-grid</c>, or null when it does not parse.</summary>
    internal static double[]? Rates(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var rates = parts.Select(p => double.TryParse(p, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var r) && IsLearningRate(r) ? r : double.NaN).ToArray();
        return rates.Length == 0 || rates.Any(double.IsNaN) ? null : rates;
    }

    /// <summary>What is wrong with an <c>--lr-grid</c> (a rate that is not one, a rate given twice); null when nothing is, or none was given.</summary>
    internal static ValidationResult? InvalidGrid(string? grid) =>
        grid is null ? null
        : Rates(grid) is not { } rates ? ValidationResult.Error($"--lr-grid must be comma-separated positive numbers of at most {MaxLearningRate:G}; got '{grid}'.")
        : rates.GroupBy(r => r).FirstOrDefault(g => g.Count() > 1) is { } twice ? ValidationResult.Error($"--lr-grid lists {twice.Key:G} more than once; give each rate once.")
        : null;

    public override ValidationResult Validate() =>
        TrainingDevice.InvalidName(Device) is { } invalidDevice ? invalidDevice
        : Steps < 1 ? ValidationResult.Error($"--steps must be at least 1; got {Steps}.")
        : !IsLearningRate(LearningRate) ? ValidationResult.Error($"--lr must be a positive number of at most {MaxLearningRate:G}; got {LearningRate}.")
        : Seed < 0 ? ValidationResult.Error($"--seed must be 0 or more; got {Seed}.")
        : base.Validate();
}
