namespace FarcastCallback.Lab.Forecasters;

/// <summary>
/// The forecasting problem of the paper's protocol: the first <see cref="InputSteps"/> weights of a series
/// (steps 0 .. m−1) are known; the weights of steps m .. <see cref="TotalSteps"/> − 1 are forecast at once.
/// </summary>
public sealed record ForecastTask(int InputSteps, int TotalSteps)
{
    /// <summary>The number of forecast steps H.</summary>
    public int Horizon => TotalSteps - InputSteps;

    /// <summary>The last input step, t = m − 1.</summary>
    public int LastInputStep => InputSteps - 1;

    public void Validate()
    {
        if (InputSteps < 2) throw new ArgumentOutOfRangeException(nameof(InputSteps), $"--input-steps must be at least 2; got {InputSteps}.");
        if (Horizon < 2) throw new ArgumentOutOfRangeException(nameof(TotalSteps), $"The series must extend at least 2 steps beyond the input window; got {TotalSteps} steps for {InputSteps} input steps.");
    }
}
