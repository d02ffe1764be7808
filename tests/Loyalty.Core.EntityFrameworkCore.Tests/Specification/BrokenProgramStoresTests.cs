using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Referrals;
using Loyalty.Core.Rewards;
using Loyalty.Core.Specification;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using NodaTime;
using Xunit.Sdk;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>The programme's suites are only worth running if they fail broken stores: this proves they do.</summary>
public sealed class BrokenProgramStoresTests
{
    [Fact]
    public async Task The_member_specification_catches_a_store_that_ignores_the_refund_count()
    {
        var suite = new CountBlindMemberSpecification();

        var failure = await Record.ExceptionAsync(suite.Refunds_are_added_only_from_the_count_read);

        failure.Should().BeAssignableTo<XunitException>();
        failure!.Message.Should().Contain("Expected: Conflict").And.Contain("Actual:   Added");
        await new CountBlindMemberSpecification().Members_are_added_once_with_unique_referral_codes(); // what it does right still passes
    }

    [Fact]
    public async Task The_member_specification_catches_a_store_that_ignores_the_history_version()
    {
        var failure = await Record.ExceptionAsync(new VersionBlindMemberSpecification().Orders_and_activities_are_added_only_from_the_history_version_read);
        failure.Should().BeAssignableTo<XunitException>();
        failure!.Message.Should().Contain("Expected: Conflict").And.Contain("Actual:   Added");
        await new VersionBlindMemberSpecification().Orders_and_activities_are_inserted_once_and_read_back_whole(); // what it does right still passes
    }

    [Fact]
    public async Task The_member_specification_catches_a_store_that_writes_the_member_state_whatever_the_versions()
    {
        var failure = await Record.ExceptionAsync(new VersionBlindMemberSpecification().Records_written_with_the_member_state_land_only_from_the_versions_read);
        failure.Should().BeAssignableTo<XunitException>();
        failure!.Message.Should().Contain("Expected: Conflict").And.Contain("Actual:   Added");
        await new VersionBlindMemberSpecification().A_member_record_without_state_or_of_another_member_is_refused(); // what it does right still passes
    }

    [Fact]
    public async Task The_member_specification_catches_a_store_whose_pages_ignore_the_partition()
    {
        var failure = await Record.ExceptionAsync(new PartitionBlindMemberSpecification().Member_pages_walk_each_partition_in_key_order_and_the_partitions_cover_every_member_once);

        failure.Should().BeAssignableTo<XunitException>();
        failure!.Message.Should().Contain("is not in partition 0/3");
        await new PartitionBlindMemberSpecification().A_batch_of_member_updates_writes_those_at_the_version_read_and_names_the_others(); // what it does right still passes
    }

    [Fact]
    public async Task The_reward_specification_catches_a_store_whose_stock_claim_checks_then_acts()
    {
        var suite = new RacyRewardSpecification();

        var failure = await Record.ExceptionAsync(suite.Racing_claims_never_take_more_than_the_stock);

        failure.Should().BeAssignableTo<XunitException>("racing claims must not take more units than the stock");
        failure!.Message.Should().Contain("Expected: 3");
        await new RacyRewardSpecification().Stock_claims_are_idempotent_and_stop_at_the_stock(); // one writer at a time still passes
    }

    [Fact]
    public async Task The_budget_specification_catches_a_store_whose_reservation_checks_then_acts()
    {
        var suite = new RacyBudgetSpecification();

        var failure = await Record.ExceptionAsync(suite.Racing_reservations_never_exceed_the_budget);

        failure.Should().BeAssignableTo<XunitException>("racing reservations must not give out more than the budget");
        await new RacyBudgetSpecification().Reservations_are_granted_from_what_the_budget_has_left(); // one writer at a time still passes
        await new RacyBudgetSpecification().Settling_gives_back_what_was_not_awarded_and_never_grows();
    }

    [Fact]
    public async Task The_budget_specification_catches_a_store_whose_usage_read_is_torn()
    {
        var failure = await Record.ExceptionAsync(new TornBudgetSpecification().A_usage_read_is_one_view_when_a_reservation_of_its_key_lands_during_it);

        failure.Should().BeAssignableTo<XunitException>("a reservation landing between the two reads shows in the key's part only");
        await new TornBudgetSpecification().Reservations_are_granted_from_what_the_budget_has_left(); // one writer at a time still passes
    }

