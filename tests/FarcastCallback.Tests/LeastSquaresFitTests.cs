using FarcastCallback.Forecasting;

namespace FarcastCallback.Tests;

public sealed class LeastSquaresFitTests
{
    [Test]
    public void Larger_lambda_shrinks_the_last_forecast_step()
    {
        var window = new SyntheticWindow(seed: 1, count: 500, horizon: 8, noise: 0.05);
        var statistics = window.Statistics();
        var changes = new[] { 0.0, 0.1, 1.0, 10.0 }
            .Select(lambda => window.LastStepChange(LeastSquaresLfd2Fitter.Fit(statistics, lambda)))
            .ToArray();

        for (var k = 1; k < changes.Length; k++)
            Assert.That(changes[k], Is.LessThan(changes[k - 1]), $"λ step {k}: {string.Join(", ", changes)}");
        Assert.That(changes[^1], Is.LessThan(changes[0] / 50));
    }

    [TestCase(0.0, 8)]
    [TestCase(0.3, 8)]
    [TestCase(2.0, 1)]
    public void The_closed_form_minimises_the_regularized_objective(double lambda, int horizon)
    {
        var window = new SyntheticWindow(seed: 2, count: 300, horizon: horizon, noise: 0.05);
        var map = LeastSquaresLfd2Fitter.Fit(window.Statistics(), lambda);
        var best = window.SquaredObjective(map, lambda);
        var random = new Random(3);

        for (var trial = 0; trial < 200; trial++)
        {
            var j = random.Next(1, horizon + 1);
            var perturbed = SyntheticWindow.Perturb(map, j, random, 1e-3);
            Assert.That(window.SquaredObjective(perturbed, lambda), Is.GreaterThanOrEqualTo(best - 1e-15));
        }
    }

    [Test]
    public void Lambda_zero_equals_independent_least_squares_per_step()
    {
        var window = new SyntheticWindow(seed: 4, count: 200, horizon: 5, noise: 0.02);
        var map = LeastSquaresLfd2Fitter.Fit(window.Statistics(), 0.0);

        for (var j = 1; j <= window.Horizon; j++)
        {
            // Reference: the 3×3 normal equations of step j alone, solved by Cramer's rule.
            var reference = NormalEquations(window, j);
            var (a, b, c) = map[j];
            Assert.That(1 + reference[0] - reference[1], Is.EqualTo(a).Within(1e-9));
            Assert.That(reference[1], Is.EqualTo(b).Within(1e-9));
            Assert.That(reference[2], Is.EqualTo(c).Within(1e-9));
        }
    }

    [Test]
    public void A_tensor_that_never_moved_gets_a_finite_map_that_keeps_it_still()
    {
        var statistics = new Lfd2Statistics(3);
        // Constant tensor (e.g. LayerNorm weights of 1): F is collinear with the intercept and D = 0.
        statistics.SetInput(count: 10, sumFF: 10, sumFD: 0, sumDD: 0, sumF: 10, sumD: 0);
        for (var j = 1; j <= 3; j++) statistics.SetTarget(j, 0, 0, 0);

        var map = LeastSquaresLfd2Fitter.Fit(statistics, 0.01);

        Assert.That(map.IsFinite);
        for (var j = 1; j <= 3; j++)
            Assert.That(map[j].A + map[j].B + map[j].C, Is.EqualTo(1.0).Within(1e-12), "ŵ of a weight of 1 stays 1");
    }

    private static double[] NormalEquations(SyntheticWindow window, int j)
    {
        var g = window.Statistics().Gram();
        var cross = window.Statistics().Cross(j);
        var rhs = new[] { cross.X, cross.Y, cross.Z };
        var det = Det(g);
        var result = new double[3];
        for (var column = 0; column < 3; column++)
        {
            var m = (double[,])g.Clone();
            for (var row = 0; row < 3; row++) m[row, column] = rhs[row];
            result[column] = Det(m) / det;
        }
        return result;
    }

    private static double Det(double[,] m) =>
        m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1])
        - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
        + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);
}
