using System.Text.RegularExpressions;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// Where the loyalty tables live in the shop's database: an optional schema and a table-name
/// prefix, so that they sit next to the shop's own tables without clashing.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. <see cref="Default"/> puts the tables in the provider's default
/// schema with the prefix <c>loyalty_</c> (<c>loyalty_ledger_accounts</c>, …).
/// </remarks>
public sealed partial class LoyaltyModelOptions
{
    /// <summary>The default table-name prefix: <c>loyalty_</c>.</summary>
    public const string DefaultTablePrefix = "loyalty_";

    /// <summary>The longest schema name or table prefix accepted: 30 characters, so that prefixed
    /// table and index names stay within PostgreSQL's 63-byte identifier limit.</summary>
    public const int MaxNameLength = 30;

    private LoyaltyModelOptions(string? schema, string tablePrefix)
    {
        Schema = schema;
        TablePrefix = tablePrefix;
    }

    /// <summary>The default schema of the provider and the prefix <see cref="DefaultTablePrefix"/>.</summary>
    public static LoyaltyModelOptions Default { get; } = new(null, DefaultTablePrefix);

    /// <summary>The schema of the loyalty tables, or <see langword="null"/> for the provider's default
    /// (<c>public</c> on PostgreSQL; SQLite has no schemas and ignores it).</summary>
    public string? Schema { get; }

    /// <summary>The prefix of every loyalty table name (may be empty).</summary>
    public string TablePrefix { get; }

    /// <summary>Creates options for the given schema and prefix.</summary>
    /// <param name="schema">The schema, or <see langword="null"/> for the provider's default. When given:
    /// 1 to <see cref="MaxNameLength"/> characters, a letter or underscore first, then letters, digits or underscores.</param>
    /// <param name="tablePrefix">The table-name prefix: empty, or up to <see cref="MaxNameLength"/> characters,
    /// a letter or underscore first, then letters, digits or underscores.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tablePrefix"/> is null.</exception>
    /// <exception cref="ArgumentException">The schema or the prefix is not a plain SQL identifier.</exception>
    public static LoyaltyModelOptions Create(string? schema = null, string tablePrefix = DefaultTablePrefix)
    {
        ArgumentNullException.ThrowIfNull(tablePrefix);
        if (schema is not null)
        {
            CheckName(schema, nameof(schema), "schema", allowEmpty: false);
        }

        CheckName(tablePrefix, nameof(tablePrefix), "table prefix", allowEmpty: true);
        return schema is null && tablePrefix == DefaultTablePrefix ? Default : new LoyaltyModelOptions(schema, tablePrefix);
    }

    /// <summary>The full name of a loyalty table: <see cref="TablePrefix"/> followed by <paramref name="name"/>.</summary>
    internal string Table(string name) => TablePrefix + name;

    /// <inheritdoc />
    public override string ToString() => Schema is null ? $"prefix '{TablePrefix}'" : $"schema '{Schema}', prefix '{TablePrefix}'";

    private static void CheckName(string value, string paramName, string what, bool allowEmpty)
    {
        if (value.Length == 0)
        {
            if (allowEmpty)
            {
                return;
            }

            throw new ArgumentException($"The {what} must not be empty; pass null to use the provider's default schema.", paramName);
        }

        if (value.Length > MaxNameLength)
        {
            throw new ArgumentException($"The {what} '{value}' is {value.Length} characters long; use at most {MaxNameLength}.", paramName);
        }

        if (!PlainIdentifier().IsMatch(value))
        {
            throw new ArgumentException($"The {what} '{value}' is not a plain SQL identifier; use a letter or underscore first, then only letters, digits or underscores (e.g. 'loyalty_').", paramName);
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainIdentifier();
}
