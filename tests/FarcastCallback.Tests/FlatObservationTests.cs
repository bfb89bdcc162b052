using FarcastCallback.Forecasting;
using FarcastCallback.Observation;
using TorchSharp.Modules;

namespace FarcastCallback.Tests;

/// <summary>
/// The flat buffers (docs/design.md, "The buffers"): parameters laid end to end per dtype, cut into chunks, every sum
/// a segmented reduction. The oracle is the per-scalar float64 accumulation of <see cref="Lfd2Statistics.Add"/>.
/// </summary>
public sealed class FlatObservationTests
{
    [Test]
    public void The_layout_pools_small_parameters_and_cuts_large_ones_into_runs_that_cover_every_scalar_once()
    {
        var big = FlatLayout.PoolScalars;
        var sizes = new[] { 15L, 3 * big + 5, 7, 11, big - 1 };
        var layout = new FlatLayout(new[] { ScalarType.Float32, ScalarType.Float32, ScalarType.Float64, ScalarType.Float32, ScalarType.Float32 }, sizes, chunkScalars: big);

        Assert.That(layout.Buckets.Select(b => (b.Dtype, b.Size)), Is.EqualTo(new[] { (ScalarType.Float32, 15 + 3 * big + 5 + 11 + big - 1), (ScalarType.Float64, 7L) }));
        Assert.That(layout.Placements[3], Is.EqualTo(new FlatLayout.Placement(0, 15 + 3 * big + 5, 11)));
        Assert.That(layout.Runs.Select(r => (r.Bucket, r.Pieces.Length, r.Length)), Is.EqualTo(new[]
        {
            (0, 1, 15L), (0, 1, big), (0, 1, big), (0, 1, big), (0, 1, 5L), (0, 2, 11 + big - 1), (1, 1, 7L),
        }), "a small tensor between large ones is a run alone; the two small ones after the large one share a pool");
        for (var p = 0; p < sizes.Length; p++)
        {
            var covered = layout.Runs.SelectMany(r => r.Pieces).Where(x => x.Parameter == p).OrderBy(x => x.Start).ToArray();
            Assert.That(covered.Sum(x => x.Length), Is.EqualTo(sizes[p]));
            for (var k = 1; k < covered.Length; k++) Assert.That(covered[k].Start, Is.EqualTo(covered[k - 1].Start + covered[k - 1].Length));
        }
        foreach (var run in layout.Runs)
            Assert.That(run.Length, Is.EqualTo(run.Pieces.Sum(x => x.Length)));
    }

