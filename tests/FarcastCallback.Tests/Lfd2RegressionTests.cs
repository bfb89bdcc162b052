using FarcastCallback.Forecasting;

namespace FarcastCallback.Tests;

public sealed class Lfd2RegressionTests
{
    [Test]
    public void The_offline_fit_recovers_the_gradient_descent_oracle()
    {
        // docs/design.md, "Exact oracle": w(t) = w* + 0.99^t (w(0) - w*) is linear in (w(0), w(20)).
        const int horizon = 10;
        var regression = new Lfd2Regression(horizon);
        var random = new Random(3);
        var targets = new double[horizon];
        for (var i = 0; i < 200; i++)
        {
            var (start, optimum) = (random.NextDouble(), random.NextDouble() * 2 - 1);
            double W(int t) => optimum + Math.Pow(0.99, t) * (start - optimum);
            for (var j = 1; j <= horizon; j++) targets[j - 1] = W(20 + j);
            regression.Add(W(0), W(20), targets);
        }

        var map = regression.Fit();

        Assert.That(regression.Count, Is.EqualTo(200));
        for (var j = 1; j <= horizon; j++)
        {
            var b = (1 - Math.Pow(0.99, 20 + j)) / (1 - Math.Pow(0.99, 20));
            Assert.That(map[j].B, Is.EqualTo(b).Within(1e-8));
            Assert.That(map[j].A, Is.EqualTo(Math.Pow(0.99, 20 + j) - Math.Pow(0.99, 20) * b).Within(1e-8));
            Assert.That(map.Forecast(j, 1.0, 0.5), Is.EqualTo(map[j].A + 0.5 * map[j].B + map[j].C).Within(1e-15));
        }
    }

    [Test]
    public void Mistakes_are_refused()
    {
        Assert.That(() => new Lfd2Regression(0), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new Lfd2Regression(3).Fit(), Throws.InvalidOperationException.With.Message.Contains("No trajectories"));
        Assert.That(() => new Lfd2Regression(3).Add(1, 2, new double[2]), Throws.ArgumentException.With.Message.Contains("Expected 3 target weights"));
        var regression = new Lfd2Regression(1);
        regression.Add(1, 2, new[] { 3.0 });
        Assert.That(() => regression.Fit(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
