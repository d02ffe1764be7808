using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Referrals;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Loyalty.Core.EntityFrameworkCore.Programs;

/// <summary>Maps the programme's rows: tables, keys, the unique keys that make writes atomic, and the indexes the stores' queries use.</summary>
internal static class ProgramModel
{
    /// <summary>Table names, without the prefix.</summary>
    public const string Members = "members";
    public const string Histories = "member_histories";
    public const string Orders = "member_orders";
    public const string Refunds = "member_refunds";
    public const string Activities = "member_activities";
    public const string RuleSets = "rule_sets";
    public const string MerchantRuleSets = "merchant_rule_sets";
    public const string CampaignBudgets = "campaign_budgets";
    public const string CampaignReservations = "campaign_budget_reservations";
    public const string Rewards = "rewards";
    public const string StockClaims = "reward_stock_claims";
    public const string Redemptions = "reward_redemptions";

    public static void Apply(ModelBuilder modelBuilder, LoyaltyModelOptions options)
    {
        var prefix = options.TablePrefix;
        modelBuilder.Entity<MemberRow>(b =>
        {
            b.ToTable(options.Table(Members), options.Schema);
            b.HasKey(m => new { m.ProgramId, m.MemberId });
            Id(b.Property(m => m.ProgramId), "program_id");
            Id(b.Property(m => m.MemberId), "member_id");
            b.Property(m => m.PartitionKey).HasColumnName("partition_key");
            b.Property(m => m.Version).HasColumnName("version");
            b.Property(m => m.EnrolledAt).HasColumnName("enrolled_at");
            b.Property(m => m.BirthDate).HasColumnName("birth_date").HasMaxLength(10);
            b.Property(m => m.ReferralCode).HasColumnName("referral_code").HasMaxLength(ReferralCode.MaxLength);
            Id(b.Property(m => m.ReferredBy), "referred_by").IsRequired(false);
            Id(b.Property(m => m.ReferralCompletedBy), "referral_completed_by").IsRequired(false);
            b.Property(m => m.TierStatus).HasColumnName("tier_status");
            b.Property(m => m.LastMaintainedAt).HasColumnName("last_maintained_at");
            b.Property(m => m.Evaluation).HasColumnName("evaluation");

            // A referral code names one member of a programme.
            b.HasIndex(m => new { m.ProgramId, m.ReferralCode }).IsUnique().HasDatabaseName($"ux_{prefix}members_referral_code");

            // Batch runs (maintenance) page through one partition: a range of keys, in key order.
            b.HasIndex(m => new { m.ProgramId, m.PartitionKey, m.MemberId }).HasDatabaseName($"ix_{prefix}members_partition");
        });

        modelBuilder.Entity<MemberHistoryRow>(b =>
        {
            b.ToTable(options.Table(Histories), options.Schema);
            b.HasKey(h => new { h.ProgramId, h.MemberId });
            Id(b.Property(h => h.ProgramId), "program_id");
            Id(b.Property(h => h.MemberId), "member_id");
            b.Property(h => h.Version).HasColumnName("version");
        });

        modelBuilder.Entity<OrderRow>(b =>
        {
            b.ToTable(options.Table(Orders), options.Schema);
            b.HasKey(o => new { o.ProgramId, o.OrderId });
            Id(b.Property(o => o.ProgramId), "program_id");
            Id(b.Property(o => o.OrderId), "order_id");
            Id(b.Property(o => o.MemberId), "member_id");
            b.Property(o => o.Fingerprint).HasColumnName("fingerprint").HasMaxLength(128);
            b.Property(o => o.PlacedAt).HasColumnName("placed_at");
            b.Property(o => o.Order).HasColumnName("order_json");
            b.Property(o => o.Earning).HasColumnName("earning_json");
            Id(b.Property(o => o.Tier), "tier_id").IsRequired(false);
            Id(b.Property(o => o.TransactionId), "transaction_id");
            b.Property(o => o.RecordedAt).HasColumnName("recorded_at");

            // A member's history, in placement order.
            b.HasIndex(o => new { o.ProgramId, o.MemberId, o.PlacedAt }).HasDatabaseName($"ix_{prefix}member_orders_member");

            // The recovery of interrupted calls reads the orders recorded in a period.
            b.HasIndex(o => new { o.ProgramId, o.RecordedAt, o.OrderId }).HasDatabaseName($"ix_{prefix}member_orders_recorded");
        });

        modelBuilder.Entity<RefundRow>(b =>
        {
            b.ToTable(options.Table(Refunds), options.Schema);
            b.HasKey(r => new { r.ProgramId, r.RefundId });
            Id(b.Property(r => r.ProgramId), "program_id");
            Id(b.Property(r => r.RefundId), "refund_id");
            Id(b.Property(r => r.MemberId), "member_id");
            Id(b.Property(r => r.OrderId), "order_id");
            b.Property(r => r.Sequence).HasColumnName("sequence");
            b.Property(r => r.Fingerprint).HasColumnName("fingerprint").HasMaxLength(128);
            b.Property(r => r.Refund).HasColumnName("refund_json");
            b.Property(r => r.Result).HasColumnName("result_json");
            b.Property(r => r.Amount).HasColumnName("amount");
            b.Property(r => r.Currency).HasColumnName("currency").HasMaxLength(3);
            b.Property(r => r.RefundedAt).HasColumnName("refunded_at");
            Id(b.Property(r => r.TransactionId), "transaction_id").IsRequired(false);
            b.Property(r => r.RecordedAt).HasColumnName("recorded_at");

            // The refunds of an order, numbered from 0: two refunds computed from the same count
            // cannot both be written.
            b.HasIndex(r => new { r.ProgramId, r.OrderId, r.Sequence }).IsUnique().HasDatabaseName($"ux_{prefix}member_refunds_order_sequence");
            b.HasIndex(r => new { r.ProgramId, r.MemberId, r.RefundedAt }).HasDatabaseName($"ix_{prefix}member_refunds_member");
        });

        modelBuilder.Entity<ActivityRow>(b =>
        {
            b.ToTable(options.Table(Activities), options.Schema);
            b.HasKey(a => new { a.ProgramId, a.ActivityId });
            Id(b.Property(a => a.ProgramId), "program_id");
            Id(b.Property(a => a.ActivityId), "activity_id");
            Id(b.Property(a => a.MemberId), "member_id");
            b.Property(a => a.Fingerprint).HasColumnName("fingerprint").HasMaxLength(128);
            b.Property(a => a.Kind).HasColumnName("kind");
            b.Property(a => a.OccurredAt).HasColumnName("occurred_at");
            b.Property(a => a.EventName).HasColumnName("event_name").HasMaxLength(256);
            b.Property(a => a.Merchant).HasColumnName("merchant_id").HasMaxLength(Identifier.MaxLength).IsUnicode();
            b.Property(a => a.Earning).HasColumnName("earning_json");
            Id(b.Property(a => a.TransactionId), "transaction_id").IsRequired(false);
            b.Property(a => a.RecordedAt).HasColumnName("recorded_at");
            b.HasIndex(a => new { a.ProgramId, a.MemberId, a.OccurredAt }).HasDatabaseName($"ix_{prefix}member_activities_member");
        });

        modelBuilder.Entity<CampaignBudgetRow>(b =>
        {
            b.ToTable(options.Table(CampaignBudgets), options.Schema);
            b.HasKey(c => new { c.ProgramId, c.RuleId });
            Id(b.Property(c => c.ProgramId), "program_id");
            Id(b.Property(c => c.RuleId), "rule_id");
            b.Property(c => c.Used).HasColumnName("used");
            b.Property(c => c.Version).HasColumnName("version");
        });

        modelBuilder.Entity<CampaignReservationRow>(b =>
        {
            b.ToTable(options.Table(CampaignReservations), options.Schema);

            // Settling reads an order's or activity's reservations by its transaction.
            b.HasKey(r => new { r.ProgramId, r.TransactionId, r.RuleId });
            Id(b.Property(r => r.ProgramId), "program_id");
            Id(b.Property(r => r.TransactionId), "transaction_id");
            Id(b.Property(r => r.RuleId), "rule_id");
            b.Property(r => r.Points).HasColumnName("points");
        });

        modelBuilder.Entity<RuleSetRow>(b =>
        {
            b.ToTable(options.Table(RuleSets), options.Schema);
            b.HasKey(r => new { r.ProgramId, r.Version });
            Id(b.Property(r => r.ProgramId), "program_id");
            b.Property(r => r.Version).HasColumnName("version").HasMaxLength(128);
            b.Property(r => r.EffectiveFrom).HasColumnName("effective_from");
            b.Property(r => r.Definition).HasColumnName("definition_json");

            // One version takes effect at an instant.
            b.HasIndex(r => new { r.ProgramId, r.EffectiveFrom }).IsUnique().HasDatabaseName($"ux_{prefix}rule_sets_effective_from");
        });

        modelBuilder.Entity<MerchantRuleSetRow>(b =>
        {
            b.ToTable(options.Table(MerchantRuleSets), options.Schema);
            b.HasKey(r => new { r.ProgramId, r.MerchantId, r.Version });
            Id(b.Property(r => r.ProgramId), "program_id");
            Id(b.Property(r => r.MerchantId), "merchant_id");
            b.Property(r => r.Version).HasColumnName("version").HasMaxLength(128);
            b.Property(r => r.EffectiveFrom).HasColumnName("effective_from");
            b.Property(r => r.Definition).HasColumnName("definition_json");

            // One version of a merchant takes effect at an instant.
            b.HasIndex(r => new { r.ProgramId, r.MerchantId, r.EffectiveFrom }).IsUnique().HasDatabaseName($"ux_{prefix}merchant_rule_sets_effective_from");
        });

        modelBuilder.Entity<RewardRow>(b =>
        {
            b.ToTable(options.Table(Rewards), options.Schema);
            b.HasKey(r => new { r.ProgramId, r.RewardId });
            Id(b.Property(r => r.ProgramId), "program_id");
            Id(b.Property(r => r.RewardId), "reward_id");
            b.Property(r => r.Position).HasColumnName("position");
            b.Property(r => r.Name).HasColumnName("name").HasMaxLength(256);
            b.Property(r => r.Kind).HasColumnName("kind");
            b.Property(r => r.Cost).HasColumnName("cost");
            b.Property(r => r.AmountOff).HasColumnName("amount_off");
            b.Property(r => r.Currency).HasColumnName("currency").HasMaxLength(3);
            b.Property(r => r.Percentage).HasColumnName("percentage");
            b.Property(r => r.GiftSku).HasColumnName("gift_sku").HasMaxLength(256);
            b.Property(r => r.RatePoints).HasColumnName("rate_points");
            b.Property(r => r.RateWorth).HasColumnName("rate_worth");
            b.Property(r => r.MinimumPoints).HasColumnName("minimum_points");
            b.Property(r => r.MaximumShareOfOrder).HasColumnName("maximum_share_of_order");
            Id(b.Property(r => r.RequiredTier), "required_tier").IsRequired(false);
            b.Property(r => r.Stock).HasColumnName("stock");
            b.Property(r => r.ValidFrom).HasColumnName("valid_from");
            b.Property(r => r.ValidUntil).HasColumnName("valid_until");
            b.Property(r => r.CostToShop).HasColumnName("cost_to_shop");
            b.Property(r => r.CostToShopCurrency).HasColumnName("cost_to_shop_currency").HasMaxLength(3);
            b.Property(r => r.CodeValidityDays).HasColumnName("code_validity_days");
            b.Property(r => r.CodeValidThrough).HasColumnName("code_valid_through").HasMaxLength(10);
            b.Property(r => r.CodeUses).HasColumnName("code_uses");
            b.Property(r => r.ReturnPointsOnExpiry).HasColumnName("return_points_on_expiry");
        });

        modelBuilder.Entity<StockClaimRow>(b =>
        {
            b.ToTable(options.Table(StockClaims), options.Schema);

            // A redemption holds at most one unit; a unit is held by at most one redemption.
            b.HasKey(c => new { c.ProgramId, c.RewardId, c.RedemptionId });
            Id(b.Property(c => c.ProgramId), "program_id");
            Id(b.Property(c => c.RewardId), "reward_id");
            Id(b.Property(c => c.RedemptionId), "redemption_id");
            b.Property(c => c.Unit).HasColumnName("unit");
            b.HasIndex(c => new { c.ProgramId, c.RewardId, c.Unit }).IsUnique().HasDatabaseName($"ux_{prefix}reward_stock_claims_unit");
        });

        modelBuilder.Entity<RedemptionRow>(b =>
        {
            b.ToTable(options.Table(Redemptions), options.Schema);
            b.HasKey(r => new { r.ProgramId, r.RedemptionId });
            Id(b.Property(r => r.ProgramId), "program_id");
            Id(b.Property(r => r.RedemptionId), "redemption_id");
            Id(b.Property(r => r.MemberId), "member_id");
            Id(b.Property(r => r.RewardId), "reward_id");
            b.Property(r => r.RewardName).HasColumnName("reward_name").HasMaxLength(256);
            b.Property(r => r.Kind).HasColumnName("kind");
            b.Property(r => r.Benefit).HasColumnName("benefit").HasMaxLength(256);
            b.Property(r => r.PointsSpent).HasColumnName("points_spent");
            b.Property(r => r.Code).HasColumnName("code").HasMaxLength(128);
            b.Property(r => r.RedeemedAt).HasColumnName("redeemed_at");
            Id(b.Property(r => r.LedgerTransactionId), "ledger_transaction_id");
            b.Property(r => r.Status).HasColumnName("status");
            b.Property(r => r.CancelledAt).HasColumnName("cancelled_at");
            b.HasIndex(r => new { r.ProgramId, r.MemberId, r.RedeemedAt }).HasDatabaseName($"ix_{prefix}reward_redemptions_member");
        });
    }

    private static PropertyBuilder<TProperty> Id<TProperty>(PropertyBuilder<TProperty> property, string column)
        => property.HasColumnName(column).HasMaxLength(Identifier.MaxLength).IsUnicode();
}
