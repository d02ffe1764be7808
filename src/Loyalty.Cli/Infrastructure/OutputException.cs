namespace Loyalty.Cli.Infrastructure;

/// <summary>An output file cannot be written; the message names it and why.</summary>
internal sealed class OutputException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message shown to the user.</param>
    /// <param name="innerException">The cause.</param>
    public OutputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message shown to the user.</param>
    public OutputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception without a message (required by the exception pattern).</summary>
    public OutputException()
    {
    }
}
