using Loyalty.Core.Primitives;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Loyalty.Core.EntityFrameworkCore.Ledger;

/// <summary>Maps the ledger rows: tables, keys, the idempotency key and the indexes the store's queries use.</summary>
internal static class LedgerModel
{
    /// <summary>Table names, without the prefix.</summary>
    public const string Accounts = "ledger_accounts";
    public const string Transactions = "ledger_transactions";
    public const string Movements = "ledger_movements";
    public const string Lots = "ledger_lots";
    public const string Holds = "ledger_holds";

    public static void Apply(ModelBuilder modelBuilder, LoyaltyModelOptions options)
    {
        modelBuilder.Entity<LedgerAccountRow>(b =>
        {
            b.ToTable(options.Table(Accounts), options.Schema, t => LedgerChecks.Accounts(t, options));
            b.HasKey(a => new { a.ProgramId, a.MemberId });
            Id(b.Property(a => a.ProgramId), "program_id");
            Id(b.Property(a => a.MemberId), "member_id");
            b.Property(a => a.Version).HasColumnName("version").IsConcurrencyToken();
            b.Property(a => a.UpdatedAt).HasColumnName("updated_at");
            b.Property(a => a.LotPoints).HasColumnName("lot_points");
            b.Property(a => a.Debt).HasColumnName("debt");
            b.Property(a => a.Earned).HasColumnName("earned");
            b.Property(a => a.Redeemed).HasColumnName("redeemed");
            b.Property(a => a.Expired).HasColumnName("expired");
            b.Property(a => a.Reversed).HasColumnName("reversed");
            b.Property(a => a.Adjusted).HasColumnName("adjusted");
            b.Property(a => a.WrittenOff).HasColumnName("written_off");
            b.Property(a => a.LastActivityAt).HasColumnName("last_activity_at");
            b.Property(a => a.AvailableSnapshot).HasColumnName("available_snapshot");
            b.Property(a => a.PendingSnapshot).HasColumnName("pending_snapshot");
            b.Property(a => a.HeldSnapshot).HasColumnName("held_snapshot");
            b.Property(a => a.NextChangeAt).HasColumnName("next_change_at");
            b.Property(a => a.NextExpiryAt).HasColumnName("next_expiry_at");
            b.Property(a => a.ChainHash).HasColumnName("chain_hash").HasMaxLength(32);

            // The expiry sweep: accounts of a programme due by an instant.
            b.HasIndex(a => new { a.ProgramId, a.NextExpiryAt }).HasDatabaseName($"ix_{options.TablePrefix}ledger_accounts_expiry");
        });

        modelBuilder.Entity<LedgerTransactionRow>(b =>
        {
            b.ToTable(options.Table(Transactions), options.Schema, t => LedgerChecks.Transactions(t, options));

            // The idempotency key: a transaction id is used once per programme.
            b.HasKey(t => new { t.ProgramId, t.Id });
            Id(b.Property(t => t.ProgramId), "program_id");
            Id(b.Property(t => t.Id), "id");
            Id(b.Property(t => t.MemberId), "member_id");
            b.Property(t => t.Version).HasColumnName("version");
            b.Property(t => t.Kind).HasColumnName("kind");
            b.Property(t => t.RecordedAt).HasColumnName("recorded_at");
            b.Property(t => t.EffectiveAt).HasColumnName("effective_at");
            b.Property(t => t.Amount).HasColumnName("amount");
            Id(b.Property(t => t.RelatedId), "related_id").IsRequired(false);
            b.Property(t => t.PendingPeriod).HasColumnName("pending_period");
            b.Property(t => t.RequestedExpiresAt).HasColumnName("requested_expires_at");
            b.Property(t => t.IsWholeCapture).HasColumnName("is_whole_capture");
            b.Property(t => t.AvailableAt).HasColumnName("available_at");
            b.Property(t => t.ExpiresAt).HasColumnName("expires_at");
            b.Property(t => t.Reason).HasColumnName("reason").HasMaxLength(1000);
            b.Property(t => t.Actor).HasColumnName("actor").HasMaxLength(256);
            b.Property(t => t.Applied).HasColumnName("applied");
            b.Property(t => t.DebtChange).HasColumnName("debt_change");
            b.Property(t => t.WrittenOff).HasColumnName("written_off");
            b.Property(t => t.ChainHash).HasColumnName("chain_hash").HasMaxLength(32);
            Id(b.Property(t => t.Merchant), "merchant_id").IsRequired(false);

            // Coalition settlement reads a programme's transactions by the instant they were recorded.
            b.HasIndex(t => new { t.ProgramId, t.RecordedAt }).HasDatabaseName($"ix_{options.TablePrefix}ledger_transactions_recorded");

            // History paging, and a second guard: one transaction per account version.
            b.HasAlternateKey(t => new { t.ProgramId, t.MemberId, t.Version }).HasName($"ux_{options.TablePrefix}ledger_transactions_version");

            // Reversals of a transaction, capture or release of a hold.
            b.HasIndex(t => new { t.ProgramId, t.MemberId, t.RelatedId }).HasDatabaseName($"ix_{options.TablePrefix}ledger_transactions_related");

            b.HasOne<LedgerAccountRow>().WithMany().HasForeignKey(t => new { t.ProgramId, t.MemberId })
                .OnDelete(DeleteBehavior.Restrict).HasConstraintName($"fk_{options.TablePrefix}ledger_transactions_account");
        });

        modelBuilder.Entity<LedgerMovementRow>(b =>
        {
            b.ToTable(options.Table(Movements), options.Schema, t => LedgerChecks.Movements(t, options));
            b.HasKey(m => new { m.ProgramId, m.MemberId, m.Version, m.Ordinal });
            Id(b.Property(m => m.ProgramId), "program_id");
            Id(b.Property(m => m.MemberId), "member_id");
            b.Property(m => m.Version).HasColumnName("version");
            b.Property(m => m.Ordinal).HasColumnName("ordinal");
            Id(b.Property(m => m.LotId), "lot_id");
            b.Property(m => m.Delta).HasColumnName("delta");
            b.HasOne<LedgerTransactionRow>().WithMany()
                .HasForeignKey(m => new { m.ProgramId, m.MemberId, m.Version })
                .HasPrincipalKey(t => new { t.ProgramId, t.MemberId, t.Version })
                .OnDelete(DeleteBehavior.Restrict).HasConstraintName($"fk_{options.TablePrefix}ledger_movements_transaction");
        });

        modelBuilder.Entity<LedgerLotRow>(b =>
        {
            b.ToTable(options.Table(Lots), options.Schema, t => LedgerChecks.Lots(t, options));
            b.HasKey(l => new { l.ProgramId, l.MemberId, l.LotId });
            Id(b.Property(l => l.ProgramId), "program_id");
            Id(b.Property(l => l.MemberId), "member_id");
            Id(b.Property(l => l.LotId), "lot_id");
            b.Property(l => l.Sequence).HasColumnName("sequence");
            b.Property(l => l.OriginalAmount).HasColumnName("original_amount");
            b.Property(l => l.Remaining).HasColumnName("remaining");
            b.Property(l => l.CreatedAt).HasColumnName("created_at");
            b.Property(l => l.AvailableAt).HasColumnName("available_at");
            b.Property(l => l.ExpiresAt).HasColumnName("expires_at");

            // Open lots of an account (the snapshot read), without scanning spent ones.
            b.HasIndex(l => new { l.ProgramId, l.MemberId, l.Remaining }).HasDatabaseName($"ix_{options.TablePrefix}ledger_lots_open");
            b.HasOne<LedgerAccountRow>().WithMany().HasForeignKey(l => new { l.ProgramId, l.MemberId })
                .OnDelete(DeleteBehavior.Restrict).HasConstraintName($"fk_{options.TablePrefix}ledger_lots_account");
        });

        modelBuilder.Entity<LedgerHoldRow>(b =>
        {
            b.ToTable(options.Table(Holds), options.Schema, t => LedgerChecks.Holds(t, options));
            b.HasKey(h => new { h.ProgramId, h.MemberId, h.HoldId });
            Id(b.Property(h => h.ProgramId), "program_id");
            Id(b.Property(h => h.MemberId), "member_id");
            Id(b.Property(h => h.HoldId), "hold_id");
            b.Property(h => h.Amount).HasColumnName("amount");
            b.Property(h => h.CreatedAt).HasColumnName("created_at");
            b.Property(h => h.ExpiresAt).HasColumnName("expires_at");
            b.Property(h => h.Status).HasColumnName("status");
            b.Property(h => h.Captured).HasColumnName("captured");
            Id(b.Property(h => h.ClosedBy), "closed_by").IsRequired(false);

            // Open holds of an account (the snapshot read).
            b.HasIndex(h => new { h.ProgramId, h.MemberId, h.Status }).HasDatabaseName($"ix_{options.TablePrefix}ledger_holds_open");
            b.HasOne<LedgerAccountRow>().WithMany().HasForeignKey(h => new { h.ProgramId, h.MemberId })
                .OnDelete(DeleteBehavior.Restrict).HasConstraintName($"fk_{options.TablePrefix}ledger_holds_account");
        });
    }

    private static PropertyBuilder<TProperty> Id<TProperty>(PropertyBuilder<TProperty> property, string column)
        => property.HasColumnName(column).HasMaxLength(Identifier.MaxLength).IsUnicode();
}