    [TestCase(4L)]
    [TestCase(FlatLayout.ChunkScalars)]
    public void Mixed_dtypes_a_transposed_parameter_pools_and_runs_that_split_tensors_give_the_per_scalar_sums(long chunkScalars)
    {
        const int horizon = 3;
        random.manual_seed(51);
        using var transposed = new Parameter(rand(5, 3).t());   // not contiguous: read through a reshape
        using var wide = new Parameter(rand(7, dtype: ScalarType.Float64));
        using var plain = new Parameter(rand(11));
        using var large = new Parameter(rand(FlatLayout.PoolScalars + 3));   // its own runs (chunks of 4 in the first case)
        using var tail = new Parameter(rand(2));
        var parameters = new[] { transposed, wide, plain, large, tail };
        Assert.That(transposed.is_contiguous(), Is.False);
        // Weights in [1, 2) that move by less than they are: every difference is exact in float32.
        var snapshots = Enumerable.Range(0, 2 + horizon)
            .Select(k => parameters.Select(p => (1 + p.detach() + 0.01 * k * k * rand_like(p)).DetachFromDisposeScope()).ToArray())
            .ToArray();

        using var buffers = new WindowBuffers(parameters, chunkScalars);
        using var fit = new LeastSquaresWindowFit(parameters, horizon);
        using (no_grad())
        {
            void Write(Tensor[] values)
            {
                for (var i = 0; i < parameters.Length; i++) parameters[i].copy_(values[i]);
            }
            fit.Begin();
            Write(snapshots[0]);
            buffers.RecordFirst();
            Write(snapshots[1]);
            buffers.RecordLast();
            fit.RecordLast(buffers);
            for (var j = 1; j <= horizon; j++)
            {
                Write(snapshots[1 + j]);
                fit.RecordTarget(buffers, j);
            }
        }
        var maps = fit.Fit(minTensorSize: 0, lambda: 0);

        for (var i = 0; i < parameters.Length; i++)
        {
            var values = snapshots.Select(s => s[i].to(ScalarType.Float64).reshape(-1).data<double>().ToArray()).ToArray();
            var statistics = new Lfd2Statistics(horizon);
            for (var n = 0; n < values[0].Length; n++)
            {
                var (first, last) = (values[0][n], values[1][n]);
                statistics.Add(first, last - first, Enumerable.Range(1, horizon).Select(j => values[1 + j][n] - first).ToArray());
            }
            var expected = LeastSquaresLfd2Fitter.Fit(statistics, 0);
            // Pools are summed in float64; a large float32 tensor's moments are a float32 matrix-vector product over 16k
            // scalars, whose accumulation moves these ill-conditioned coefficients by up to about 3e-5.
            var tolerance = ReferenceEquals(parameters[i], large) ? 1e-4 : 1e-9;
            for (var j = 1; j <= horizon; j++)
            {
                Assert.That(maps[i][j].A, Is.EqualTo(expected[j].A).Within(tolerance), $"parameter {i}, step {j}");
                Assert.That(maps[i][j].B, Is.EqualTo(expected[j].B).Within(tolerance), $"parameter {i}, step {j}");
                Assert.That(maps[i][j].C, Is.EqualTo(expected[j].C).Within(tolerance), $"parameter {i}, step {j}");
            }
        }
        Assert.That(buffers.Bytes, Is.EqualTo(3 * ((15 + 11 + FlatLayout.PoolScalars + 3 + 2) * 4 + 7 * 8)));
    }

    [Test]
    public void A_pooled_jump_writes_a_transposed_parameter_in_its_own_layout_and_leaves_a_frozen_one_alone()
    {
        random.manual_seed(52);
        using var transposed = new Parameter(rand(4, 3).t());
        using var other = new Parameter(rand(5));
        var parameters = new[] { transposed, other };
        using var buffers = new WindowBuffers(parameters, chunkScalars: 4);
        using var recent = transposed.detach().clone();
        Tensor expected;
        using (no_grad())
        {
            buffers.RecordRecentStart();
            transposed.add_(0.5);
            other.add_(0.5);
            expected = (recent + 2 * (transposed.detach() - recent)).DetachFromDisposeScope();   // a = -1, b = 2: one more displacement
            var map = new Lfd2Map(new[] { -1.0 }, new[] { 2.0 }, new[] { 0.0 });
            Assert.That(buffers.TryForecast(new[] { map, map }, 1, new[] { true, true }), Is.True);
            buffers.Apply();
        }
        Assert.That(transposed.detach().allclose(expected, rtol: 0, atol: 1e-6), Is.True);
        expected.Dispose();

        // In a pool, a parameter that does not move is left as it is while its neighbour jumps.
        using var before = transposed.detach().clone();
        using var otherBefore = other.detach().clone();
        using (no_grad())
        {
            var map = new Lfd2Map(new[] { -1.0 }, new[] { 2.0 }, new[] { 0.0 });
            Assert.That(buffers.TryForecast(new[] { map, map }, 1, new[] { false, true }), Is.True);
            buffers.Apply();
        }
        Assert.That(transposed.detach().equal(before).all().item<bool>(), Is.True);
        Assert.That(other.detach().equal(otherBefore).all().item<bool>(), Is.False);
    }
}
