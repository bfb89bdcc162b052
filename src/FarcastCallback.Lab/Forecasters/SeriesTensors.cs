using static TorchSharp.torch;

namespace FarcastCallback.Lab.Forecasters;

/// <summary>Conversions between <c>[series, steps]</c> arrays (float64) and the tensors the trained forecasters use.</summary>
internal static class SeriesTensors
{
    /// <summary>
    /// The trained forecasters compute in float32: half the time of float64 on these sizes, and its 7 digits are far
    /// below every MSE the tables report. The closed-form fit stays in float64.
    /// </summary>
    public const ScalarType TrainingType = ScalarType.Float32;

    /// <summary>The given steps (columns) of every series: <c>[series, steps.Count]</c>, in <see cref="TrainingType"/>.</summary>
    public static Tensor Columns(double[,] series, IReadOnlyList<int> steps)
    {
        var rows = series.GetLength(0);
        var values = new double[rows * steps.Count];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < steps.Count; c++)
                values[r * steps.Count + c] = series[r, steps[c]];
        return tensor(values, new long[] { rows, steps.Count }).to(TrainingType);
    }

    /// <summary>Steps from .. from + count − 1 of every series.</summary>
    public static Tensor Range(double[,] series, int from, int count) => Columns(series, Enumerable.Range(from, count).ToArray());

    public static double[,] ToArray(Tensor matrix)
    {
        using var host = matrix.detach().to(ScalarType.Float64).cpu().contiguous();
        var rows = (int)host.shape[0];
        var columns = (int)host.shape[1];
        var flat = host.data<double>().ToArray();
        var result = new double[rows, columns];
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(double));
        return result;
    }

    /// <summary>A forecast matrix: the input steps copied, the forecast from step m on, NaN where none was made.</summary>
    public static double[,] Assemble(double[,] series, ForecastTask task, Func<int, int, double> forecast)
    {
        var rows = series.GetLength(0);
        var result = new double[rows, task.TotalSteps];
        for (var r = 0; r < rows; r++)
        {
            for (var t = 0; t < task.InputSteps; t++) result[r, t] = series[r, t];
            for (var t = task.InputSteps; t < task.TotalSteps; t++) result[r, t] = forecast(r, t);
        }
        return result;
    }
}
