namespace FarcastCallback.Tests;

public sealed class ExponentialWeightAverageTests
{
    [Test]
    public void The_average_follows_its_recurrence_and_swapping_it_in_puts_the_raw_weights_back_bit_for_bit()
    {
        using var w = nn.Parameter(tensor(new[] { 0.0, 4.0 }, ScalarType.Float64));
        using var average = new ExponentialWeightAverage(new[] { w }, decay: 0.75);
        using (no_grad())
        {
            w.copy_(tensor(new[] { 4.0, 0.0 }, ScalarType.Float64));
            average.Update();                        // 0.75·(0, 4) + 0.25·(4, 0) = (1, 3)
            w.copy_(tensor(new[] { 9.0, 7.0 }, ScalarType.Float64));
            average.Update();                        // 0.75·(1, 3) + 0.25·(9, 7) = (3, 4)
        }

        using (average.SwapIn())
        {
            Assert.That(w.data<double>().ToArray(), Is.EqualTo(new[] { 3.0, 4.0 }));
            Assert.Throws<InvalidOperationException>(() => average.Update(), "the average is not updated with itself");
        }
        Assert.That(w.data<double>().ToArray(), Is.EqualTo(new[] { 9.0, 7.0 }));
        Assert.That(average.Updates, Is.EqualTo(2));

        average.Reset();
        using (average.SwapIn()) Assert.That(w.data<double>().ToArray(), Is.EqualTo(new[] { 9.0, 7.0 }));
        Assert.That(average.Updates, Is.EqualTo(0));
    }

    [Test]
    public void A_decay_outside_zero_to_one_and_a_model_without_trainable_weights_are_refused()
    {
        using var w = nn.Parameter(zeros(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialWeightAverage(new[] { w }, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialWeightAverage(new[] { w }, double.NaN));
        using var frozen = nn.Parameter(zeros(3), requires_grad: false);
        Assert.Throws<ArgumentException>(() => new ExponentialWeightAverage(new[] { frozen }, 0.9));
    }

    [Test]
    public void Updating_a_long_run_allocates_nothing_that_stays()
    {
        using var problem = new TinyRegression(seed: 41);
        var optimizer = optim.Adam(problem.Parameters, 0.01);
        using var average = new ExponentialWeightAverage(problem.Parameters, 0.99);
        problem.Step(optimizer);
        average.Update();
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        for (var i = 0; i < 50; i++)
        {
            problem.Step(optimizer);
            average.Update();
            using (average.SwapIn()) problem.Loss();
        }

        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(live));
    }
}
