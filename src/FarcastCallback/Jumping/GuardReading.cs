namespace FarcastCallback.Jumping;

/// <summary>One evaluation of the guard: the mean verification loss and, when the user gives them, the per-example losses.</summary>
internal readonly record struct GuardReading(double Mean, double[]? Examples);
