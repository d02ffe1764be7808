namespace Loyalty.Core.Earning;

/// <summary>Thrown when a rule set is invalid; lists every problem with its path.</summary>
/// <remarks>Raised when a rule set is loaded or built, never during evaluation.</remarks>
public sealed class EarningRuleSetException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errors">Every problem, each starting with its path (e.g. <c>rules[2].multiplier must be greater than 1 (was 0).</c>).</param>
    public EarningRuleSetException(IReadOnlyList<string> errors)
        : base(BuildMessage(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception with a single message.</summary>
    public EarningRuleSetException()
        : this(["The rule set is invalid."])
    {
    }

    /// <summary>Creates the exception with a single message.</summary>
    /// <param name="message">The problem.</param>
    public EarningRuleSetException(string message)
        : this([message])
    {
    }

    /// <summary>Creates the exception with a single message and a cause.</summary>
    /// <param name="message">The problem.</param>
    /// <param name="innerException">The cause.</param>
    public EarningRuleSetException(string message, Exception innerException)
        : base(BuildMessage([message]), innerException)
    {
        Errors = [message];
    }

    /// <summary>Every problem found, each starting with its path.</summary>
    public IReadOnlyList<string> Errors { get; }

    private static string BuildMessage(IReadOnlyList<string> errors) =>
        errors.Count == 1
            ? "The earning rule set is invalid: " + errors[0]
            : $"The earning rule set is invalid ({errors.Count} problems):" + string.Concat(errors.Select(e => Environment.NewLine + "- " + e));
}
