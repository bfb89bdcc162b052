namespace FarcastCallback.Forecasting;

/// <summary>
/// Which scalars share one map: each parameter tensor is fitted alone, except tensors smaller than
/// <see cref="FarcastOptions.MinTensorSize"/>. A map has three coefficients per step, so those are pooled together
/// (with the whole model when even their pool is smaller than that) instead of being interpolated by wild coefficients
/// (docs/design.md, "Small tensors").
/// </summary>
internal static class Lfd2Groups
{
    public static Lfd2Map[] Fit(IReadOnlyList<Lfd2Statistics> perParameter, IReadOnlyList<long> sizes, int minTensorSize, Func<Lfd2Statistics, Lfd2Map> fit)
    {
        var small = Enumerable.Range(0, sizes.Count).Where(i => sizes[i] < minTensorSize).ToArray();
        Lfd2Map? shared = null;
        if (small.Length > 0)
        {
            var pooled = small.Sum(i => sizes[i]) >= minTensorSize ? small.Select(i => perParameter[i]).ToArray() : perParameter;
            shared = fit(Lfd2Statistics.Sum(pooled));
        }
        return perParameter.Select((record, i) => sizes[i] < minTensorSize ? shared! : fit(record)).ToArray();
    }
}