    /// <summary>Broken: reads the total, then (another round trip, where a writer can land) the key's part.</summary>
    private sealed class TornBudgetSpecification : CampaignBudgetStoreSpecification
    {
        private readonly InMemoryCampaignBudgetStore store = new();

        protected override ICampaignBudgetStore CreateStore() => store;

        protected override ICampaignBudgetStore CreateInterleavedStore(Func<Task> interleave) => new TornBudgetStore(store, interleave);
    }

    private sealed class TornBudgetStore(InMemoryCampaignBudgetStore inner, Func<Task> betweenReads) : ICampaignBudgetStore
    {
        public async ValueTask<CampaignBudgetUsage> GetUsageAsync(ProgramId programId, RuleId ruleId, TransactionId key, CancellationToken cancellationToken = default)
        {
            var used = (await inner.GetUsageAsync(programId, ruleId, key, cancellationToken)).Used;
            await betweenReads();
            return new CampaignBudgetUsage(used, (await inner.GetUsageAsync(programId, ruleId, key, cancellationToken)).HeldByKey);
        }

        public ValueTask<Points> ReserveAsync(ProgramId programId, RuleId ruleId, TransactionId key, Points points, Points budget, CancellationToken cancellationToken = default) => inner.ReserveAsync(programId, ruleId, key, points, budget, cancellationToken);

        public ValueTask SettleAsync(ProgramId programId, TransactionId key, IReadOnlyCollection<CampaignGrant> grants, CancellationToken cancellationToken = default) => inner.SettleAsync(programId, key, grants, cancellationToken);
    }

    private sealed class RacyBudgetSpecification : CampaignBudgetStoreSpecification
    {
        private readonly RacyBudgetStore store = new();

        protected override ICampaignBudgetStore CreateStore() => store;
    }

    /// <summary>Broken: reads the usage, pauses, then reserves from what it read (racing writers all see the same room).</summary>
    private sealed class RacyBudgetStore : ICampaignBudgetStore
    {
        private readonly InMemoryCampaignBudgetStore inner = new();

        public ValueTask<CampaignBudgetUsage> GetUsageAsync(ProgramId programId, RuleId ruleId, TransactionId key, CancellationToken cancellationToken = default) => inner.GetUsageAsync(programId, ruleId, key, cancellationToken);

        public async ValueTask<Points> ReserveAsync(ProgramId programId, RuleId ruleId, TransactionId key, Points points, Points budget, CancellationToken cancellationToken = default)
        {
            var usage = await inner.GetUsageAsync(programId, ruleId, key, cancellationToken);
            var room = budget - usage.Used;
            await Task.Delay(20, cancellationToken);

            // Asks the real store for a budget as large as the room it saw, on top of what is now used.
            var seen = room < points - usage.HeldByKey ? room + usage.HeldByKey : points;
            if (!seen.IsPositive)
            {
                return usage.HeldByKey;
            }

            var now = await inner.GetUsageAsync(programId, ruleId, key, cancellationToken);
            return await inner.ReserveAsync(programId, ruleId, key, seen, now.Used - now.HeldByKey + seen, cancellationToken);
        }

        public ValueTask SettleAsync(ProgramId programId, TransactionId key, IReadOnlyCollection<CampaignGrant> grants, CancellationToken cancellationToken = default) => inner.SettleAsync(programId, key, grants, cancellationToken);
    }

    /// <summary>Not public, so that xunit does not run the whole suite against the broken store.</summary>
    private sealed class CountBlindMemberSpecification : MemberStoreSpecification
    {
        private readonly BlindMemberStore store = new(countBlind: true, versionBlind: false);

        protected override IMemberStore CreateStore() => store;
    }

    private sealed class VersionBlindMemberSpecification : MemberStoreSpecification
    {
        private readonly BlindMemberStore store = new(countBlind: false, versionBlind: true);

        protected override IMemberStore CreateStore() => store;
    }

    private sealed class PartitionBlindMemberSpecification : MemberStoreSpecification
    {
        private readonly BlindMemberStore store = new(countBlind: false, versionBlind: false, partitionBlind: true);

        protected override IMemberStore CreateStore() => store;
    }

    private sealed class RacyRewardSpecification : RewardCatalogStoreSpecification
    {
        private readonly RacyRewardCatalogStore store = new();

        protected override IRewardCatalogStore CreateStore() => store;
    }

    /// <summary>
    /// Broken: adds a refund whatever the order's refund count (two refunds computed from one state
    /// both land), or an order or activity whatever the member's history version (two orders
    /// evaluated from one history both land).
    /// </summary>
    private sealed class BlindMemberStore(bool countBlind, bool versionBlind, bool partitionBlind = false) : IMemberStore
    {
        private readonly InMemoryMemberStore inner = new();

