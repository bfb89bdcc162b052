namespace FarcastCallback.Lab.Evaluation;

/// <summary>Mean and sample standard deviation over trials (NaN where a model cannot reach a checkpoint).</summary>
public readonly record struct MeanStd(double Mean, double Std)
{
    public static MeanStd Of(IReadOnlyList<double> values)
    {
        if (values.Count == 0 || values.Any(double.IsNaN)) return new MeanStd(double.NaN, double.NaN);
        var mean = values.Average();
        var std = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0.0;
        return new MeanStd(mean, std);
    }
}

/// <summary>One forecaster's results over all trials.</summary>
public sealed record ModelResult(
    string Name,
    IReadOnlyDictionary<int, MeanStd> Mse,
    double FitSeconds,
    double SecondsPerEpoch,
    double Epochs,
    long Parameters);
