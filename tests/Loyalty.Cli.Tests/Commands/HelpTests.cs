using Loyalty.Cli.Tests.Infrastructure;

namespace Loyalty.Cli.Tests.Commands;

public class HelpTests
{
    [Fact]
    public void The_tool_lists_its_commands()
    {
        var run = Tool.Run("--help");

        run.ExitCode.Should().Be(0);
        run.Output.Should().Contain("rfmp").And.Contain("cohorts").And.Contain("cycles").And.Contain("report").And.Contain("validate");
    }

    [Theory]
    [InlineData("rfmp", "--compare-to")]
    [InlineData("cohorts", "--months")]
    [InlineData("cycles", "--max-lateness")]
    [InlineData("report", "--out")]
    [InlineData("validate", "--json")]
    public void Every_command_has_help(string command, string option)
    {
        var run = Tool.Run(command, "--help");

        run.ExitCode.Should().Be(0);
        run.Output.Should().Contain(option).And.Contain("--culture");
    }

    [Fact]
    public void An_unknown_command_is_a_usage_error()
    {
        var run = Tool.Run("segments");

        run.ExitCode.Should().Be(2);
        run.Error.Should().Contain("Unknown command 'segments'");
    }
}
