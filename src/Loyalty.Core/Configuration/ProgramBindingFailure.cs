namespace Loyalty.Core.Configuration;

/// <summary>
/// A value of the configuration section that could not be read into the options at all (text where a
/// number is expected, an unknown setting, a rule without its <c>Kind</c>): recorded by the configuration
/// binding and reported by the options validator at start-up, with the other problems.
/// </summary>
/// <param name="Path">The configuration path, e.g. <c>Loyalty:RuleSets:0:Rules:2:Multiplier</c>.</param>
/// <param name="Message">What is wrong and how to fix it, without the path.</param>
public sealed record ProgramBindingFailure(string Path, string Message)
{
    /// <summary>
    /// The path and the message, e.g. <c>Loyalty:Rewards:1:Cost: 'ten' is not a whole number; write it in digits, e.g. 500.</c>
    /// or <c>Loyalty:RuleSets:0:Rules:3:Kind is required: …</c>.
    /// </summary>
    /// <returns>The text.</returns>
    public override string ToString() => Message.StartsWith('\'') ? $"{Path}: {Message}" : $"{Path} {Message}";
}
