using FarcastCallback.Lab.Sequences;

namespace FarcastCallback.Lab.Tests;

public sealed class GeneratorTests
{
    [Test]
    public void Syn1_gradient_descent_contracts_by_exactly_0_99_per_step_in_one_dimension()
    {
        var sequences = LinearRegressionSequences.Generate(UpdateRule.Gd, dimension: 1, problems: 4, updates: 60, seed: 3);

        Assert.That(sequences.Sequences, Is.EqualTo(4));
        Assert.That(sequences.Steps, Is.EqualTo(61));
        for (var p = 0; p < 4; p++)
            for (var t = 0; t + 2 < 61; t++)
            {
                var ratio = (sequences[p, t + 2, 0] - sequences[p, t + 1, 0]) / (sequences[p, t + 1, 0] - sequences[p, t, 0]);
                Assert.That(ratio, Is.EqualTo(0.99).Within(1e-9), $"problem {p}, step {t}");
            }
    }

    [Test]
    public void Syn1_sgd_steps_use_8_distinct_rows_at_rate_0_001()
    {
        const int seed = 5;
        var sequences = LinearRegressionSequences.Generate(UpdateRule.Sgd, dimension: 3, problems: 2, updates: 3, seed: seed);

        for (var p = 0; p < 2; p++)
        {
            var problem = LinearRegressionSequences.Problem.Create(3, new GaussianRandom(LinearRegressionSequences.ProblemSeed(seed, p)));
            var batches = new GaussianRandom(LinearRegressionSequences.BatchSeed(seed, p));
            var w = problem.Initial.ToArray();
            for (var t = 0; t < 3; t++)
            {
                var rows = batches.Choose(LinearRegressionSequences.Rows, LinearRegressionSequences.SgdBatchSize);
                Assert.That(rows.Distinct().Count(), Is.EqualTo(8));
                var gradient = problem.Gradient(w, rows);
                for (var i = 0; i < 3; i++) w[i] -= 0.001 * gradient[i];
                for (var i = 0; i < 3; i++) Assert.That(sequences[p, t + 1, i], Is.EqualTo(w[i]).Within(1e-15));
            }
        }
    }

    [Test]
    public void Syn1_starts_from_uniform_weights_and_records_the_loss()
    {
        var sequences = LinearRegressionSequences.Generate(UpdateRule.Gd, dimension: 3, problems: 10, updates: 5, seed: 1);

        for (var p = 0; p < 10; p++)
            for (var i = 0; i < 3; i++)
                Assert.That(sequences[p, 0, i], Is.InRange(0.0, 1.0));
        Assert.That(sequences.Losses![0, 5], Is.LessThan(sequences.Losses[0, 0]));
    }

    [Test]
    public void Generators_are_deterministic_for_a_seed_and_differ_across_seeds()
    {
        var a = MlpSequences.Generate(UpdateRule.Adam, problems: 2, updates: 5, seed: 7);
        var b = MlpSequences.Generate(UpdateRule.Adam, problems: 2, updates: 5, seed: 7);
        var c = MlpSequences.Generate(UpdateRule.Adam, problems: 2, updates: 5, seed: 8);

        Assert.That(a.Values.ToArray(), Is.EqualTo(b.Values.ToArray()));
        Assert.That(a.Values.ToArray(), Is.Not.EqualTo(c.Values.ToArray()));
    }

    [Test]
    public void Syn2_records_the_31_parameters_of_the_mlp_once_per_step_and_sgd_differs_from_adam()
    {
        var sgd = MlpSequences.Generate(UpdateRule.Sgd, problems: 2, updates: 10, seed: 1);
        var adam = MlpSequences.Generate(UpdateRule.Adam, problems: 2, updates: 10, seed: 1);

        Assert.That(sgd.Scalars, Is.EqualTo(31));
        Assert.That(sgd.Steps, Is.EqualTo(11));
        for (var i = 0; i < 31; i++) Assert.That(sgd[0, 0, i], Is.EqualTo(adam[0, 0, i]), "same initial weights");
        Assert.That(sgd[0, 10, 0], Is.Not.EqualTo(adam[0, 10, 0]));
        // Adam moves every weight by about its rate per step at first; SGD at rate 0.002 moves far less.
        Assert.That(Math.Abs(adam[0, 1, 0] - adam[0, 0, 0]), Is.EqualTo(0.005).Within(0.0005));
        Assert.That(Math.Abs(sgd[0, 1, 0] - sgd[0, 0, 0]), Is.LessThan(0.005));
    }

    [Test]
    public void Wrong_update_rules_are_refused()
    {
        Assert.Throws<ArgumentException>(() => LinearRegressionSequences.Generate(UpdateRule.Adam, 1, 3, 3));
        Assert.Throws<ArgumentException>(() => MlpSequences.Generate(UpdateRule.Gd, 3, 3));
    }
}
