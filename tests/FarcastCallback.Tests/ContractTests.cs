using FarcastCallback.Forecasting;
using FarcastCallback.Observation;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;

namespace FarcastCallback.Tests;

/// <summary>
/// The contracts a line-by-line review found broken, each pinned by a test that failed before its fix: float64
/// reductions in every dtype, half-precision forecasts rounded once, rollbacks that free what they make, parameters
/// frozen after construction, guard calls only for forecasts that are written, and a guard required by default.
/// </summary>
public sealed class ContractTests
{
    [TestCase(4_096, 1.0, 0.01)]       // LayerNorm-like gains: w ≈ 1 ± 0.01
    [TestCase(200_000, 100.0, 1.0)]    // large weights: w ≈ 100 ± 1
    public void Float32_weights_are_fitted_from_float64_sums_and_land_on_gradient_descent(int size, double centre, double spread)
    {
        // ½‖w - w*‖² under SGD at rate 0.01 contracts every coordinate by 0.99 per step, so the exact trajectory is known.
        random.manual_seed(12);
        using var initial = (centre + spread * randn(size, dtype: ScalarType.Float64)).to(ScalarType.Float32).to(ScalarType.Float64);
        using var optimum = (centre + spread * randn(size, dtype: ScalarType.Float64)).to(ScalarType.Float32);
        using var weights = new Parameter(initial.to(ScalarType.Float32));
        using var farcast = new FarcastOptimizer(optim.SGD(new[] { weights }, 0.01), new FarcastOptions
        {
            WarmupSteps = 0, InputSteps = 6, Horizon = 16, MinJump = 16, RefitEvery = 0,
        }).Unguarded();
        double? relativeError = null;
        farcast.Jumped += (_, e) =>
        {
            using var scope = NewDisposeScope();
            Tensor Exact(long t) => optimum.to(ScalarType.Float64) + Math.Pow(0.99, t) * (initial - optimum.to(ScalarType.Float64));
            var length = (Exact(e.Step + e.Steps) - Exact(e.Step)).norm().item<double>();
            relativeError = (weights.detach().to(ScalarType.Float64) - Exact(e.Step + e.Steps)).norm().item<double>() / length;
        };

        for (var i = 0; i < 21; i++)
        {
            using var scope = NewDisposeScope();
            farcast.zero_grad();
            (0.5 * (weights - optimum).pow(2).sum()).backward();
            farcast.step();
        }

        Assert.That(farcast.Jumps, Is.EqualTo(1));
        TestContext.Out.WriteLine($"{size} scalars near {centre}: the jump lands {relativeError:P3} of its length from gradient descent");
        Assert.That(relativeError, Is.LessThan(0.01), "float32 sums cancelled: 14 % (near 1) and 480 % (near 100) before the fix");
    }

    [TestCase(ScalarType.BFloat16, 4.0, 17.0)]
    [TestCase(ScalarType.Float16, 1100.0, 65.0)]
    public void A_half_precision_forecast_is_rounded_about_once(ScalarType dtype, double scale, double b)
    {
        // ŵ = a·r + b·w with a = 1 - b: a jump along the window's displacement. Formed as b·w + a·r in the half type, the
        // product b·w rounds at 17–65 times the weights' magnitude (14 ulps off in bfloat16) or overflows float16.
        random.manual_seed(13);
        using var weights = new Parameter((scale * (1 + rand(512, dtype: ScalarType.Float64))).to(dtype));
        using var buffers = new WindowBuffers(new[] { weights });
        using (no_grad())
        {
            using var recent = (weights.to(ScalarType.Float64) * (1 - 0.002 * rand(512, dtype: ScalarType.Float64))).to(dtype);
            using var now = weights.detach().clone();
            weights.copy_(recent);
            buffers.RecordRecentStart();
            weights.copy_(now);
        }
        var map = new Lfd2Map(new[] { 1 - b }, new[] { b }, new[] { 0.0 });
        using var w = weights.detach().to(ScalarType.Float64);
        using var r = buffers.RecentStart(0).to(ScalarType.Float64);
        using var exact = ((1 - b) * r + b * w).to(dtype).to(ScalarType.Float64);

        bool finite;
        using (no_grad())
        using (NewDisposeScope())
        {
            finite = buffers.TryForecast(new[] { map }, 1, new[] { true });
            if (finite) buffers.Apply();
        }

        Assert.That(finite, "the forecast is representable, so it is written");
        using var landed = weights.detach().to(ScalarType.Float64);
        var mantissaBits = dtype == ScalarType.BFloat16 ? 7 : 10;
        using var ulp = pow(2.0, floor(log2(exact.abs())) - mantissaBits);
        var worst = ((landed - exact).abs() / ulp).max().item<double>();
        TestContext.Out.WriteLine($"{dtype}: worst {worst} ulp from the correctly rounded forecast");
        Assert.That(worst, Is.LessThanOrEqualTo(1.0));
    }

