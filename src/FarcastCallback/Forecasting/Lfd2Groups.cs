namespace FarcastCallback.Forecasting;

/// <summary>
/// Which scalars share one map. Under <see cref="FarcastGranularity.Global"/> every parameter's records are pooled
/// (summed statistics, concatenated samples) and one map serves the whole model, as in the paper. Under
/// <see cref="FarcastGranularity.PerTensor"/> each tensor is fitted alone, except tensors smaller than
/// <see cref="FarcastOptions.MinTensorSize"/>: a map has three coefficients per step, so those are pooled together
/// (with the whole model when even their pool is smaller than that) instead of being interpolated by wild coefficients.
/// </summary>
internal static class Lfd2Groups
{
    public static Lfd2Map[] Fit<TRecord>(IReadOnlyList<TRecord> perParameter, IReadOnlyList<long> sizes, FarcastOptions options,
        Func<IReadOnlyList<TRecord>, TRecord> pool, Func<TRecord, Lfd2Map> fit)
    {
        if (options.Granularity == FarcastGranularity.Global)
            return Enumerable.Repeat(fit(pool(perParameter)), perParameter.Count).ToArray();

        var small = Enumerable.Range(0, sizes.Count).Where(i => sizes[i] < options.MinTensorSize).ToArray();
        Lfd2Map? shared = null;
        if (small.Length > 0)
        {
            var pooled = small.Sum(i => sizes[i]) >= options.MinTensorSize ? small.Select(i => perParameter[i]).ToArray() : perParameter;
            shared = fit(pool(pooled));
        }
        return perParameter.Select((record, i) => sizes[i] < options.MinTensorSize ? shared! : fit(record)).ToArray();
    }
}
