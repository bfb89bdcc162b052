namespace FarcastCallback.Lab.Forecasters;

/// <summary>How a fit went: epochs run (1 for a closed form) and wall-clock seconds.</summary>
public sealed record FitReport(int Epochs, double Seconds)
{
    public double SecondsPerEpoch => Epochs == 0 ? 0 : Seconds / Epochs;
}
