using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace FarcastCallback.Cli;

/// <summary>
/// The <c>--Farcast:KEY=VALUE</c> arguments, taken out of the command line before Spectre.Console.Cli parses it (which
/// then parses strictly, so a mistyped flag is an error), and the checks every farcast setting gets before it is bound:
/// a known key, and a value of its type — so a mistake is one line naming the key and what it takes, not a binder's
/// stack trace.
/// </summary>
public sealed class FarcastSettingArguments
{
    public const string Prefix = "--" + FarcastOptions.SectionName + ":";
    private static readonly Dictionary<string, PropertyInfo> Settings = typeof(FarcastOptions)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite)
        .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    private FarcastSettingArguments(IReadOnlyDictionary<string, string?> values) => Values = values;

    /// <summary>Key (e.g. <c>Farcast:Horizon</c>) → value, ready for an in-memory configuration source.</summary>
    public IReadOnlyDictionary<string, string?> Values { get; }

    /// <summary>Splits <paramref name="args"/> into the farcast settings and the rest.</summary>
    /// <exception cref="ArgumentException">A setting is written with a space instead of '=', or has no key.</exception>
    public static (FarcastSettingArguments Settings, string[] Remaining) Extract(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var rest = new List<string>();
        foreach (var arg in args)
        {
            if (!arg.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            {
                rest.Add(arg);
                continue;
            }
            var assignment = arg[Prefix.Length..];
            var equals = assignment.IndexOf('=');
            if (equals < 0)
                throw new ArgumentException($"'{arg}': write farcast settings as {Prefix}KEY=VALUE, e.g. {Prefix}Horizon=20.");
            var key = assignment[..equals];
            if (key.Length == 0) throw new ArgumentException($"'{arg}' names no setting; write {Prefix}KEY=VALUE.");
            values[$"{FarcastOptions.SectionName}:{key}"] = assignment[(equals + 1)..];
        }
        return (new FarcastSettingArguments(values), rest.ToArray());
    }

    /// <summary>Checks every key and value of the configuration's Farcast section (JSON files and the command line alike).</summary>
    /// <exception cref="ArgumentException">An unknown key, or a value that is not of the setting's type.</exception>
    public static void Check(IConfiguration configuration)
    {
        if (configuration.GetSection(FarcastOptions.SectionName).Value is { } scalar)
            throw new ArgumentException($"{FarcastOptions.SectionName} must be a section of settings in appsettings, not the value '{scalar}'.");
        foreach (var entry in configuration.GetSection(FarcastOptions.SectionName).GetChildren())
        {
            var key = $"{FarcastOptions.SectionName}:{entry.Key}";
            if (!Settings.TryGetValue(entry.Key, out var property))
                throw new ArgumentException($"{key} is not a farcast setting; the settings are: {string.Join(", ", Settings.Keys.Order())}.");
            if (entry.Value is not { } value) throw new ArgumentException($"{key} must be a single value, not a section.");
            if (Parses(property.PropertyType, value)) continue;
            throw new ArgumentException($"{key}={(value.Length == 0 ? "(empty)" : $"'{value}'")} is not {Expected(property)}.");
        }
    }

    private static bool Parses(Type type, string value) => type switch
    {
        _ when type == typeof(int) => int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
        _ when type == typeof(long) => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
        _ when type == typeof(double) => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d),
        { IsEnum: true } => !value.Any(char.IsDigit) && Enum.TryParse(type, value, ignoreCase: true, out var parsed) && Enum.IsDefined(type, parsed!),
        _ => true,
    };

    private static string Expected(PropertyInfo property)
    {
        var range = property.GetCustomAttribute<RangeAttribute>();
        var bounds = range is null ? "" : FormattableString.Invariant($" from {range.Minimum} to {range.Maximum}");
        return property.PropertyType switch
        {
            { IsEnum: true } type => $"one of {string.Join(", ", Enum.GetNames(type))}",
            var type when type == typeof(double) => $"a finite number{bounds}",
            _ => $"a whole number{bounds}",
        };
    }
}
