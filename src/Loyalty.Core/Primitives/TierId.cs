using System.Text.Json.Serialization;

namespace Loyalty.Core.Primitives;

/// <summary>Identifies a membership tier (level).</summary>
/// <remarks>
/// Immutable and thread-safe; compared ordinally. <c>default(TierId)</c> identifies nothing
/// (<see cref="IsDefault"/> is true) and is rejected wherever an id is required.
/// See <see cref="IIdentifier{TSelf}"/> for the accepted forms.
/// </remarks>
[JsonConverter(typeof(IdentifierJsonConverter<TierId>))]
public readonly struct TierId : IIdentifier<TierId>
{
    private readonly string? value;

    private TierId(string value) => this.value = value;

    /// <summary>An id of a value validated when it was first made (a store reading back its own bytes): not validated again.</summary>
    internal static TierId Trusted(string value) => new(value);

    /// <inheritdoc />
    public string Value => value ?? string.Empty;

    /// <inheritdoc />
    public bool IsDefault => value is null;

    /// <summary>Creates an id from the shop's string form.</summary>
    /// <param name="value">1 to 128 characters, no leading or trailing whitespace, no control characters.</param>
    /// <returns>The id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> is empty, whitespace, too long, padded or holds a control character.</exception>
    public static TierId From(string value) => new(Identifier.Validate(value, nameof(TierId)));

    /// <summary>Creates an id from the shop's integer key.</summary>
    /// <param name="value">The key.</param>
    /// <returns>The id, whose string form is the invariant decimal form of <paramref name="value"/>.</returns>
    public static TierId From(long value) => new(Identifier.Format(value));

    /// <summary>Creates an id from the shop's GUID key.</summary>
    /// <param name="value">The key; must not be <see cref="Guid.Empty"/>.</param>
    /// <returns>The id, whose string form is the lower-case "D" form of <paramref name="value"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="value"/> is <see cref="Guid.Empty"/>.</exception>
    public static TierId From(Guid value) => new(Identifier.Format(value, nameof(TierId)));

    /// <summary>Compares two ids for equality (ordinal).</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(TierId left, TierId right) => left.Equals(right);

    /// <summary>Compares two ids for inequality (ordinal).</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(TierId left, TierId right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(TierId other) => string.Equals(value, other.value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is TierId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => value is null ? 0 : StringComparer.Ordinal.GetHashCode(value);

    /// <inheritdoc />
    public int CompareTo(TierId other) => string.CompareOrdinal(value, other.value);

    /// <summary>The string form.</summary>
    /// <returns>The id's string form, or the empty string for <c>default</c>.</returns>
    public override string ToString() => Value;
}
