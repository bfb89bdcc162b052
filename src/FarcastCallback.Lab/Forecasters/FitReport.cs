namespace FarcastCallback.Lab.Forecasters;

/// <summary>How a fit went: epochs run (1 for a closed form), wall-clock seconds and the best dev error (NaN if none).</summary>
public sealed record FitReport(int Epochs, double Seconds, double DevError = double.NaN)
{
    public double SecondsPerEpoch => Epochs == 0 ? 0 : Seconds / Epochs;
}
