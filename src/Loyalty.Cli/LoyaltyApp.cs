using Loyalty.Cli.Commands;
using Loyalty.Cli.Infrastructure;
using Loyalty.Cli.Input;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Loyalty.Cli;

/// <summary>The <c>loyalty</c> command-line application: commands, help, errors and exit codes.</summary>
internal static class LoyaltyApp
{
    /// <summary>Runs the tool.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="console">Where to write.</param>
    /// <returns>The exit code (see <see cref="ExitCodes"/>).</returns>
    public static int Run(string[] args, CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.Settings.Registrar.RegisterInstance(console);
            config.SetApplicationName("loyalty");
            config.Settings.Console = console.Out;
            config.Settings.StrictParsing = true;
            config.SetExceptionHandler((exception, _) => Fail(console, exception));
            CommandCatalog.Register(config);
        });
        return app.Run(args);
    }

    private static int Fail(CliConsole console, Exception exception)
    {
        switch (exception)
        {
            case InputException input:
                console.Error.MarkupLine($"[red]error:[/] {Markup.Escape(input.Message)}");
                return ExitCodes.InputError;
            case OutputException output:
                console.Error.MarkupLine($"[red]error:[/] {Markup.Escape(output.Message)}");
                return ExitCodes.OutputError;
            case UsageException usage:
                console.Error.MarkupLine($"[red]error:[/] {Markup.Escape(usage.Message)}");
                return ExitCodes.UsageError;
            case CommandAppException usage:
                console.Error.MarkupLine($"[red]error:[/] {Markup.Escape(usage.Message)}");
                console.Error.MarkupLine("Run [bold]loyalty --help[/] or [bold]loyalty <command> --help[/] for the commands and their options.");
                return ExitCodes.UsageError;
            default:
                console.Error.MarkupLine($"[red]unexpected error (a bug; please report it with this output):[/] {Markup.Escape(exception.ToString())}");
                return ExitCodes.InternalError;
        }
    }
}
