using static TorchSharp.torch;

namespace FarcastCallback.Observation;

/// <summary>
/// Where every tracked parameter lives in the window's flat buffers: one flat vector per dtype (a bucket), the
/// parameters laid end to end in order, cut into runs that a record treats as one (docs/design.md, "The buffers"). A
/// parameter of at least <see cref="PoolScalars"/> scalars is a run of its own (or several, of at most
/// <see cref="ChunkScalars"/> each), reduced over its own storage by one matrix-vector product; consecutive smaller
/// parameters share a pooled run, gathered in one copy and summed per parameter by one product with the pool's one-hot
/// indicator. So a record costs a constant handful of kernels per run, and a model of many small tensors has few runs.
/// No temporary exceeds a run. Host-side bookkeeping only; <see cref="WindowBuffers"/> owns the tensors.
/// </summary>
internal sealed class FlatLayout
{
    /// <summary>The most scalars of a large parameter's run.</summary>
    internal const long ChunkScalars = 1L << 20;

    /// <summary>Parameters smaller than this are pooled with their small neighbours.</summary>
    internal const long PoolScalars = 1L << 14;

    /// <summary>The most entries of a pool's indicator matrix (length × parameters): 2 MB in float64.</summary>
    internal const long IndicatorEntries = 1L << 18;

    /// <param name="dtypes">Each parameter's dtype.</param>
    /// <param name="sizes">Each parameter's number of scalars.</param>
    /// <param name="chunkScalars">The most scalars of a large parameter's run (tests use small ones).</param>
    public FlatLayout(IReadOnlyList<ScalarType> dtypes, IReadOnlyList<long> sizes, long chunkScalars = ChunkScalars)
    {
        var buckets = dtypes.Distinct().ToArray();
        Buckets = buckets.Select(d => new Bucket(d, Enumerable.Range(0, sizes.Count).Where(i => dtypes[i] == d).Sum(i => sizes[i]))).ToArray();
        var placements = new Placement[sizes.Count];
        var next = new long[buckets.Length];
        for (var i = 0; i < sizes.Count; i++)
        {
            var b = Array.IndexOf(buckets, dtypes[i]);
            placements[i] = new Placement(b, next[b], sizes[i]);
            next[b] += sizes[i];
        }
        Placements = placements;

        var runs = new List<Run>();
        for (var b = 0; b < buckets.Length; b++)
        {
            var pool = new List<Piece>();
            long poolOffset = 0, poolLength = 0;
            void ClosePool()
            {
                if (pool.Count > 0) runs.Add(new Run(b, poolOffset, poolLength, pool.ToArray()));
                pool.Clear();
                poolLength = 0;
            }
            foreach (var i in Enumerable.Range(0, sizes.Count).Where(i => placements[i].Bucket == b && sizes[i] > 0))
            {
                var (offset, size) = (placements[i].Offset, sizes[i]);
                if (size >= PoolScalars)
                {
                    ClosePool();
                    for (long start = 0; start < size; start += chunkScalars)
                    {
                        var length = Math.Min(chunkScalars, size - start);
                        runs.Add(new Run(b, offset + start, length, new[] { new Piece(i, start, length) }));
                    }
                    continue;
                }
                if ((poolLength + size) * (pool.Count + 1) > IndicatorEntries) ClosePool();
                if (pool.Count == 0) poolOffset = offset;
                pool.Add(new Piece(i, 0, size));
                poolLength += size;
            }
            ClosePool();
        }
        Runs = runs.ToArray();
    }

    /// <summary>One flat vector per dtype.</summary>
    public IReadOnlyList<Bucket> Buckets { get; }

    /// <summary>Per parameter, its bucket and its place there.</summary>
    public IReadOnlyList<Placement> Placements { get; }

    /// <summary>Every bucket cut into runs, in order.</summary>
    public IReadOnlyList<Run> Runs { get; }

    /// <summary>A flat vector of <paramref name="Size"/> scalars of one dtype.</summary>
    internal sealed record Bucket(ScalarType Dtype, long Size);

    /// <summary>A parameter's scalars are <c>[Offset, Offset + Size)</c> of bucket <paramref name="Bucket"/>.</summary>
    internal readonly record struct Placement(int Bucket, long Offset, long Size);

    /// <summary>Scalars <c>[Start, Start + Length)</c> of parameter <paramref name="Parameter"/>.</summary>
    internal readonly record struct Piece(int Parameter, long Start, long Length);

    /// <summary>
    /// Scalars <c>[Offset, Offset + Length)</c> of bucket <paramref name="Bucket"/>: one piece of a large parameter, or
    /// a pool of whole small parameters laid there in order.
    /// </summary>
    internal sealed record Run(int Bucket, long Offset, long Length, Piece[] Pieces)
    {
        public bool IsPool => Pieces.Length > 1;

        /// <summary>The parameter of the run's first piece: the first row its sums go to.</summary>
        public int FirstParameter => Pieces[0].Parameter;

        /// <summary>Whether its pieces are of consecutive parameters, so their sums land in consecutive rows.</summary>
        public bool IsConsecutive => Pieces[^1].Parameter - Pieces[0].Parameter == Pieces.Length - 1;
    }
}
