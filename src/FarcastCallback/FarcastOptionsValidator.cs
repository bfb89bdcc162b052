using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace FarcastCallback;

/// <summary>
/// Validates <see cref="FarcastOptions"/>: the <see cref="RangeAttribute"/> on each property, defined enum values,
/// and the rules that tie properties together. Every message names the configuration key, e.g.
/// <c>Farcast:Horizon</c>, and the valid range.
/// </summary>
internal sealed class FarcastOptionsValidator : IValidateOptions<FarcastOptions>
{
    private static readonly PropertyInfo[] Properties = typeof(FarcastOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, FarcastOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> listing every invalid setting.</summary>
    internal static void ThrowIfInvalid(FarcastOptions options)
    {
        var result = new FarcastOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
            throw new OptionsValidationException(Options.DefaultName, typeof(FarcastOptions), result.Failures);
    }

    private static IEnumerable<string> Failures(FarcastOptions options)
    {
        foreach (var property in Properties)
        {
            var value = property.GetValue(options);
            var range = property.GetCustomAttribute<RangeAttribute>();
            if (range is not null && !range.IsValid(value))
                yield return $"{Key(property.Name)} must be between {Format(range.Minimum)} and {Format(range.Maximum)}; got {Format(value)}.";
            if (property.PropertyType.IsEnum && !Enum.IsDefined(property.PropertyType, value!))
                yield return $"{Key(property.Name)} must be one of {string.Join(", ", Enum.GetNames(property.PropertyType))}; got {value}.";
        }

        var inRange = Properties.All(p => p.GetCustomAttribute<RangeAttribute>()?.IsValid(p.GetValue(options)) ?? true);
        if (!inRange) yield break;   // rules between settings are judged on settings within their ranges
        if (options.MinJump > options.Horizon)
            yield return $"{Key(nameof(FarcastOptions.MinJump))} must be at most {Key(nameof(FarcastOptions.Horizon))} ({options.Horizon}); got {options.MinJump}.";
        var windowSpan = ((long)options.InputSteps - 1 + options.Horizon) * options.Stride;
        if (windowSpan > int.MaxValue)
            yield return $"({Key(nameof(FarcastOptions.InputSteps))} - 1 + {Key(nameof(FarcastOptions.Horizon))}) × {Key(nameof(FarcastOptions.Stride))} " +
                         $"must be at most {int.MaxValue} real steps (one window); got {windowSpan}.";

        if (options.ObservedAverageDecay >= 1)
            yield return $"{Key(nameof(FarcastOptions.ObservedAverageDecay))} must be below 1 (an average of decay 1 never moves); got {Format(options.ObservedAverageDecay)}.";

        if (options.JudgeAgainst == FarcastCounterfactual.Race && options.JudgeAfterSteps == 0)
            yield return $"{Key(nameof(FarcastOptions.JudgeAgainst))} Race needs a delayed judgement: set {Key(nameof(FarcastOptions.JudgeAfterSteps))} to 1 or more.";

        if (options.Mode == FarcastMode.Stop)
        {
            var firstPossible = (long)options.WarmupSteps + options.InputSteps - 1 + options.Horizon + 1;
            if (options.TotalSteps < firstPossible)
                yield return $"{Key(nameof(FarcastOptions.TotalSteps))} must be at least {firstPossible} in Stop mode " +
                             $"({Key(nameof(FarcastOptions.WarmupSteps))} + {Key(nameof(FarcastOptions.InputSteps))} - 1 + " +
                             $"{Key(nameof(FarcastOptions.Horizon))} + 1, the first effective step a farcast can reach); got {options.TotalSteps}.";
            if (options.Stride != 1)
                yield return $"{Key(nameof(FarcastOptions.Stride))} must be 1 in Stop mode (the final farcast lands on a single step); got {options.Stride}.";
            if (options.JudgeAfterSteps != 0)
                yield return $"{Key(nameof(FarcastOptions.JudgeAfterSteps))} must be 0 in Stop mode (no training follows the final farcast); got {options.JudgeAfterSteps}.";
            if (options.Map == FarcastMap.Smoothing)
                yield return $"{Key(nameof(FarcastOptions.Map))} Smoothing skips no steps, so it cannot reach {Key(nameof(FarcastOptions.TotalSteps))} in Stop mode: use Resume.";
        }
        else if (options.HorizonSchedule == FarcastHorizonSchedule.Shrinking && options.TotalSteps == 0)
        {
            yield return $"{Key(nameof(FarcastOptions.TotalSteps))} must be the run's length in effective steps when {Key(nameof(FarcastOptions.HorizonSchedule))} is Shrinking; got 0.";
        }
        else if (options.HorizonSchedule == FarcastHorizonSchedule.Constant && options.TotalSteps != 0)
        {
            yield return $"{Key(nameof(FarcastOptions.TotalSteps))} applies only in Stop mode or to a Shrinking {Key(nameof(FarcastOptions.HorizonSchedule))} " +
                         $"({Key(nameof(FarcastOptions.Mode))} is {options.Mode}); got {options.TotalSteps}.";
        }
    }

    private static string Key(string property) => $"{FarcastOptions.SectionName}:{property}";

    private static string Format(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null";
}
