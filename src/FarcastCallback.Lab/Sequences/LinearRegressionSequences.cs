namespace FarcastCallback.Lab.Sequences;

/// <summary>
/// Syn-1 (docs/design.md, "The paper's protocol"): per problem <c>w* ~ N(0, I_d)</c>, <c>X</c> 100×d ~ N(0, 1), <c>y = X w*</c> (no noise),
/// <c>w(0) ~ U(0, 1)^d</c>, gradient <c>(Xbᵀ Xb) w − Xbᵀ yb</c> (a sum over rows, not a mean). GD uses every row with
/// rate <c>0.01 / λ_max(XᵀX)</c>, so the top eigen-direction contracts by exactly 0.99 per step (the others more
/// slowly); SGD uses 8 random
/// rows per step (drawn without replacement) with rate 0.001.
/// </summary>
public static class LinearRegressionSequences
{
    public const int Rows = 100;
    public const int SgdBatchSize = 8;
    public const double SgdRate = 0.001;
    public const double GdRateTimesLargestEigenvalue = 0.01;

    public static WeightSequences Generate(UpdateRule rule, int dimension, int problems = 200, int updates = 200, int seed = 0)
    {
        if (rule is not (UpdateRule.Gd or UpdateRule.Sgd))
            throw new ArgumentException($"Syn-1 records GD or SGD trajectories, not {rule}.", nameof(rule));
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), "The dimension must be at least 1.");
        var losses = new double[problems, updates + 1];
        var sequences = new WeightSequences(problems, updates + 1, dimension) { Losses = losses };
        for (var p = 0; p < problems; p++)
        {
            var problem = Problem.Create(dimension, new GaussianRandom(ProblemSeed(seed, p)));
            var random = new GaussianRandom(BatchSeed(seed, p));
            var w = problem.Initial.ToArray();
            var rate = rule == UpdateRule.Gd ? GdRateTimesLargestEigenvalue / problem.LargestEigenvalue : SgdRate;
            for (var t = 0; t <= updates; t++)
            {
                for (var i = 0; i < dimension; i++) sequences[p, t, i] = w[i];
                losses[p, t] = problem.MeanSquaredError(w);
                if (t == updates) break;
                var rows = rule == UpdateRule.Gd ? Enumerable.Range(0, Rows).ToArray() : random.Choose(Rows, SgdBatchSize);
                var gradient = problem.Gradient(w, rows);
                for (var i = 0; i < dimension; i++) w[i] -= rate * gradient[i];
            }
        }
        return sequences;
    }

    internal static int ProblemSeed(int seed, int problem) => Seeds.Derive(seed, problem, 1);

    internal static int BatchSeed(int seed, int problem) => Seeds.Derive(seed, problem, 2);

    /// <summary>One regression problem: data, optimum and initial weight.</summary>
    internal sealed class Problem
    {
        private Problem(double[,] x, double[] y, double[] optimum, double[] initial)
        {
            X = x;
            Y = y;
            Optimum = optimum;
            Initial = initial;
            LargestEigenvalue = LargestEigenvalueOfGram(x);
        }

        public double[,] X { get; }
        public double[] Y { get; }
        public double[] Optimum { get; }
        public double[] Initial { get; }
        public double LargestEigenvalue { get; }

        public static Problem Create(int dimension, GaussianRandom random)
        {
            var optimum = Enumerable.Range(0, dimension).Select(_ => random.Normal()).ToArray();
            var x = new double[Rows, dimension];
            for (var r = 0; r < Rows; r++)
                for (var i = 0; i < dimension; i++)
                    x[r, i] = random.Normal();
            var y = new double[Rows];
            for (var r = 0; r < Rows; r++)
                for (var i = 0; i < dimension; i++)
                    y[r] += x[r, i] * optimum[i];
            var initial = Enumerable.Range(0, dimension).Select(_ => random.Uniform()).ToArray();
            return new Problem(x, y, optimum, initial);
        }

        /// <summary>The training loss recorded with each step: mean over all rows of (x·w − y)².</summary>
        public double MeanSquaredError(double[] w)
        {
            double total = 0;
            for (var r = 0; r < Rows; r++)
            {
                double residual = -Y[r];
                for (var i = 0; i < w.Length; i++) residual += X[r, i] * w[i];
                total += residual * residual;
            }
            return total / Rows;
        }

        /// <summary>(Xbᵀ Xb) w − Xbᵀ yb over the given rows.</summary>
        public double[] Gradient(double[] w, IEnumerable<int> rows)
        {
            var gradient = new double[w.Length];
            foreach (var r in rows)
            {
                double residual = -Y[r];
                for (var i = 0; i < w.Length; i++) residual += X[r, i] * w[i];
                for (var i = 0; i < w.Length; i++) gradient[i] += X[r, i] * residual;
            }
            return gradient;
        }

        private static double LargestEigenvalueOfGram(double[,] x)
        {
            var d = x.GetLength(1);
            var gram = new double[d, d];
            for (var r = 0; r < x.GetLength(0); r++)
                for (var i = 0; i < d; i++)
                    for (var j = 0; j < d; j++)
                        gram[i, j] += x[r, i] * x[r, j];
            var v = Enumerable.Repeat(1.0 / Math.Sqrt(d), d).ToArray();
            double lambda = 0;
            for (var iteration = 0; iteration < 10_000; iteration++)
            {
                var next = new double[d];
                for (var i = 0; i < d; i++)
                    for (var j = 0; j < d; j++)
                        next[i] += gram[i, j] * v[j];
                var norm = Math.Sqrt(next.Sum(e => e * e));
                for (var i = 0; i < d; i++) next[i] /= norm;
                var converged = Math.Abs(norm - lambda) <= 1e-14 * norm;
                lambda = norm;
                v = next;
                if (converged) break;
            }
            return lambda;
        }
    }
}
