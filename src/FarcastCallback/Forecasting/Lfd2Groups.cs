namespace FarcastCallback.Forecasting;

/// <summary>
/// Which scalars share one map: under <see cref="FarcastGranularity.PerTensor"/> each parameter's records are fitted
/// alone; under <see cref="FarcastGranularity.Global"/> they are pooled (summed statistics, concatenated samples) and
/// one map serves every parameter, as in the paper.
/// </summary>
internal static class Lfd2Groups
{
    public static Lfd2Map[] Fit<TRecord>(IReadOnlyList<TRecord> perParameter, FarcastGranularity granularity,
        Func<IReadOnlyList<TRecord>, TRecord> pool, Func<TRecord, Lfd2Map> fit)
    {
        if (granularity == FarcastGranularity.Global)
            return Enumerable.Repeat(fit(pool(perParameter)), perParameter.Count).ToArray();
        return perParameter.Select(fit).ToArray();
    }
}