        public async ValueTask<RefundAddResult> AddRefundAsync(RefundRecord refund, int expectedRefundCount, CancellationToken cancellationToken = default)
        {
            if (!countBlind)
            {
                return await inner.AddRefundAsync(refund, expectedRefundCount, cancellationToken);
            }

            if (await inner.GetRefundAsync(refund.ProgramId, refund.RefundId, cancellationToken) is { } existing)
            {
                return new RefundAddResult(RefundAddStatus.Exists, existing);
            }

            var count = (await inner.ListRefundsAsync(refund.ProgramId, refund.OrderId, cancellationToken)).Count;
            return await inner.AddRefundAsync(refund, count, cancellationToken);
        }

        public ValueTask<MemberRecord?> GetMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) => inner.GetMemberAsync(programId, memberId, cancellationToken);

        public ValueTask<MemberRecord?> FindByReferralCodeAsync(ProgramId programId, ReferralCode code, CancellationToken cancellationToken = default) => inner.FindByReferralCodeAsync(programId, code, cancellationToken);

        public ValueTask<MemberAddStatus> AddMemberAsync(MemberRecord member, CancellationToken cancellationToken = default) => inner.AddMemberAsync(member, cancellationToken);

        public ValueTask<bool> UpdateMemberAsync(MemberRecord member, long expectedVersion, CancellationToken cancellationToken = default) => inner.UpdateMemberAsync(member, expectedVersion, cancellationToken);

        public ValueTask<IReadOnlyList<MemberId>> ListMembersAsync(ProgramId programId, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default) => inner.ListMembersAsync(programId, afterMember, maxCount, cancellationToken);

        public ValueTask<IReadOnlyList<MemberPageEntry>> ReadMemberPageAsync(ProgramId programId, MemberPartition partition, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default) =>
            inner.ReadMemberPageAsync(programId, partitionBlind ? MemberPartition.All : partition, afterMember, maxCount, cancellationToken);

        public async ValueTask<HistoryAddResult<OrderRecord>> AddOrderAsync(OrderRecord order, long expectedHistoryVersion, CancellationToken cancellationToken = default) =>
            await inner.AddOrderAsync(order, versionBlind ? await CurrentVersionAsync(order.ProgramId, order.MemberId, expectedHistoryVersion) : expectedHistoryVersion, cancellationToken);

        public ValueTask<OrderRecord?> GetOrderAsync(ProgramId programId, OrderId orderId, CancellationToken cancellationToken = default) => inner.GetOrderAsync(programId, orderId, cancellationToken);

        public ValueTask<RefundRecord?> GetRefundAsync(ProgramId programId, RefundId refundId, CancellationToken cancellationToken = default) => inner.GetRefundAsync(programId, refundId, cancellationToken);

        public ValueTask<IReadOnlyList<RefundRecord>> ListRefundsAsync(ProgramId programId, OrderId orderId, CancellationToken cancellationToken = default) => inner.ListRefundsAsync(programId, orderId, cancellationToken);

        public async ValueTask<HistoryAddResult<ActivityRecord>> AddActivityAsync(ActivityRecord activity, long expectedHistoryVersion, CancellationToken cancellationToken = default) =>
            await inner.AddActivityAsync(activity, versionBlind ? await CurrentVersionAsync(activity.ProgramId, activity.MemberId, expectedHistoryVersion) : expectedHistoryVersion, cancellationToken);

        public ValueTask<ActivityRecord?> GetActivityAsync(ProgramId programId, ActivityId activityId, CancellationToken cancellationToken = default) => inner.GetActivityAsync(programId, activityId, cancellationToken);

