namespace FarcastCallback;

/// <summary>How the LFD-2 coefficients are fitted.</summary>
public enum FarcastFit
{
    /// <summary>
    /// Squared loss and squared regularizer, solved in closed form from sufficient statistics that are
    /// accumulated step by step over every scalar of a group.
    /// </summary>
    LeastSquares = 0,

    /// <summary>
    /// The paper's loss: mean absolute error plus <see cref="FarcastOptions.Lambda"/> times the mean absolute
    /// last-step change, fitted by iteratively reweighted least squares on a uniform sample of
    /// <see cref="FarcastOptions.SampleSize"/> scalars per group.
    /// </summary>
    L1 = 1,
}