    [Test]
    public void Rolled_back_jumps_leave_no_tensor_alive_when_step_runs_outside_a_dispose_scope()
    {
        using var problem = new TinyRegression(seed: 14);   // four parameter tensors
        using var farcast = new FarcastOptimizer(optim.SGD(problem.Parameters, 0.01), new FarcastOptions
        {
            WarmupSteps = 1, InputSteps = 2, Horizon = 2, MinJump = 1, RefitEvery = 1000,
        });
        var calls = 0;
        farcast.VerificationLoss = () => ++calls;   // every "after" is higher than its "before": every rung is rolled back
        using var x = randn(16, 4);
        using var y = randn(16, 1);
        void Step()
        {
            using (NewDisposeScope())
            {
                farcast.zero_grad();
                nn.functional.mse_loss(problem.Model.forward(x), y).backward();
            }
            farcast.step();   // TorchSharp's own optimizers scope their step; the caller need not
        }
        for (var i = 0; i < 10; i++) Step();
        var live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var rejectedBefore = farcast.RejectedJumps;

        for (var i = 0; i < 320; i++) Step();

        Assert.That(farcast.RejectedJumps - rejectedBefore, Is.GreaterThanOrEqualTo(100));
        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(live), "800 tensors leaked for 100 rollbacks before the fix");
    }

    [Test]
    public void A_parameter_frozen_after_construction_is_never_moved_and_stops_costing_buffers()
    {
        using var problem = new TinyRegression(seed: 15);
        var parameters = problem.Parameters.ToArray();
        using var farcast = new FarcastOptimizer(optim.SGD(parameters, 0.05), new FarcastOptions   // no momentum to move it after freezing
        {
            WarmupSteps = 1, InputSteps = 2, Horizon = 3, MinJump = 3, MinTensorSize = 1000,   // one pooled map moves every tensor
        }).Unguarded();
        for (var i = 0; i < 3; i++) problem.Step(farcast);   // inside the first window

        parameters[0].requires_grad_(false);   // a fine-tuning schedule freezes the first layer
        using var frozen = parameters[0].detach().clone();
        for (var i = 0; i < 20; i++) problem.Step(farcast);

        Assert.That(farcast.Jumps, Is.GreaterThan(2));
        Assert.That(parameters[0].equal(frozen).all().item<bool>(), "not moved by the jump of the window it was frozen in, nor by later ones");
        var trained = parameters.Skip(1).Sum(p => p.numel() * p.ElementSize);
        Assert.That(farcast.BufferBytes, Is.EqualTo(3 * trained), "from the next window on, buffers for the trained parameters only");
    }

    [Test]
    public void A_forecast_that_is_never_written_costs_no_guard_evaluation()
    {
        // Fast-forward (repeat the input window's displacement) from 0 to 3e38: every rung's forecast overflows float32.
        using var weights = new Parameter(zeros(3));
        using var gradient = tensor(new[] { -3e38f, 0f, 0f });
        using var farcast = new FarcastOptimizer(optim.SGD(new[] { weights }, 1.0), new FarcastOptions
        {
            WarmupSteps = 0, InputSteps = 2, Horizon = 2, MinJump = 1, Map = FarcastMap.LinearExtrapolation,
        });
        var calls = 0;
        farcast.VerificationLoss = () => ++calls;
        var rejected = new List<FarcastJumpEventArgs>();
        farcast.JumpRejected += (_, e) => rejected.Add(e);

        using (NewDisposeScope())
        {
            farcast.zero_grad();
            (weights * gradient).sum().backward();
            farcast.step();
        }

        Assert.That(rejected.Select(e => (e.Reason, e.Steps, e.LossBefore)), Is.EqualTo(new[] { (JumpReason.NonFiniteForecast, 2, (double?)null) }));
        Assert.That(calls, Is.EqualTo(0), "the guard's \"before\" reading was taken for a jump never written");
        Assert.That(weights.data<float>().ToArray(), Is.EqualTo(new[] { 3e38f, 0f, 0f }));
    }

    [Test]
    public void Without_a_guard_step_refuses_unless_running_unguarded_is_chosen_and_that_is_logged_once()
    {
        using var problem = new TinyRegression(seed: 17);
        var logger = new RecordingLogger();
        using var farcast = new FarcastOptimizer(optim.SGD(problem.Parameters, 0.01), new FarcastOptions { WarmupSteps = 1, InputSteps = 2, Horizon = 2, MinJump = 2 }, logger);

        var error = Assert.Throws<InvalidOperationException>(() => problem.Step(farcast));
        Assert.That(error!.Message, Does.Contain("no guard").And.Contain(nameof(FarcastOptimizer.RunWithoutGuard)));

        farcast.RunWithoutGuard = true;
        for (var i = 0; i < 20; i++) problem.Step(farcast);

        Assert.That(farcast.Jumps, Is.GreaterThan(1));
        Assert.That(logger.Lines.Count(l => l.Contains("without a guard")), Is.EqualTo(1));
        Assert.That(logger.Lines.Count(l => l.StartsWith("Warning")), Is.EqualTo(1), "kept jumps are Information, not warnings");
    }

    [Test]
    public void After_dispose_step_throws()
    {
        using var problem = new TinyRegression(seed: 18);
        var farcast = new FarcastOptimizer(optim.SGD(problem.Parameters, 0.01), new FarcastOptions()).Unguarded();
        farcast.Dispose();

        Assert.Throws<ObjectDisposedException>(() => problem.Step(farcast));
    }

    private sealed class RecordingLogger : ILogger
    {
        public List<string> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add($"{logLevel}: {formatter(state, exception)}");
    }
}
