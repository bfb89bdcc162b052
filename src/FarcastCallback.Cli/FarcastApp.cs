using FarcastCallback.Cli.Commands;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace FarcastCallback.Cli;

/// <summary>The <c>farcast</c> command line: commands, option parsing and the one-line error a mistake gets.</summary>
public static class FarcastApp
{
    /// <summary>Runs the command <paramref name="args"/> name; returns the exit code (2 for a mistake in the input).</summary>
    public static int Run(string[] args)
    {
        using var interruption = Interruption.Listen();
        try
        {
            // --Farcast:KEY=VALUE settings are taken out first, so the rest parses strictly: a mistyped flag is an error.
            var (farcastSettings, rest) = FarcastSettingArguments.Extract(args);
            var command = rest.FirstOrDefault(a => !a.StartsWith('-'));
            if (farcastSettings.Values.Count > 0 && command is not ("fullbatch" or "mnist" or "text"))
                throw new ArgumentException($"{FarcastSettingArguments.Prefix}KEY=VALUE settings apply to the fullbatch, mnist and text commands only.");
            var services = new ServiceCollection().AddSingleton(farcastSettings);
            var app = new CommandApp(new TypeRegistrar(services));
            app.Configure(config =>
            {
                config.SetApplicationName("farcast");
                config.PropagateExceptions();
                config.ConfigureConsole(Spectre.Console.AnsiConsole.Console); // help and errors go where the rest of the output goes
                config.Settings.StrictParsing = true;
                config.SetInterceptor(new TrainingDevice());   // --device becomes TorchSharp's default device before a command runs
                config.AddCommand<FullBatchCommand>("fullbatch").WithDescription("Main job: a full-batch task (INR, PINN or classifier), plain vs FarcastOptimizer guarded by the training loss, steps and seconds to the target loss. Defaults: --steps 3000, --eval-every 100, --lr the task's tuned Adam rate (inr 0.02, pinn 0.01, classifier 0.1; 0.001 for other optimizers).");
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
            return app.Run(rest);
        }
        catch (RunInterruptedException interrupted)
        {
            Spectre.Console.AnsiConsole.MarkupLineInterpolated(
                $"[red]interrupted[/] by {interrupted.Signal}: the seeds that finished before it are in --out's summary.json, marked \"complete\": false.");
            return Interruption.ExitCode(interrupted.Signal);
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException or NotSupportedException
            or Microsoft.Extensions.Options.OptionsValidationException or CommandParseException or CommandRuntimeException)
        {
            Spectre.Console.AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {UserMessage(exception)}");
            return 2;
        }
    }

    /// <summary>One line for the user: .NET appends "(Parameter 'x')" to argument errors, which names our code, not their input.</summary>
    private static string UserMessage(Exception exception) => WithoutParameterNames(exception switch
    {
        // Spectre reports a failed conversion without its reason ("Failed to convert '5' to MnistPreset."), and the
        // configuration a JSON file it cannot parse ("Failed to load configuration from file ..."): add the reason.
        CommandRuntimeException or InvalidDataException when exception.InnerException is { } inner && !exception.Message.Contains(inner.Message, StringComparison.Ordinal) =>
            $"{exception.Message.TrimEnd('.')}: {exception.InnerException!.Message}",
        _ => exception.Message,
    });

    private static string WithoutParameterNames(string message) =>
        System.Text.RegularExpressions.Regex.Replace(message, @" \(Parameter '[^']*'\)", string.Empty);
}
