using Loyalty.Core.DataRights;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;

namespace Loyalty.Core.EntityFrameworkCore.Tests.DataRights;

/// <summary>
/// A fact that erases through the EF Core member and ledger stores: skipped, saying why, while those stores
/// do not implement <see cref="IMemberDataStore"/> and <see cref="ILedgerDataStore"/> (the data-rights service
/// refuses such stores), and runs by itself once they do. <paramref name="postgres"/> also needs a PostgreSQL server.
/// </summary>
/// <param name="postgres">Whether the test needs the throwaway PostgreSQL server.</param>
public sealed class EntityFrameworkMemberDataFactAttribute(bool postgres = false) : FactAttribute
{
    /// <summary>Why the EF Core member and ledger stores cannot take part in data rights yet, or null when they can.</summary>
    public static string? MissingCapability =>
        !typeof(IMemberDataStore).IsAssignableFrom(typeof(EntityFrameworkMemberStore)) ? "EntityFrameworkMemberStore does not implement IMemberDataStore yet, so DataRightsService refuses the EF Core stores; this test runs once it does."
        : !typeof(ILedgerDataStore).IsAssignableFrom(typeof(EntityFrameworkLedgerStore)) ? "EntityFrameworkLedgerStore does not implement ILedgerDataStore yet, so DataRightsService refuses the EF Core stores; this test runs once it does."
        : null;

    /// <inheritdoc />
    public override string? Skip
    {
        get => base.Skip ?? MissingCapability ?? (postgres ? PostgresServer.SkipReason : null);
        set => base.Skip = value;
    }
}
