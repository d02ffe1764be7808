namespace Loyalty.Core.Tiers;

/// <summary>Thrown when a tier ladder definition is invalid; lists every problem with its path.</summary>
/// <remarks>Raised when a ladder is loaded from data, never during evaluation.</remarks>
public sealed class TierLadderException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errors">Every problem, each starting with its path (e.g. <c>tiers[1].thresholds[0].value must be greater than 0 (was 0).</c>).</param>
    public TierLadderException(IReadOnlyList<string> errors)
        : base(BuildMessage(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception with a single message.</summary>
    public TierLadderException()
        : this(["The tier ladder is invalid."])
    {
    }

    /// <summary>Creates the exception with a single message.</summary>
    /// <param name="message">The problem.</param>
    public TierLadderException(string message)
        : this([message])
    {
    }

    /// <summary>Creates the exception with a single message and a cause.</summary>
    /// <param name="message">The problem.</param>
    /// <param name="innerException">The cause.</param>
    public TierLadderException(string message, Exception innerException)
        : base(BuildMessage([message]), innerException)
    {
        Errors = [message];
    }

    /// <summary>Every problem found, each starting with its path.</summary>
    public IReadOnlyList<string> Errors { get; }

    private static string BuildMessage(IReadOnlyList<string> errors) =>
        errors.Count == 1
            ? "The tier ladder is invalid: " + errors[0]
            : $"The tier ladder is invalid ({errors.Count} problems):" + string.Concat(errors.Select(e => Environment.NewLine + "- " + e));
}
