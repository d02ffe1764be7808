using Spectre.Console;

namespace Loyalty.Cli.Infrastructure;

/// <summary>
/// Where the tool writes: <see cref="Out"/> for tables and the progress bar (a person),
/// <see cref="Json"/> for <c>--json</c> (a machine: raw text, never wrapped or styled) and
/// <see cref="Error"/> for error messages.
/// </summary>
/// <param name="Out">Standard output as a Spectre console.</param>
/// <param name="Json">Standard output as raw text.</param>
/// <param name="Error">Standard error as a Spectre console.</param>
internal sealed record CliConsole(IAnsiConsole Out, TextWriter Json, IAnsiConsole Error)
{
    /// <summary>The process's own standard output and error.</summary>
    /// <returns>The console.</returns>
    public static CliConsole FromProcess()
    {
        var output = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        var error = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

        // Redirected to a file or a pipe, Spectre assumes 80 columns and wraps tables and messages;
        // a log or a file reads better with whole lines.
        if (Console.IsOutputRedirected)
        {
            output.Profile.Width = RedirectedWidth;
        }

        if (Console.IsErrorRedirected)
        {
            error.Profile.Width = RedirectedWidth;
        }

        return new CliConsole(output, Console.Out, error);
    }

    /// <summary>The width of redirected output, in columns.</summary>
    public const int RedirectedWidth = 200;
}
