// QuickStart: wrap an optimizer in FarcastOptimizer, configured from appsettings.json (section "Farcast"),
// and compare with plain training on the same data, same initial weights, same number of real steps.
// Any setting can be overridden on the command line, e.g. --Farcast:Horizon 10.
using FarcastCallback;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TorchSharp;
using static TorchSharp.torch;

var configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json")
    .AddCommandLine(args)
    .Build();
using var services = new ServiceCollection()
    .AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddSimpleConsole(o => o.SingleLine = true))
    .AddFarcast(configuration)
    .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
var farcastOptions = services.GetRequiredService<IOptions<FarcastOptions>>();
var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("FarcastCallback");

// Least-squares regression, full batch: the regime where an LFD-2 jump is (nearly) free progress.
random.manual_seed(7);
var inputs = randn(512, 32);
var targets = inputs.matmul(randn(32, 1)) + 0.01 * randn(512, 1);
var plainModel = nn.Linear(32, 1);
var farcastModel = nn.Linear(32, 1);
farcastModel.load_state_dict(plainModel.state_dict());

var plain = optim.SGD(plainModel.parameters(), learningRate: 0.02);
using var farcast = new FarcastOptimizer(optim.SGD(farcastModel.parameters(), learningRate: 0.02), farcastOptions, logger);
// The guard: the full-batch training loss, measured before and after each jump; a jump that raises it is rolled back.
farcast.VerificationLoss = () =>
{
    using var scope = NewDisposeScope();
    return nn.functional.mse_loss(farcastModel.forward(inputs), targets).item<float>();
};

Console.WriteLine($"{"real steps",10} {"effective",10} {"plain loss",12} {"farcast loss",13}");
const int realSteps = 200;
for (var step = 1; step <= realSteps; step++)
{
    var plainLoss = TrainStep(plainModel, plain);
    var farcastLoss = TrainStep(farcastModel, farcast);
    if (step % 25 == 0)
        Console.WriteLine($"{farcast.RealSteps,10} {farcast.EffectiveSteps,10} {plainLoss,12:G4} {farcastLoss,13:G4}");
}
Console.WriteLine($"Jumps kept: {farcast.Jumps}, rejected: {farcast.RejectedJumps}; " +
                  $"{farcast.EffectiveSteps - farcast.RealSteps} of {farcast.EffectiveSteps} steps were farcast, not computed.");

float TrainStep(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer)
{
    using var scope = NewDisposeScope();
    optimizer.zero_grad();
    var loss = nn.functional.mse_loss(model.forward(inputs), targets);
    loss.backward();
    optimizer.step();
    return loss.item<float>();
}
