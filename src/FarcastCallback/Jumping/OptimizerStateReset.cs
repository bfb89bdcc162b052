using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Jumping;

/// <summary>
/// Re-initialises the inner optimizer's per-parameter state (Adam's step count and moments, SGD's momentum
/// buffer). Only optimizers implemented in managed code (<see cref="OptimizerHelper"/>) expose their state.
/// </summary>
internal static class OptimizerStateReset
{
    /// <summary>Refuses <see cref="OptimizerStatePolicy.Reset"/> for an optimizer whose state is native.</summary>
    public static void ThrowIfUnsupported(optim.Optimizer optimizer, OptimizerStatePolicy policy)
    {
        if (policy == OptimizerStatePolicy.Reset && optimizer is not OptimizerHelper)
            throw new ArgumentException(
                $"{FarcastOptions.SectionName}:{nameof(FarcastOptions.OptimizerState)} is Reset, but {optimizer.GetType().Name} does not expose its " +
                "per-parameter state; use Keep or a managed TorchSharp optimizer (SGD, Adam, AdamW, ...).", "options");
    }

    public static void Reset(optim.Optimizer optimizer)
    {
        if (optimizer is not OptimizerHelper helper)
            throw new NotSupportedException($"{optimizer.GetType().Name} does not expose its per-parameter state.");
        var state = helper.state_dict();
        for (var group = 0; group < state.Options.Count; group++)
            foreach (var index in state.StateIndexRef[group])
                state.State[index].Initialize(state.Options[group]);
    }
}
