using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FarcastCallback.Jumping;

/// <summary>
/// Re-initialises the inner optimizer's per-parameter state (Adam's step count and moments, SGD's momentum
/// buffer). Only optimizers implemented in managed code (<see cref="OptimizerHelper"/>) expose their state.
/// </summary>
internal static class OptimizerStateReset
{
    public static bool IsSupported(optim.Optimizer optimizer) => optimizer is OptimizerHelper;

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
