namespace Loyalty.Cli.Infrastructure;

/// <summary>The exit codes of the <c>loyalty</c> tool (documented in docs/cli.md).</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary><c>validate</c> found problems in the configuration (each one is printed with its path).</summary>
    public const int ConfigurationInvalid = 1;

    /// <summary>The command line is wrong: unknown command or option, bad option value.</summary>
    public const int UsageError = 2;

    /// <summary>An input file is missing, unreadable or bad (the first bad line is printed with its number).</summary>
    public const int InputError = 3;

    /// <summary>An output file (<c>--out</c>, <c>--csv</c>) cannot be written.</summary>
    public const int OutputError = 4;

    /// <summary>An unexpected failure (a bug): the message and stack trace are printed.</summary>
    public const int InternalError = 70;
}
