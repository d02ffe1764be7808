using Loyalty.Core.Coalition;
using Loyalty.Core.Primitives;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Loyalty.Core.EntityFrameworkCore.Coalition;

// The persisted shape of the coalition stores. Same conventions as the other stores: ids as strings,
// instants as 100-ns ticks since the Unix epoch, local dates as day numbers (DateOnly.DayNumber), enums as integers.

/// <summary>One row per partner. <see cref="Lock"/> is bumped by every agreement or draw write, to serialise them per partner.</summary>
internal sealed class PartnerRow
{
    public string ProgramId { get; set; } = "";
    public string MerchantId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Currency { get; set; } = "";
    public int Status { get; set; }
    public int JoinedOn { get; set; }
    public int? LeftOn { get; set; }
    public long Version { get; set; }
    public long Lock { get; set; }
}

/// <summary>One row per agreement version; never updated.</summary>
internal sealed class PartnerAgreementRow
{
    public string ProgramId { get; set; } = "";
    public string MerchantId { get; set; } = "";
    public int Version { get; set; }
    public int EffectiveFrom { get; set; }
    public int? EffectiveUntil { get; set; }
    public string Currency { get; set; } = "";
    public int Billing { get; set; }
    public decimal IssuancePrice { get; set; }
    public decimal BillingPercentage { get; set; }
    public decimal ReimbursementPrice { get; set; }
}

/// <summary>One row per prepaid block, with the points drawn from it so far.</summary>
internal sealed class PrepaidBlockRow
{
    public string ProgramId { get; set; } = "";
    public string MerchantId { get; set; } = "";
    public string BlockId { get; set; } = "";
    public long Points { get; set; }
    public decimal PricePerPoint { get; set; }
    public string Currency { get; set; } = "";
    public long PurchasedAt { get; set; }
    public long? ExpiresAt { get; set; }
    public bool IsReserve { get; set; }
    public long Drawn { get; set; }
}

/// <summary>One row per earn and block it drew from (the points shrink to 0 when given back; never deleted).</summary>
internal sealed class PrepaidDrawRow
{
    public string ProgramId { get; set; } = "";
    public string TransactionId { get; set; } = "";
    public int Ordinal { get; set; }
    public string MerchantId { get; set; } = "";
    public string BlockId { get; set; } = "";
    public long Points { get; set; }
}

/// <summary>One row per programme and period: the run as JSON, draft or closed.</summary>
internal sealed class SettlementRunRow
{
    public string ProgramId { get; set; } = "";
    public string Period { get; set; } = "";
    public int Status { get; set; }
    public long? ClosedAt { get; set; }
    public string Content { get; set; } = "";
}

/// <summary>Maps the coalition rows.</summary>
internal static class CoalitionModel
{
    public const string Partners = "partners";
    public const string Agreements = "partner_agreements";
    public const string Blocks = "prepaid_blocks";
    public const string Draws = "prepaid_draws";
    public const string Runs = "settlement_runs";

