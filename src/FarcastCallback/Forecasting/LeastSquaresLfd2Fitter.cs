namespace FarcastCallback.Forecasting;

/// <summary>
/// Closed-form LFD-2 fit: minimises
/// <c>mean_(i,j) (x_i·θ_j - y_ij)² + λ · mean_i (x_i·(θ_H - θ_(H-1)))²</c>.
/// Only θ_(H-1) and θ_H are coupled by the regularizer; with μ = λH, the normal equations of that pair separate in
/// u = θ_(H-1) + θ_H and v = θ_H - θ_(H-1): <c>G u = b_(H-1) + b_H</c> and <c>(1 + 2μ) G v = b_H - b_(H-1)</c>.
/// For H = 1 the regularizer compares ŵ_1 with the last observed weight. A target step the window did not record (no
/// jump can use it: <see cref="Jumping.JumpLadder.Reachable"/>) gets NaN coefficients, so a forecast from it can never
/// be written.
/// </summary>
internal static class LeastSquaresLfd2Fitter
{
    public static Lfd2Map Fit(Lfd2Statistics statistics, double lambda)
    {
        var horizon = statistics.Horizon;
        if (!statistics.HasInput || !statistics.HasTarget(horizon) || (lambda > 0 && horizon > 1 && !statistics.HasTarget(horizon - 1)))
            throw new InvalidOperationException("The LFD-2 statistics are incomplete: the window has not reached its last target step.");

        var gram = statistics.Gram();
        var mu = lambda * horizon;
        var theta = new Vector3[horizon];

        for (var j = 1; j <= horizon; j++)
            theta[j - 1] = statistics.HasTarget(j) ? Solve(gram, statistics.Cross(j)) : new Vector3(double.NaN, double.NaN, double.NaN);

        if (mu > 0 && horizon == 1)
        {
            var anchor = Lfd2Map.LastObservedInDisplacementForm;
            theta[0] = (1.0 / (1.0 + mu)) * Solve(gram, statistics.Cross(1) + mu * Multiply(gram, anchor));
        }
        else if (mu > 0)
        {
            var previous = statistics.Cross(horizon - 1);
            var last = statistics.Cross(horizon);
            var u = Solve(gram, previous + last);
            var v = (1.0 / (1.0 + 2.0 * mu)) * Solve(gram, last - previous);
            theta[horizon - 2] = 0.5 * (u - v);
            theta[horizon - 1] = 0.5 * (u + v);
        }

        return Lfd2Map.FromDisplacementForm(theta);
    }

    private static Vector3 Solve(double[,] gram, Vector3 rhs) =>
        Vector3.FromArray(SymmetricSolver.Solve(gram, new[] { rhs.X, rhs.Y, rhs.Z }));

    private static Vector3 Multiply(double[,] m, Vector3 v) => new(
        m[0, 0] * v.X + m[0, 1] * v.Y + m[0, 2] * v.Z,
        m[1, 0] * v.X + m[1, 1] * v.Y + m[1, 2] * v.Z,
        m[2, 0] * v.X + m[2, 1] * v.Y + m[2, 2] * v.Z);
}
