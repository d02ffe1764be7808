using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>Adds the loyalty tables to a shop's EF Core model.</summary>
public static class LoyaltyModelBuilderExtensions
{
    /// <summary>
    /// Adds the loyalty tables (ledger accounts, transactions, lot movements, lots, holds; members,
    /// their orders, refunds and activities; earning rule sets; rewards, stock claims, redemptions and their codes; points transfers; households; consents and the contact history; card ranges, cards and their status history; members' achievements; the data-rights audit and erasure markers) to the
    /// model, so that they live in the shop's database, are created by its migrations and commit in
    /// its transactions; and the maintenance leases. Call it from <c>OnModelCreating</c>.
    /// </summary>
    /// <param name="modelBuilder">The shop context's model builder.</param>
    /// <param name="schema">The schema of the loyalty tables, or <see langword="null"/> for the provider's default.</param>
    /// <param name="tablePrefix">The prefix of every loyalty table name; <c>loyalty_</c> by default.</param>
    /// <returns><paramref name="modelBuilder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="modelBuilder"/> or <paramref name="tablePrefix"/> is null.</exception>
    /// <exception cref="ArgumentException">The schema or the prefix is not a plain SQL identifier (see <see cref="LoyaltyModelOptions.Create"/>).</exception>
    public static ModelBuilder ApplyLoyaltyModel(this ModelBuilder modelBuilder, string? schema = null, string tablePrefix = LoyaltyModelOptions.DefaultTablePrefix)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        return modelBuilder.ApplyLoyaltyModel(LoyaltyModelOptions.Create(schema, tablePrefix));
    }

    /// <summary>Adds the loyalty tables to the model, placed as <paramref name="options"/> says.</summary>
    /// <param name="modelBuilder">The shop context's model builder.</param>
    /// <param name="options">The schema and table prefix.</param>
    /// <returns><paramref name="modelBuilder"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static ModelBuilder ApplyLoyaltyModel(this ModelBuilder modelBuilder, LoyaltyModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        ArgumentNullException.ThrowIfNull(options);
        LedgerModel.Apply(modelBuilder, options);
        ProgramModel.Apply(modelBuilder, options);
        CodeModel.Apply(modelBuilder, options);
        Engagement.EngagementModel.Apply(modelBuilder, options);
        Maintenance.MaintenanceLeaseModel.Apply(modelBuilder, options);
        Coalition.CoalitionModel.Apply(modelBuilder, options);
        Cards.CardModel.Apply(modelBuilder, options);
        Achievements.AchievementModel.Apply(modelBuilder, options);
        DataRights.DataRightsModel.Apply(modelBuilder, options);
        return modelBuilder;
    }
}
