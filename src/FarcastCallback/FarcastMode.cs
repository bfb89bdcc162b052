namespace FarcastCallback;

/// <summary>What <see cref="FarcastOptimizer"/> does after a farcast jump.</summary>
public enum FarcastMode
{
    /// <summary>Keep training: the next cycle observes a new window, re-fits the map and jumps again.</summary>
    Resume = 0,

    /// <summary>
    /// Farcast the weights of effective step <see cref="FarcastOptions.TotalSteps"/> and then raise
    /// <see cref="FarcastOptimizer.ShouldStop"/> so the host ends training.
    /// </summary>
    Stop = 1,
}
