namespace Loyalty.Cli.Infrastructure;

/// <summary>Options that are each valid but do not fit the data (e.g. a comparison date after the as-of date); exit code 2.</summary>
internal sealed class UsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message shown to the user.</param>
    public UsageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message shown to the user.</param>
    /// <param name="innerException">The cause.</param>
    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception without a message (required by the exception pattern).</summary>
    public UsageException()
    {
    }
}
