using static TorchSharp.torch;

namespace FarcastCallback.Hosts.FullBatch;

/// <summary>
/// A small MLP classifier (features → 64 → 64 → classes, ReLU) trained on its whole training set at every step with the
/// cross-entropy. Figure: accuracy on the held-out test set.
/// </summary>
public sealed class ClassifierTask : IFullBatchTask
{
    private readonly Tensor _trainFeatures;
    private readonly Tensor _trainLabels;
    private readonly Tensor _testFeatures;
    private readonly Tensor _testLabels;
    private readonly int _hidden;

    public ClassifierTask(TabularData data, int hidden = 64)
    {
        Data = data;
        _hidden = hidden;
        (_trainFeatures, _trainLabels) = data.Train.ToTensors();
        (_testFeatures, _testLabels) = data.Test.ToTensors();
    }

    public TabularData Data { get; }

    public string Name => "classifier";

    public string Description =>
        $"Classifier: ReLU MLP {Data.Features}→{_hidden}→{_hidden}→{Data.Classes.Count} on {Data.Source}, {Data.Train.Count} training examples per step (full batch), {Data.Test.Count} test";

    public string FigureName => "test_accuracy";

    public nn.Module<Tensor, Tensor> CreateModel() => nn.Sequential(
        nn.Linear(Data.Features, _hidden), nn.ReLU(), nn.Linear(_hidden, _hidden), nn.ReLU(), nn.Linear(_hidden, Data.Classes.Count));

    public Tensor Loss(nn.Module<Tensor, Tensor> model) => nn.functional.cross_entropy(model.forward(_trainFeatures), _trainLabels);

    public double EvaluateLoss(nn.Module<Tensor, Tensor> model)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return Loss(model).item<float>();
    }

    public double Figure(nn.Module<Tensor, Tensor> model)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return model.forward(_testFeatures).argmax(1).eq(_testLabels).to(ScalarType.Float64).mean().item<double>();
    }

    public void Dispose()
    {
        foreach (var t in new[] { _trainFeatures, _trainLabels, _testFeatures, _testLabels }) t.Dispose();
    }
}
