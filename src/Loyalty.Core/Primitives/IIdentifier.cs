namespace Loyalty.Core.Primitives;

/// <summary>
/// A strongly typed identifier (member, programme, order…) wrapping a validated string, so
/// that a member id can never be passed where an order id is expected.
/// </summary>
/// <typeparam name="TSelf">The identifier type itself.</typeparam>
/// <remarks>
/// Every identifier accepts the forms shops use: a string, an <see cref="int"/>, a
/// <see cref="long"/> or a <see cref="Guid"/>. The string form must be 1 to
/// <see cref="Identifier.MaxLength"/> characters, with no leading or trailing whitespace and no
/// control characters. Comparison is ordinal and case-sensitive.
/// </remarks>
public interface IIdentifier<TSelf> : IEquatable<TSelf>, IComparable<TSelf>
    where TSelf : struct, IIdentifier<TSelf>
{
    /// <summary>The validated string form; the empty string only for <c>default</c>.</summary>
    string Value { get; }

    /// <summary>True for the <c>default</c> value, which identifies nothing.</summary>
    bool IsDefault { get; }

    /// <summary>Creates an identifier from its string form.</summary>
    /// <param name="value">The string form.</param>
    /// <returns>The identifier.</returns>
    static abstract TSelf From(string value);
}
