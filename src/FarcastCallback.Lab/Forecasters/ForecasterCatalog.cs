namespace FarcastCallback.Lab.Forecasters;

/// <summary>The forecasters by the names used in <c>--models</c>, tables and <c>summary.json</c>.</summary>
public static class ForecasterCatalog
{
    /// <summary>Every forecaster, in table order: the paper's seven, then our closed-form LFD-2.</summary>
    public static readonly IReadOnlyList<string> All = new[] { "lfd2", "lfn", "lfl", "lfs", "dlinear", "introspection", "wnn", "lfd2-ls" };

    public static IWeightForecaster Create(string name, TrainerSettings? settings = null) => name switch
    {
        "lfd2" => LinearWindowForecaster.Lfd2(settings: settings),
        "lfd2+loss" => LinearWindowForecaster.Lfd2WithLoss(settings: settings),
        "lfd2-ls" => new ClosedFormLfd2Forecaster(),
        "lfn" => LinearWindowForecaster.Lfn(settings),
        "lfl" => LinearWindowForecaster.Lfl(settings),
        "lfs" => LinearWindowForecaster.Lfs(settings),
        "dlinear" => new DLinearForecaster(settings),
        "introspection" => new IntrospectionForecaster(settings),
        "wnn" => new WnnForecaster(settings),
        _ => throw new ArgumentException($"Unknown model '{name}'. Known models: {string.Join(", ", All.Append("lfd2+loss"))}."),
    };

    /// <summary>Parses a comma-separated <c>--models</c> value, refusing unknown names.</summary>
    public static IReadOnlyList<string> Parse(string list)
    {
        var names = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()).Distinct().ToArray();
        if (names.Length == 0) throw new ArgumentException("--models names no model.");
        foreach (var name in names) Create(name).GetType();   // throws with the list of known names
        return names;
    }
}
