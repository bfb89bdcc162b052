using FarcastCallback.Hosts.Training;
using static TorchSharp.torch;

namespace FarcastCallback.Hosts.Text;

/// <summary>
/// Fine-tunes a <see cref="TransformerClassifier"/> on tokenised texts in a seeded batch order and evaluates on the
/// validation split. Each batch is cut to its longest text, so short texts cost short sequences.
/// </summary>
public sealed class TextTrainer : IDisposable
{
    private const int EvaluationChunk = 64;
    private readonly Rows _train;
    private readonly Rows _validation;
    private readonly Rows _verification;

    public TextTrainer(TextSplit split, TextTokenizer tokenizer, int maxLength)
    {
        _train = Rows.Of(split.Train, tokenizer, maxLength);
        _validation = Rows.Of(split.Validation, tokenizer, maxLength);
        _verification = Rows.Of(split.Verification, tokenizer, maxLength);
    }

    /// <summary>Mean cross-entropy on the verification split with dropout off: what <see cref="FarcastOptimizer.VerificationLoss"/> calls.</summary>
    public float VerificationLoss(TransformerClassifier model) => (float)Evaluate(model, _verification).Loss;

    /// <summary>A run of <paramref name="model"/> with <paramref name="optimizer"/>; see <see cref="TrainingRun"/>.</summary>
    public TrainingRun Start(TransformerClassifier model, optim.Optimizer optimizer, int batchSize, int seed, Func<long>? effectiveSteps = null,
        Func<bool>? shouldStop = null, optim.lr_scheduler.LRScheduler? schedule = null, ExponentialWeightAverage? average = null) =>
        Start(model, optimizer, new BatchOrder(_train.Labels.shape[0], batchSize, seed), seed, effectiveSteps, shouldStop, schedule, average);

    private TrainingRun Start(TransformerClassifier model, optim.Optimizer optimizer, BatchOrder order, int seed, Func<long>? effectiveSteps,
        Func<bool>? shouldStop, optim.lr_scheduler.LRScheduler? schedule, ExponentialWeightAverage? average) =>
        new(model, optimizer,
            rows =>
            {
                var (ids, mask) = _train.Batch(rows, order.LastRows);
                return nn.functional.cross_entropy(model.forward(ids, mask), _train.Labels.index_select(0, rows));
            },
            () => Evaluate(model, _validation),
            order, seed, effectiveSteps, shouldStop, schedule, average);

    public void Dispose()
    {
        _train.Dispose();
        _validation.Dispose();
        _verification.Dispose();
    }

    private static (double Accuracy, double Loss) Evaluate(TransformerClassifier model, Rows rows)
    {
        var count = rows.Labels.shape[0];
        if (count == 0) return (double.NaN, double.NaN);
        var wasTraining = model.training;
        model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        double correct = 0, lossSum = 0;
        for (long start = 0; start < count; start += EvaluationChunk)
        {
            var end = Math.Min(count, start + EvaluationChunk);
            var chosen = arange(start, end, dtype: int64);
            var (ids, mask) = rows.Batch(chosen, Enumerable.Range((int)start, (int)(end - start)).Select(i => (long)i).ToArray());
            var logits = model.forward(ids, mask);
            var labels = rows.Labels.index_select(0, chosen);
            lossSum += nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).item<float>();
            correct += logits.argmax(1).eq(labels).sum().item<long>();
        }
        if (wasTraining) model.train();
        return (correct / count, lossSum / count);
    }

    /// <summary>Token ids, masks [texts, max length] and labels of one split.</summary>
    /// <param name="Ids">Token ids [texts, max length].</param>
    /// <param name="Mask">Attention mask, 1 on tokens.</param>
    /// <param name="Labels">Class per text.</param>
    /// <param name="Lengths">Tokens per text (the mask's ones), kept on the host so a batch is cut without a device-to-host copy.</param>
    private sealed record Rows(Tensor Ids, Tensor Mask, Tensor Labels, long[] Lengths) : IDisposable
    {
        public static Rows Of(LabeledTexts texts, TextTokenizer tokenizer, int maxLength)
        {
            var (ids, mask) = tokenizer.Encode(texts.Texts, maxLength);
            var shape = new long[] { texts.Count, maxLength };
            var lengths = Enumerable.Range(0, texts.Count).Select(i => mask.AsSpan(i * maxLength, maxLength).ToArray().Sum()).ToArray();
            return new Rows(tensor(ids, shape).DetachFromDisposeScope(), tensor(mask, shape).DetachFromDisposeScope(),
                tensor(texts.Labels.Select(l => (long)l).ToArray()).DetachFromDisposeScope(), lengths);
        }

        /// <summary>The rows' ids and masks, cut to the longest text among them (<paramref name="hostRows"/>: the same rows, on the host).</summary>
        public (Tensor Ids, Tensor Mask) Batch(Tensor rows, IReadOnlyList<long> hostRows)
        {
            var length = Math.Max(1, hostRows.Max(r => Lengths[r]));
            return (Ids.index_select(0, rows).narrow(1, 0, length), Mask.index_select(0, rows).narrow(1, 0, length));
        }

        public void Dispose()
        {
            Ids.Dispose();
            Mask.Dispose();
            Labels.Dispose();
        }
    }
}
