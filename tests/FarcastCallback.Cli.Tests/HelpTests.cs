namespace FarcastCallback.Cli.Tests;

/// <summary>Every command's <c>--help</c> renders (option descriptions are Spectre markup: a bare [CLS] breaks it).</summary>
public class HelpTests
{
    [TestCase("fullbatch")]
    [TestCase("mnist")]
    [TestCase("text")]
    [TestCase("eval")]
    [TestCase("paper", "syn1")]
    [TestCase("paper", "syn2")]
    [TestCase("paper", "cnn")]
    [TestCase("paper", "distilbert")]
    [TestCase("paper", "ablations")]
    public void Help_renders_for_every_command(params string[] command)
    {
        var (code, output) = CliRunner.Run(command.Append("--help").ToArray());

        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("USAGE:").And.Contain("OPTIONS:").And.Contain("--help"));
    }

    [Test]
    public void The_text_help_names_the_special_tokens_literally() =>
        Assert.That(CliRunner.Run("text", "--help").Output, Does.Contain("including [CLS] and [SEP]"));
}
