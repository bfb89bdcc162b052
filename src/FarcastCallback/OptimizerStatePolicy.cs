namespace FarcastCallback;

/// <summary>What happens to the inner optimizer's per-parameter state (momentum, Adam moments) after an accepted jump.</summary>
public enum OptimizerStatePolicy
{
    /// <summary>Leave the state as it is (as WNN and NiNo do).</summary>
    Keep = 0,

    /// <summary>Re-initialise the state of every parameter, as if the optimizer had just been created.</summary>
    Reset = 1,
}
