using System.ComponentModel;
using System.Globalization;

namespace FarcastCallback.Cli.Commands;

/// <summary>
/// Reads an enum option by name only, case-insensitively: Spectre's own conversion also takes numbers, so
/// <c>--preset 5</c> ran a preset that does not exist and <c>--optimizer 1</c> meant whatever 1 is today.
/// </summary>
internal sealed class NamedEnumConverter<TEnum> : TypeConverter where TEnum : struct, Enum
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string);

    public override object ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value)
    {
        var text = value as string ?? string.Empty;
        var names = Enum.GetNames<TEnum>();
        var name = names.FirstOrDefault(n => string.Equals(n, text.Trim(), StringComparison.OrdinalIgnoreCase));
        return name is not null
            ? Enum.Parse<TEnum>(name)
            : throw new InvalidOperationException($"'{text}' is not one of {typeof(TEnum).Name}'s names: {string.Join(", ", names)}.");
    }
}
