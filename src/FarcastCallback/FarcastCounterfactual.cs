namespace FarcastCallback;

/// <summary>
/// What a delayed judgement (<see cref="FarcastOptions.JudgeAfterSteps"/>) compares the jumped weights with: an estimate
/// of where plain training would be by then.
/// </summary>
public enum FarcastCounterfactual
{
    /// <summary>
    /// The guard's reading before the jump, continued along the trend of its readings across the recent input window:
    /// no extra steps.
    /// </summary>
    Trend = 0,

    /// <summary>
    /// A race: while the jump is under judgement, a twin trains from the pre-jump weights (and the pre-jump optimizer
    /// state) on the same batches, one twin step per real step, and the guard compares the two on the same examples. A
    /// rejected jump adopts the twin, so the run goes on as if no jump had been written; a kept one drops it. The twin's
    /// steps are real steps (counted in <see cref="FarcastOptimizer.RealSteps"/>). Needs <c>step(closure)</c> with a
    /// closure that computes the loss and its gradients (the twin replays it on the same batch) and an inner optimizer
    /// whose state TorchSharp can save; each twin step saves and loads that state twice (docs/design.md, "The race").
    /// </summary>
    Race = 1,
}
