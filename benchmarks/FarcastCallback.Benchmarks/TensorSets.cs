namespace FarcastCallback.Benchmarks;

/// <summary>Parameter shapes of the reference hosts, so costs are measured on realistic tensor layouts.</summary>
internal static class TensorSets
{
    public const string Mlp = "mlp-4.5k";
    public const string Cnn = "cnn-1.2M";
    public const string DistilBert = "distilbert-67M";

    public static long[][] Shapes(string name) => name switch
    {
        Mlp => MlpShapes(),
        Cnn => CnnShapes(),
        DistilBert => DistilBertShapes(),
        _ => throw new ArgumentException($"Unknown tensor set '{name}'.", nameof(name)),
    };

    /// <summary>The full-batch classifier's MLP 2→64→64→3: 4,547 parameters in 6 tensors, whose 1.5 ms training step makes the wrapper's fixed costs show.</summary>
    private static long[][] MlpShapes() => new[]
    {
        new long[] { 64, 2 }, new long[] { 64 }, new long[] { 64, 64 }, new long[] { 64 }, new long[] { 3, 64 }, new long[] { 3 },
    };

    /// <summary>The paper's MNIST CNN: 1,199,882 parameters.</summary>
    private static long[][] CnnShapes() => new[]
    {
        new long[] { 32, 1, 3, 3 }, new long[] { 32 }, new long[] { 64, 32, 3, 3 }, new long[] { 64 },
        new long[] { 128, 9216 }, new long[] { 128 }, new long[] { 10, 128 }, new long[] { 10 },
    };

    /// <summary>distilbert-base-uncased with a 2-class head: about 67 million parameters.</summary>
    private static long[][] DistilBertShapes()
    {
        const long hidden = 768, ffn = 3072;
        var shapes = new List<long[]> { new[] { 30522L, hidden }, new[] { 512L, hidden }, new[] { hidden }, new[] { hidden } };
        for (var layer = 0; layer < 6; layer++)
        {
            for (var projection = 0; projection < 4; projection++)
            {
                shapes.Add(new[] { hidden, hidden });
                shapes.Add(new[] { hidden });
            }
            shapes.Add(new[] { hidden });
            shapes.Add(new[] { hidden });
            shapes.Add(new[] { ffn, hidden });
            shapes.Add(new[] { ffn });
            shapes.Add(new[] { hidden, ffn });
            shapes.Add(new[] { hidden });
            shapes.Add(new[] { hidden });
            shapes.Add(new[] { hidden });
        }
        shapes.Add(new[] { hidden, hidden });
        shapes.Add(new[] { hidden });
        shapes.Add(new[] { 2L, hidden });
        shapes.Add(new[] { 2L });
        return shapes.ToArray();
    }
}
