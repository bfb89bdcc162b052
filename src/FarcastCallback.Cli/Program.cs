using FarcastCallback.Cli.Commands;
using Spectre.Console.Cli;

// Redirected output (a log file, a pipe) has no terminal width: render tables whole instead of cutting them at 80 columns.
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 240;
var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("farcast");
    config.PropagateExceptions();
    config.Settings.StrictParsing = false;   // lets `farcast mnist --Farcast:Horizon 20` reach the configuration
    config.AddCommand<FullBatchCommand>("fullbatch").WithDescription("Main job: a full-batch task (INR, PINN or classifier), plain vs FarcastOptimizer guarded by the training loss, steps and seconds to the target loss. Defaults: --steps 3000, --lr 0.001, --eval-every 100.");
    config.AddCommand<MnistCommand>("mnist").WithDescription("Minibatch CNN on MNIST, plain Adam vs FarcastOptimizer, time to accuracy. Defaults: --steps 400, --batch-size 64, --lr 0.001, --eval-every 25.");
    config.AddCommand<TextCommand>("text").WithDescription("Text classification: fine-tune a pretrained BERT-family model, plain AdamW vs FarcastOptimizer. Defaults: --steps 100, --batch-size 16, --lr 0.0001, --eval-every 10.");
    config.AddBranch("paper", paper =>
    {
        paper.SetDescription("Reproduce the paper's experiments.");
        paper.AddCommand<Syn1Command>("syn1").WithDescription("Table 2 and Figure 2: linear-regression trajectories under GD or SGD.");
        paper.AddCommand<Syn2Command>("syn2").WithDescription("Table 3: 31-parameter MLP trajectories under SGD or Adam.");
        paper.AddCommand<PaperCnnCommand>("cnn").WithDescription("Table 4, CNN columns: MNIST CNN Adam trajectories (10 runs × 101 snapshots).");
        paper.AddCommand<PaperTextCommand>("distilbert").WithDescription("Table 4, BERT columns: one 60-step AdamW fine-tune, fit on steps 0..30, test on 30..60. Defaults: --steps 60, --batch-size 16, --lr 0.0001.");
        paper.AddCommand<AblationsCommand>("ablations").WithDescription("Tables 5 and 6: loss as input; least squares from two steps.");
    });
    config.AddCommand<EvalCommand>("eval").WithDescription("Compare forecasters on your own .npy weight sequences.");
});
try
{
    return app.Run(args);
}
catch (Exception exception) when (exception is ArgumentException or InvalidDataException or FileNotFoundException or NotSupportedException or DirectoryNotFoundException or Microsoft.Extensions.Options.OptionsValidationException or CommandParseException or CommandRuntimeException)
{
    Spectre.Console.AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {exception.Message}");
    return 2;
}
