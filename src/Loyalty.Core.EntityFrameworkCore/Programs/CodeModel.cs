using Loyalty.Core.Primitives;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Loyalty.Core.EntityFrameworkCore.Programs;

/// <summary>Maps the rows of reward codes, points transfers and households.</summary>
internal static class CodeModel
{
    public const string RewardCodes = "reward_codes";
    public const string RewardCodeUses = "reward_code_uses";
    public const string Transfers = "points_transfers";
    public const string Households = "households";
    public const string HouseholdMembers = "household_members";

    public static void Apply(ModelBuilder modelBuilder, LoyaltyModelOptions options)
    {
        var prefix = options.TablePrefix;
        modelBuilder.Entity<RewardCodeRow>(b =>
        {
            b.ToTable(options.Table(RewardCodes), options.Schema);
            b.HasKey(c => new { c.ProgramId, c.Code });
            Id(b.Property(c => c.ProgramId), "program_id");
            b.Property(c => c.Code).HasColumnName("code").HasMaxLength(64);
            Id(b.Property(c => c.RedemptionId), "redemption_id");
            Id(b.Property(c => c.MemberId), "member_id");
            Id(b.Property(c => c.RewardId), "reward_id");
            b.Property(c => c.Kind).HasColumnName("kind");
            b.Property(c => c.Benefit).HasColumnName("benefit").HasMaxLength(256);
            b.Property(c => c.PointsSpent).HasColumnName("points_spent");
            b.Property(c => c.IssuedAt).HasColumnName("issued_at");
            b.Property(c => c.ExpiresAt).HasColumnName("expires_at");
            b.Property(c => c.MaxUses).HasColumnName("max_uses");
            b.Property(c => c.Uses).HasColumnName("uses");
            b.Property(c => c.ReturnPointsOnExpiry).HasColumnName("return_points_on_expiry");
            b.Property(c => c.Status).HasColumnName("status");
            b.Property(c => c.ClosedAt).HasColumnName("closed_at");
            b.Property(c => c.PointsReturned).HasColumnName("points_returned");

            // A redemption issues one code.
            b.HasIndex(c => new { c.ProgramId, c.RedemptionId }).IsUnique().HasDatabaseName($"ux_{prefix}reward_codes_redemption");

            // Maintenance finds the issued codes due, in code order.
            b.HasIndex(c => new { c.ProgramId, c.Status, c.ExpiresAt, c.Code }).HasDatabaseName($"ix_{prefix}reward_codes_due");
            b.HasIndex(c => new { c.ProgramId, c.MemberId }).HasDatabaseName($"ix_{prefix}reward_codes_member");
        });

        modelBuilder.Entity<RewardCodeUseRow>(b =>
        {
            b.ToTable(options.Table(RewardCodeUses), options.Schema);
            b.HasKey(u => new { u.ProgramId, u.Code, u.OrderId });
            Id(b.Property(u => u.ProgramId), "program_id");
            b.Property(u => u.Code).HasColumnName("code").HasMaxLength(64);
            Id(b.Property(u => u.OrderId), "order_id");
            b.Property(u => u.UsedAt).HasColumnName("used_at");
        });

        modelBuilder.Entity<PointsTransferRow>(b =>
        {
            b.ToTable(options.Table(Transfers), options.Schema);
            b.HasKey(t => new { t.ProgramId, t.TransferId });
            Id(b.Property(t => t.ProgramId), "program_id");
            Id(b.Property(t => t.TransferId), "transfer_id");
            Id(b.Property(t => t.SenderId), "sender_id");
            Id(b.Property(t => t.RecipientId), "recipient_id");
            b.Property(t => t.Sequence).HasColumnName("sequence");
            b.Property(t => t.Points).HasColumnName("points");
            b.Property(t => t.Message).HasColumnName("message").HasMaxLength(280);
            b.Property(t => t.TransferredAt).HasColumnName("transferred_at");
            b.Property(t => t.Status).HasColumnName("status");
            b.Property(t => t.Legs).HasColumnName("legs_json");

            // A sender's transfers, numbered: two transfers computed from the same allowance cannot both be written.
            b.HasIndex(t => new { t.ProgramId, t.SenderId, t.Sequence }).IsUnique().HasDatabaseName($"ux_{prefix}points_transfers_sender_sequence");
            b.HasIndex(t => new { t.ProgramId, t.SenderId, t.TransferredAt }).HasDatabaseName($"ix_{prefix}points_transfers_sender");
            b.HasIndex(t => new { t.ProgramId, t.RecipientId }).HasDatabaseName($"ix_{prefix}points_transfers_recipient");
        });

        modelBuilder.Entity<HouseholdRow>(b =>
        {
            b.ToTable(options.Table(Households), options.Schema);
            b.HasKey(h => new { h.ProgramId, h.HouseholdId });
            Id(b.Property(h => h.ProgramId), "program_id");
            Id(b.Property(h => h.HouseholdId), "household_id");
            Id(b.Property(h => h.OwnerId), "owner_id");
            b.Property(h => h.CreatedAt).HasColumnName("created_at");
        });

        modelBuilder.Entity<HouseholdMemberRow>(b =>
        {
            b.ToTable(options.Table(HouseholdMembers), options.Schema);
            b.HasKey(m => new { m.ProgramId, m.MemberId });
            Id(b.Property(m => m.ProgramId), "program_id");
            Id(b.Property(m => m.MemberId), "member_id");
            Id(b.Property(m => m.HouseholdId), "household_id");
            b.Property(m => m.Slot).HasColumnName("slot");
            b.Property(m => m.JoinedAt).HasColumnName("joined_at");
            b.HasIndex(m => new { m.ProgramId, m.HouseholdId, m.Slot }).IsUnique().HasDatabaseName($"ux_{prefix}household_members_slot");
        });
    }

    private static PropertyBuilder<TProperty> Id<TProperty>(PropertyBuilder<TProperty> property, string column)
        => property.HasColumnName(column).HasMaxLength(Identifier.MaxLength).IsUnicode();
}
