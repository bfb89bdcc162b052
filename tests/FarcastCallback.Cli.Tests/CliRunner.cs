using Spectre.Console;

namespace FarcastCallback.Cli.Tests;

/// <summary>Runs the <c>farcast</c> command line in-process and captures what it prints (without colours, 400 columns wide).</summary>
internal static class CliRunner
{
    public static (int Code, string Output) Run(params string[] args)
    {
        var writer = new StringWriter();
        var previous = AnsiConsole.Console;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), ColorSystem = ColorSystemSupport.NoColors });
        AnsiConsole.Profile.Width = 400;
        try
        {
            return (FarcastApp.Run(args), writer.ToString().Trim());
        }
        finally
        {
            AnsiConsole.Console = previous;
        }
    }

    /// <summary>Asserts exit code 2 and a last line that is the error naming <paramref name="message"/>.</summary>
    public static string AssertError(string[] args, string message)
    {
        var (code, output) = Run(args);
        Assert.That(code, Is.EqualTo(2), output);
        var last = output.Split('\n').Last();
        Assert.That(last, Does.StartWith("error: ").And.Contain(message));
        Assert.That(last, Does.Not.Contain("(Parameter '"));
        return output;
    }
}
