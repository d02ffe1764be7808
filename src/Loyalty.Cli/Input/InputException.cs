namespace Loyalty.Cli.Input;

/// <summary>
/// An input file (orders CSV, configuration) cannot be used; the message names the file, the
/// line and the column where that applies, what is wrong and how to fix it.
/// </summary>
internal sealed class InputException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The complete message shown to the user.</param>
    public InputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">The complete message shown to the user.</param>
    /// <param name="innerException">The cause.</param>
    public InputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception without a message (required by the exception pattern).</summary>
    public InputException()
    {
    }
}
