using static TorchSharp.torch;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>
/// A small MLP classifier (features → 64 → 64 → classes, ReLU) trained on its whole training set at every step with the
/// cross-entropy. Target: the validation loss (a user stops at its best, as AlgoPerf's targets do); figure: accuracy on
/// the test set, reported at the step each run reaches the target and at the end.
/// </summary>
public sealed class ClassifierTask : IFullBatchTask
{
    private readonly Tensor _trainFeatures;
    private readonly Tensor _trainLabels;
    private readonly Tensor _validationFeatures;
    private readonly Tensor _validationLabels;
    private readonly Tensor _testFeatures;
    private readonly Tensor _testLabels;
    private readonly int _hidden;

    public ClassifierTask(TabularData data, int hidden = 64)
    {
        Data = data;
        _hidden = hidden;
        (_trainFeatures, _trainLabels) = data.Train.ToTensors();
        (_validationFeatures, _validationLabels) = data.Validation.ToTensors();
        (_testFeatures, _testLabels) = data.Test.ToTensors();
    }

    public TabularData Data { get; }

    public string Name => "classifier";

    public string Description =>
        $"Classifier: ReLU MLP {Data.Features}→{_hidden}→{_hidden}→{Data.Classes.Count} on {Data.Source}, {Data.Train.Count} training examples per step (full batch), {Data.Validation.Count} validation, {Data.Test.Count} test";

    public string FigureName => "test_accuracy";

    public string TargetName => "validation_loss";

    public nn.Module<Tensor, Tensor> CreateModel() => nn.Sequential(
        nn.Linear(Data.Features, _hidden), nn.ReLU(), nn.Linear(_hidden, _hidden), nn.ReLU(), nn.Linear(_hidden, Data.Classes.Count));

    public Tensor Loss(nn.Module<Tensor, Tensor> model) => nn.functional.cross_entropy(model.forward(_trainFeatures), _trainLabels);

    public double EvaluateLoss(nn.Module<Tensor, Tensor> model)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return Loss(model).item<float>();
    }

    /// <summary>Validation loss (the target), test accuracy (the figure) and validation accuracy (the target's detail).</summary>
    public Tensor Measure(nn.Module<Tensor, Tensor> model)
    {
        using var noGrad = no_grad();
        var validation = model.forward(_validationFeatures);
        var loss = nn.functional.cross_entropy(validation, _validationLabels).to(ScalarType.Float64);
        return stack(new[] { loss, Accuracy(model.forward(_testFeatures), _testLabels), Accuracy(validation, _validationLabels) });
    }

    public string DescribeTarget(double target, double? detail) =>
        FormattableString.Invariant($"validation loss {target:G3}") + (detail is { } accuracy ? FormattableString.Invariant($" (accuracy {100 * accuracy:0.0} %)") : "");

    private static Tensor Accuracy(Tensor logits, Tensor labels) => logits.argmax(1).eq(labels).to(ScalarType.Float64).mean();

    public void Dispose()
    {
        foreach (var t in new[] { _trainFeatures, _trainLabels, _validationFeatures, _validationLabels, _testFeatures, _testLabels }) t.Dispose();
    }
}
