using TorchSharp;
using static TorchSharp.torch;

namespace FarcastCallback.Lab.Sequences;

/// <summary>
/// Syn-2 (docs/design.md, "The paper's protocol"): per problem a 1→10→1 ReLU MLP (31 parameters) fitted by MSE to 100 samples, minibatches of
/// 64, one snapshot per optimizer step: SGD at rate 0.002, Adam at 0.005. The paper leaves the data open; here
/// <c>x ~ U(−2, 2)</c> and <c>y = sin(2x)</c>, and PyTorch's default initialisation. The paper's generator swaps the
/// SGD and Adam labels of its files; here <see cref="UpdateRule.Sgd"/> really is SGD.
/// Scalar order: hidden weight (10), hidden bias (10), output weight (10), output bias (1).
/// </summary>
public static class MlpSequences
{
    public const int Samples = 100;
    public const int BatchSize = 64;
    public const int Hidden = 10;
    public const int ParameterCount = 3 * Hidden + 1;
    public const double SgdRate = 0.002;
    public const double AdamRate = 0.005;

    public static WeightSequences Generate(UpdateRule rule, int problems = 200, int updates = 200, int seed = 0, IProgress<int>? progress = null)
    {
        if (rule is not (UpdateRule.Sgd or UpdateRule.Adam))
            throw new ArgumentException($"Syn-2 records SGD or Adam trajectories, not {rule}.", nameof(rule));
        var losses = new double[problems, updates + 1];
        var sequences = new WeightSequences(problems, updates + 1, ParameterCount) { Losses = losses };
        for (var p = 0; p < problems; p++)
        {
            using var scope = NewDisposeScope();
            var problemSeed = Seeds.Derive(seed, p, 3);
            random.manual_seed(problemSeed);
            var model = nn.Sequential(("hidden", nn.Linear(1, Hidden)), ("relu", nn.ReLU()), ("out", nn.Linear(Hidden, 1)));
            var x = rand(Samples, 1, ScalarType.Float32) * 4 - 2;
            var y = (2 * x).sin();
            var optimizer = rule == UpdateRule.Sgd
                ? optim.SGD(model.parameters(), SgdRate)
                : (optim.Optimizer)optim.Adam(model.parameters(), AdamRate);
            var batches = new GaussianRandom(problemSeed);
            for (var t = 0; t <= updates; t++)
            {
                Record(sequences, p, t, model);
                using (no_grad())
                    losses[p, t] = nn.functional.mse_loss(model.forward(x), y).to(ScalarType.Float64).item<double>();
                if (t == updates) break;
                using var stepScope = NewDisposeScope();
                var rows = tensor(batches.Choose(Samples, BatchSize).Select(i => (long)i).ToArray());
                optimizer.zero_grad();
                nn.functional.mse_loss(model.forward(x.index_select(0, rows)), y.index_select(0, rows)).backward();
                optimizer.step();
            }
            progress?.Report(p + 1);
        }
        return sequences;
    }

    private static void Record(WeightSequences sequences, int problem, int step, nn.Module<Tensor, Tensor> model)
    {
        var i = 0;
        foreach (var parameter in model.parameters())
            foreach (var value in parameter.detach().to(ScalarType.Float64).data<double>())
                sequences[problem, step, i++] = value;
    }
}
