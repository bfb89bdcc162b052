namespace FarcastCallback.Lab.Sequences;

/// <summary>The optimizer whose trajectories a synthetic set records.</summary>
public enum UpdateRule
{
    /// <summary>Full-batch gradient descent (Syn-1).</summary>
    Gd,

    /// <summary>Minibatch stochastic gradient descent (Syn-1, Syn-2).</summary>
    Sgd,

    /// <summary>Adam (Syn-2).</summary>
    Adam,
}
