namespace FarcastCallback.Tests;

internal static class TestExtensions
{
    /// <summary>The deliberate choice to farcast without a guard, for tests of the cycle itself.</summary>
    public static FarcastOptimizer Unguarded(this FarcastOptimizer optimizer)
    {
        optimizer.RunWithoutGuard = true;
        return optimizer;
    }
}
