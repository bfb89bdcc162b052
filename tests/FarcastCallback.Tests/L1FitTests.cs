using FarcastCallback.Forecasting;

namespace FarcastCallback.Tests;

public sealed class L1FitTests
{
    [Test]
    public void L1_recovers_the_exact_map_despite_outliers_where_least_squares_does_not()
    {
        var window = new SyntheticWindow(seed: 7, count: 400, horizon: 4, noise: 0.0);
        var truth = LeastSquaresLfd2Fitter.Fit(window.Statistics(), 0.0);   // exact: the clean data has no noise
        var random = new Random(8);
        for (var j = 0; j < window.Horizon; j++)
            for (var k = 0; k < 40; k++)                                   // 10% gross outliers
                window.Targets[j][random.Next(window.First.Length)] += 5.0 * (random.NextDouble() + 0.5);

        var l1 = L1Lfd2Fitter.Fit(window.Sample(), 0.0);
        var leastSquares = LeastSquaresLfd2Fitter.Fit(window.Statistics(), 0.0);

        for (var j = 1; j <= window.Horizon; j++)
        {
            Assert.That(l1[j].A, Is.EqualTo(truth[j].A).Within(1e-6), $"a_{j}");
            Assert.That(l1[j].B, Is.EqualTo(truth[j].B).Within(1e-6), $"b_{j}");
            Assert.That(l1[j].C, Is.EqualTo(truth[j].C).Within(1e-6), $"c_{j}");
            Assert.That(Math.Abs(leastSquares[j].C - truth[j].C), Is.GreaterThan(0.1), $"least squares is pulled by the outliers at step {j}");
        }
    }

    [TestCase(0.0, 5)]
    [TestCase(0.5, 5)]
    [TestCase(0.5, 1)]
    public void The_L1_fit_is_a_least_absolute_deviation_minimum(double lambda, int horizon)
    {
        var window = new SyntheticWindow(seed: 9, count: 150, horizon: horizon, noise: 0.05);
        var map = L1Lfd2Fitter.Fit(window.Sample(), lambda);
        var best = window.AbsoluteObjective(map, lambda);
        var random = new Random(10);

        for (var trial = 0; trial < 300; trial++)
        {
            var perturbed = SyntheticWindow.Perturb(map, random.Next(1, map.Horizon + 1), random, 1e-3);
            Assert.That(window.AbsoluteObjective(perturbed, lambda), Is.GreaterThanOrEqualTo(best - 1e-9));
        }
    }
}