        public ValueTask<MemberHistory> GetHistoryAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) => inner.GetHistoryAsync(programId, memberId, cancellationToken);

        public async ValueTask<HistoryAddResult<OrderRecord>> AddOrderWithStateAsync(OrderRecord order, MemberRecord member, CancellationToken cancellationToken = default) =>
            await inner.AddOrderWithStateAsync(order, versionBlind ? await CurrentAsync(member, cancellationToken) : member, cancellationToken);

        public async ValueTask<RefundAddResult> AddRefundWithStateAsync(RefundRecord refund, int expectedRefundCount, MemberRecord member, CancellationToken cancellationToken = default) =>
            await inner.AddRefundWithStateAsync(refund, countBlind ? (await inner.ListRefundsAsync(refund.ProgramId, refund.OrderId, cancellationToken)).Count : expectedRefundCount, versionBlind ? await CurrentAsync(member, cancellationToken) : member, cancellationToken);

        public async ValueTask<HistoryAddResult<ActivityRecord>> AddActivityWithStateAsync(ActivityRecord activity, MemberRecord member, CancellationToken cancellationToken = default) =>
            await inner.AddActivityWithStateAsync(activity, versionBlind ? await CurrentAsync(member, cancellationToken) : member, cancellationToken);

        public ValueTask<IReadOnlyList<OrderRecord>> ListOrdersRecordedAsync(ProgramId programId, NodaTime.Instant from, NodaTime.Instant until, (NodaTime.Instant RecordedAt, OrderId OrderId)? after, int maxCount, CancellationToken cancellationToken = default) => inner.ListOrdersRecordedAsync(programId, from, until, after, maxCount, cancellationToken);

        /// <summary>The member record moved to whatever versions are current, so the write lands whatever was read.</summary>
        private async Task<MemberRecord> CurrentAsync(MemberRecord member, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(member);
            var stored = await inner.GetMemberAsync(member.ProgramId, member.MemberId, cancellationToken);
            var history = await inner.GetHistoryAsync(member.ProgramId, member.MemberId, cancellationToken);
            return stored is null || member.Evaluation is null
                ? member
                : member with { Version = stored.Version + 1, Evaluation = member.Evaluation with { HistoryVersion = history.Version + 1 } };
        }

        private async Task<long> CurrentVersionAsync(ProgramId programId, MemberId memberId, long expected)
        {
            // Refuses bad input like the real store, then passes whatever version is current.
            ArgumentOutOfRangeException.ThrowIfNegative(expected);
            return (await inner.GetHistoryAsync(programId, memberId)).Version;
        }
    }

    /// <summary>Broken: counts the claimed units, then claims, in two steps another writer can come between.</summary>
    private sealed class RacyRewardCatalogStore : IRewardCatalogStore
    {
        private readonly InMemoryRewardCatalogStore inner = new();

        public async ValueTask<StockClaimStatus> ClaimStockAsync(ProgramId programId, RewardId rewardId, RedemptionId redemptionId, long stock, CancellationToken cancellationToken = default)
        {
            if (await inner.CountClaimedAsync(programId, rewardId, cancellationToken) >= stock)
            {
                return StockClaimStatus.OutOfStock;
            }

            await Task.Delay(50, cancellationToken); // a database round trip between the check and the write
            return await inner.ClaimStockAsync(programId, rewardId, redemptionId, long.MaxValue, cancellationToken);
        }

        public ValueTask<RewardCatalog> GetCatalogAsync(ProgramId programId, CancellationToken cancellationToken = default) => inner.GetCatalogAsync(programId, cancellationToken);

        public ValueTask SaveCatalogAsync(ProgramId programId, RewardCatalog catalog, CancellationToken cancellationToken = default) => inner.SaveCatalogAsync(programId, catalog, cancellationToken);

        public ValueTask<bool> ReturnStockAsync(ProgramId programId, RewardId rewardId, RedemptionId redemptionId, CancellationToken cancellationToken = default) => inner.ReturnStockAsync(programId, rewardId, redemptionId, cancellationToken);

        public ValueTask<long> CountClaimedAsync(ProgramId programId, RewardId rewardId, CancellationToken cancellationToken = default) => inner.CountClaimedAsync(programId, rewardId, cancellationToken);

        public ValueTask<RewardRedemption> AddRedemptionAsync(RewardRedemption redemption, CancellationToken cancellationToken = default) => inner.AddRedemptionAsync(redemption, cancellationToken);

        public ValueTask<RewardRedemption?> GetRedemptionAsync(ProgramId programId, RedemptionId redemptionId, CancellationToken cancellationToken = default) => inner.GetRedemptionAsync(programId, redemptionId, cancellationToken);

        public ValueTask<RewardRedemption?> MarkCancelledAsync(ProgramId programId, RedemptionId redemptionId, Instant cancelledAt, CancellationToken cancellationToken = default) => inner.MarkCancelledAsync(programId, redemptionId, cancelledAt, cancellationToken);

        public ValueTask<IReadOnlyList<RewardRedemption>> ListRedemptionsAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) => inner.ListRedemptionsAsync(programId, memberId, cancellationToken);
    }
}
