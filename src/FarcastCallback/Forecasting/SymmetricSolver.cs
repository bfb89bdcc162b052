namespace FarcastCallback.Forecasting;

/// <summary>
/// Minimum-norm solution of <c>G x = b</c> for a small symmetric positive semi-definite <c>G</c>, by a Jacobi
/// eigen-decomposition of the diagonally scaled matrix. Singular directions are dropped rather than inverted:
/// a tensor that never moved (zero displacement) or a constant tensor (first weight collinear with the
/// intercept) must give a finite map, not NaN.
/// </summary>
internal static class SymmetricSolver
{
    private const double RelativeEigenvalueFloor = 1e-12;

    public static double[] Solve(double[,] g, double[] b)
    {
        var n = b.Length;
        // Non-finite sums (a weight went to infinity, a sequence holds NaN) give a non-finite map, which is never written.
        if (b.Any(v => !double.IsFinite(v)) || g.Cast<double>().Any(v => !double.IsFinite(v)))
            return Enumerable.Repeat(double.NaN, n).ToArray();
        var scale = new double[n];
        for (var i = 0; i < n; i++)
            scale[i] = g[i, i] > 0 && double.IsFinite(g[i, i]) ? 1.0 / Math.Sqrt(g[i, i]) : 0.0;

        // Scaled system: (S G S) y = S b, x = S y. Conditioning then depends on correlations, not magnitudes.
        var a = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                a[i, j] = g[i, j] * scale[i] * scale[j];

        var (values, vectors) = JacobiEigen(a);
        var largest = values.Select(Math.Abs).DefaultIfEmpty(0).Max();
        var floor = largest * RelativeEigenvalueFloor;

        var y = new double[n];
        for (var k = 0; k < n; k++)
        {
            if (!(values[k] > floor)) continue;
            double projection = 0;
            for (var i = 0; i < n; i++) projection += vectors[i, k] * b[i] * scale[i];
            projection /= values[k];
            for (var i = 0; i < n; i++) y[i] += projection * vectors[i, k];
        }

        for (var i = 0; i < n; i++) y[i] *= scale[i];
        return y;
    }

    private static (double[] Values, double[,] Vectors) JacobiEigen(double[,] matrix)
    {
        var n = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var v = new double[n, n];
        for (var i = 0; i < n; i++) v[i, i] = 1.0;

        for (var sweep = 0; sweep < 100; sweep++)
        {
            double offDiagonal = 0;
            for (var p = 0; p < n; p++)
                for (var q = p + 1; q < n; q++)
                    offDiagonal += a[p, q] * a[p, q];
            if (offDiagonal < 1e-30) break;

            for (var p = 0; p < n; p++)
            {
                for (var q = p + 1; q < n; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-300) continue;
                    var theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    var t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    var c = 1 / Math.Sqrt(t * t + 1);
                    var s = t * c;
                    for (var k = 0; k < n; k++) Rotate(ref a[k, p], ref a[k, q], c, s);
                    for (var k = 0; k < n; k++) Rotate(ref a[p, k], ref a[q, k], c, s);
                    for (var k = 0; k < n; k++) Rotate(ref v[k, p], ref v[k, q], c, s);
                }
            }
        }

        var values = new double[n];
        for (var i = 0; i < n; i++) values[i] = a[i, i];
        return (values, v);
    }

    /// <summary>One Givens rotation of the pair (x, y) by the angle whose cosine and sine are c and s.</summary>
    private static void Rotate(ref double x, ref double y, double c, double s) => (x, y) = (c * x - s * y, s * x + c * y);
}
