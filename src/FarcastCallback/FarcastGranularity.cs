namespace FarcastCallback;

/// <summary>Which scalars share one LFD-2 map.</summary>
public enum FarcastGranularity
{
    /// <summary>One map per parameter tensor: tensors that move at different rates get their own coefficients.</summary>
    PerTensor = 0,

    /// <summary>One map shared by every scalar of the model, as in the paper.</summary>
    Global = 1,
}
