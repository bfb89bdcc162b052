namespace FarcastCallback.Forecasting;

/// <summary>
/// The paper's LFD-2 loss on a sample of scalars: minimises
/// <c>mean_(i,j) |x_i·θ_j - y_ij| + λ · mean_i |x_i·(θ_H - θ_(H-1))|</c> by iteratively reweighted least squares,
/// starting from the least-squares solution. Steps before H - 1 are independent 3-parameter problems; the
/// regularizer couples θ_(H-1) and θ_H into one 6-parameter problem (for H = 1 it anchors θ_1 to the last
/// observed weight).
/// </summary>
internal static class L1Lfd2Fitter
{
    private const int MaxIterations = 200;
    private const double RelativeTolerance = 1e-12;

    public static Lfd2Map Fit(Lfd2Sample sample, double lambda)
    {
        if (!sample.IsComplete)
            throw new InvalidOperationException("The L1 sample is incomplete: the window has not reached its last target step.");
        if (sample.Count == 0)
            throw new InvalidOperationException("The L1 sample holds no scalars.");

        var horizon = sample.Horizon;
        var mu = lambda * horizon;
        var theta = new Vector3[horizon];
        var coupledFrom = mu > 0 ? Math.Max(1, horizon - 1) : horizon + 1;

        for (var j = 1; j < coupledFrom && j <= horizon; j++)
            theta[j - 1] = Vector3.FromArray(SolveLeastAbsolute(DataRows(sample, j, offset: 0, width: 3).ToList()));

        if (mu > 0 && horizon == 1)
        {
            var rows = DataRows(sample, 1, offset: 0, width: 3).Concat(AnchorRows(sample, mu)).ToList();
            theta[0] = Vector3.FromArray(SolveLeastAbsolute(rows));
        }
        else if (mu > 0)
        {
            var rows = DataRows(sample, horizon - 1, offset: 0, width: 6)
                .Concat(DataRows(sample, horizon, offset: 3, width: 6))
                .Concat(CouplingRows(sample, mu))
                .ToList();
            var pair = SolveLeastAbsolute(rows);
            theta[horizon - 2] = Vector3.FromArray(pair, 0);
            theta[horizon - 1] = Vector3.FromArray(pair, 3);
        }

        return Lfd2Map.FromDisplacementForm(theta);
    }

    /// <summary>One absolute-value term of the objective: weight · |row · θ - target|.</summary>
    internal readonly record struct Row(double[] Coefficients, double Target, double Weight);

    /// <summary>Minimises Σ weight_k · |row_k · θ - target_k| by iteratively reweighted least squares.</summary>
    internal static double[] SolveLeastAbsolute(IReadOnlyList<Row> rows)
    {
        var width = rows[0].Coefficients.Length;
        var scale = rows.Select(r => Math.Abs(r.Target)).DefaultIfEmpty(0).Average() + rows.Average(r => r.Coefficients.Sum(Math.Abs)) * 1e-3;
        var epsilon = Math.Max(scale, 1e-300) * 1e-10;
        var iterationWeights = rows.Select(_ => 1.0).ToArray();
        var theta = WeightedLeastSquares(rows, iterationWeights, width);
        var previousObjective = double.PositiveInfinity;

        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            double objective = 0;
            for (var k = 0; k < rows.Count; k++)
            {
                var residual = Math.Abs(Residual(rows[k], theta));
                objective += rows[k].Weight * residual;
                iterationWeights[k] = 1.0 / Math.Max(residual, epsilon);
            }
            if (previousObjective - objective <= RelativeTolerance * Math.Max(objective, 1e-300) && iteration > 0)
                break;
            previousObjective = objective;
            theta = WeightedLeastSquares(rows, iterationWeights, width);
        }

        return theta;
    }

    private static double Residual(Row row, double[] theta)
    {
        var value = -row.Target;
        for (var i = 0; i < theta.Length; i++) value += row.Coefficients[i] * theta[i];
        return value;
    }

    private static double[] WeightedLeastSquares(IReadOnlyList<Row> rows, double[] iterationWeights, int width)
    {
        var gram = new double[width, width];
        var rhs = new double[width];
        for (var k = 0; k < rows.Count; k++)
        {
            var w = rows[k].Weight * iterationWeights[k];
            var a = rows[k].Coefficients;
            for (var p = 0; p < width; p++)
            {
                if (a[p] == 0) continue;
                rhs[p] += w * a[p] * rows[k].Target;
                for (var q = 0; q < width; q++) gram[p, q] += w * a[p] * a[q];
            }
        }
        return SymmetricSolver.Solve(gram, rhs);
    }

    private static IEnumerable<Row> DataRows(Lfd2Sample sample, int j, int offset, int width)
    {
        for (var i = 0; i < sample.Count; i++)
        {
            var coefficients = new double[width];
            coefficients[offset] = sample.First[i];
            coefficients[offset + 1] = sample.Displacement[i];
            coefficients[offset + 2] = 1.0;
            yield return new Row(coefficients, sample.Targets[j - 1][i], 1.0);
        }
    }

    private static IEnumerable<Row> CouplingRows(Lfd2Sample sample, double mu)
    {
        for (var i = 0; i < sample.Count; i++)
        {
            var coefficients = new[] { -sample.First[i], -sample.Displacement[i], -1.0, sample.First[i], sample.Displacement[i], 1.0 };
            yield return new Row(coefficients, 0.0, mu);
        }
    }

    private static IEnumerable<Row> AnchorRows(Lfd2Sample sample, double mu)
    {
        // ŵ_1 - w(last) = x·θ_1 - D in displacement form.
        for (var i = 0; i < sample.Count; i++)
            yield return new Row(new[] { sample.First[i], sample.Displacement[i], 1.0 }, sample.Displacement[i], mu);
    }
}
