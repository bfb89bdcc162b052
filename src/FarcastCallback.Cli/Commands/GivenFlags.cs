namespace FarcastCallback.Cli.Commands;

/// <summary>
/// Whether an option was written on the command line, in any of the forms Spectre.Console.Cli reads as the same option
/// (<c>--opt value</c>, <c>--opt=value</c>, <c>--opt:value</c>): an option with a default cannot tell "given" from its
/// default value, and checking only one form let <c>--lr:0.05</c> slip past every check.
/// </summary>
internal static class GivenFlags
{
    public static bool Given(this IReadOnlyList<string> arguments, string flag) =>
        arguments.Any(a => a == flag || a.StartsWith(flag + "=", StringComparison.Ordinal) || a.StartsWith(flag + ":", StringComparison.Ordinal));

    /// <summary>Throws a one-line error when one of <paramref name="flags"/> was given where it does not apply.</summary>
    public static void RefuseWhere(this IReadOnlyList<string> arguments, bool doesNotApply, string where, params string[] flags)
    {
        if (!doesNotApply) return;
        foreach (var flag in flags)
            if (arguments.Given(flag)) throw new ArgumentException($"{flag} applies to {where} only.");
    }
}