    public static void Apply(ModelBuilder modelBuilder, LoyaltyModelOptions options)
    {
        modelBuilder.Entity<PartnerRow>(b =>
        {
            b.ToTable(options.Table(Partners), options.Schema);
            b.HasKey(p => new { p.ProgramId, p.MerchantId });
            Id(b.Property(p => p.ProgramId), "program_id");
            Id(b.Property(p => p.MerchantId), "merchant_id");
            b.Property(p => p.Name).HasColumnName("name").HasMaxLength(Partner.MaxNameLength);
            b.Property(p => p.Currency).HasColumnName("currency").HasMaxLength(3);
            b.Property(p => p.Status).HasColumnName("status");
            b.Property(p => p.JoinedOn).HasColumnName("joined_on");
            b.Property(p => p.LeftOn).HasColumnName("left_on");
            b.Property(p => p.Version).HasColumnName("version");
            b.Property(p => p.Lock).HasColumnName("lock");
        });

        modelBuilder.Entity<PartnerAgreementRow>(b =>
        {
            b.ToTable(options.Table(Agreements), options.Schema);
            b.HasKey(a => new { a.ProgramId, a.MerchantId, a.Version });
            Id(b.Property(a => a.ProgramId), "program_id");
            Id(b.Property(a => a.MerchantId), "merchant_id");
            b.Property(a => a.Version).HasColumnName("version");
            b.Property(a => a.EffectiveFrom).HasColumnName("effective_from");
            b.Property(a => a.EffectiveUntil).HasColumnName("effective_until");
            b.Property(a => a.Currency).HasColumnName("currency").HasMaxLength(3);
            b.Property(a => a.Billing).HasColumnName("billing");
            Price(b.Property(a => a.IssuancePrice), "issuance_price");
            Price(b.Property(a => a.BillingPercentage), "billing_percentage");
            Price(b.Property(a => a.ReimbursementPrice), "reimbursement_price");
            b.HasOne<PartnerRow>().WithMany().HasForeignKey(a => new { a.ProgramId, a.MerchantId })
                .OnDelete(DeleteBehavior.Restrict).HasConstraintName($"fk_{options.TablePrefix}partner_agreements_partner");
        });

        modelBuilder.Entity<PrepaidBlockRow>(b =>
        {
            b.ToTable(options.Table(Blocks), options.Schema);
            b.HasKey(k => new { k.ProgramId, k.MerchantId, k.BlockId });
            Id(b.Property(k => k.ProgramId), "program_id");
            Id(b.Property(k => k.MerchantId), "merchant_id");
            b.Property(k => k.BlockId).HasColumnName("block_id").HasMaxLength(PrepaidPointBlock.MaxBlockIdLength);
            b.Property(k => k.Points).HasColumnName("points");
            Price(b.Property(k => k.PricePerPoint), "price_per_point");
            b.Property(k => k.Currency).HasColumnName("currency").HasMaxLength(3);
            b.Property(k => k.PurchasedAt).HasColumnName("purchased_at");
            b.Property(k => k.ExpiresAt).HasColumnName("expires_at");
            b.Property(k => k.IsReserve).HasColumnName("is_reserve");
            b.Property(k => k.Drawn).HasColumnName("drawn");
            b.ToTable(t => t.HasCheckConstraint($"ck_{options.TablePrefix}prepaid_blocks_drawn", "drawn >= 0 AND drawn <= points"));
            b.HasOne<PartnerRow>().WithMany().HasForeignKey(k => new { k.ProgramId, k.MerchantId })
                .OnDelete(DeleteBehavior.Restrict).HasConstraintName($"fk_{options.TablePrefix}prepaid_blocks_partner");
        });

        modelBuilder.Entity<PrepaidDrawRow>(b =>
        {
            b.ToTable(options.Table(Draws), options.Schema);
            b.HasKey(d => new { d.ProgramId, d.TransactionId, d.Ordinal });
            Id(b.Property(d => d.ProgramId), "program_id");
            Id(b.Property(d => d.TransactionId), "transaction_id");
            b.Property(d => d.Ordinal).HasColumnName("ordinal");
            Id(b.Property(d => d.MerchantId), "merchant_id");
            b.Property(d => d.BlockId).HasColumnName("block_id").HasMaxLength(PrepaidPointBlock.MaxBlockIdLength);
            b.Property(d => d.Points).HasColumnName("points");
        });

        modelBuilder.Entity<SettlementRunRow>(b =>
        {
            b.ToTable(options.Table(Runs), options.Schema);
            b.HasKey(r => new { r.ProgramId, r.Period });
            Id(b.Property(r => r.ProgramId), "program_id");
            b.Property(r => r.Period).HasColumnName("period").HasMaxLength(7);
            b.Property(r => r.Status).HasColumnName("status");
            b.Property(r => r.ClosedAt).HasColumnName("closed_at");
            b.Property(r => r.Content).HasColumnName("content");
        });
    }

    private static PropertyBuilder<TProperty> Id<TProperty>(PropertyBuilder<TProperty> property, string column)
        => property.HasColumnName(column).HasMaxLength(Identifier.MaxLength).IsUnicode();

    private static PropertyBuilder<decimal> Price(PropertyBuilder<decimal> property, string column)
        => property.HasColumnName(column).HasPrecision(28, 10);
}
