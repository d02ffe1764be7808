using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Referrals;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Microsoft.Extensions.DependencyInjection;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

public class LoyaltyProgramConcurrencyTests
{
    [Fact]
    public async Task Parallel_orders_refunds_and_redemptions_on_one_member_lose_and_double_nothing()
    {
        using var h = await new ProgramHarness(o => o.Ledger.PendingPeriod = TimeSpan.Zero).ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.Program.RecordOrderAsync(Order("BIG", Alice, h.Now, Line("L0", 1, 100m), Line("L1", 1, 100m), Line("L2", 1, 100m), Line("L3", 1, 100m), Line("L4", 1, 100m)));
        await h.Program.PublishRewardAsync(Voucher.WithStock(3));

        // Everything at once, on the thread pool: orders with their webhook retries, refunds, redemptions.
        var orders = Enumerable.Range(0, 40).Select(i => Run(() => h.Program.RecordOrderAsync(Order($"O-{i % 20}", Alice, h.Now, Line("SKU", 1, 20m))))).ToList();
        var refunds = Enumerable.Range(0, 5).Select(i => Run(() => h.Program.RecordRefundAsync(new RefundRequest(RefundId.From($"R-{i}"), OrderId.From("BIG"), OrderRefund.ForLines(new LineRefund(i, 1)))))).ToList();
        var redemptions = Enumerable.Range(0, 6).Select(i => Run(() => h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From($"RD-{i}")))).ToList();

        var orderResults = await Task.WhenAll(orders);
        var refundResults = await Task.WhenAll(refunds);
        var redeemResults = await Task.WhenAll(redemptions);

        orderResults.Should().OnlyContain(r => r.Succeeded);
        orderResults.Count(r => !r.IsRepeat).Should().Be(20, "each order is recorded once, its retry is a repeat");
        refundResults.Should().OnlyContain(r => r.Succeeded, "refunds of different lines of one order all apply");
        var redeemed = redeemResults.Count(r => r.Succeeded);
        redeemed.Should().BeLessThanOrEqualTo(3, "only three vouchers are in stock");
        redeemResults.Where(r => !r.Succeeded).Should().OnlyContain(r => r.ErrorCode == LoyaltyErrorCode.RewardOutOfStock || r.ErrorCode == LoyaltyErrorCode.InsufficientPoints);

        // Each order's tier multiplier depends on whether the refunds had landed yet; the sums never lie.
        var ordersEarned = orderResults.Where(r => !r.IsRepeat).Aggregate(P(0), (sum, r) => sum + r.Value!.Points);
        var balance = await h.BalanceAsync(Alice);
        balance.Earned.Should().Be(P(100 + 500) + ordersEarned);
        refundResults.Aggregate(P(0), (sum, r) => sum + r.Value!.PointsReversed).Should().Be(P(500));
        (balance.Reversed + balance.WrittenOff).Should().Be(P(500));
        balance.Redeemed.Should().Be(P(500 * redeemed));
        balance.Available.Should().Be(balance.Earned - balance.Reversed - balance.Redeemed);
        (await h.Rewards.CountClaimedAsync(ProgramId.From("club"), Voucher.Id)).Should().Be(redeemed);
        var history = await h.Members.GetHistoryAsync(ProgramId.From("club"), Alice);
        history.Orders.Should().HaveCount(21);
        history.Refunds.Should().HaveCount(5);
    }

    [Fact]
    public async Task The_same_redemption_sent_in_parallel_spends_once()
    {
        using var h = await new ProgramHarness(o => o.Ledger.PendingPeriod = TimeSpan.Zero).ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.OrderAsync("A-1", Alice, 1900m);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1")))));

        results.Should().OnlyContain(r => r.Succeeded);
        results.Select(r => r.Value!.Code).Distinct().Should().ContainSingle();
        (await h.BalanceAsync(Alice)).Redeemed.Should().Be(P(500));
    }

    [Fact]
    public async Task Parallel_first_orders_of_one_member_get_one_first_order_bonus_and_keep_the_monthly_cap()
    {
        using var h = new ProgramHarness(o => o.Ledger.PendingPeriod = TimeSpan.Zero);
        await h.Program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-03", At(2026, 3, 1, 0), Currency.EUR, "Europe/Paris")
            .EarnPerUnit("base", 1m, r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Month, MaxPoints = P(100) } } })
            .OrderCountBonus("first-order", 1, 300)
            .Activity("review", ActivityKind.Review, 10, r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Month, MaxAwards = 3 } } })
            .Build());
        await h.EnrolAsync(Alice);

        // Twelve different first orders (each sent twice, as a retrying webhook would) and eight reviews, all at once.
        var orders = Enumerable.Range(0, 24).Select(i => Run(() => h.Program.RecordOrderAsync(Order($"O-{i % 12}", Alice, h.Now, Line("SKU", 1, 30m))))).ToList();
        var reviews = Enumerable.Range(0, 8).Select(i => Run(() => h.Program.RecordActivityAsync(ActivityId.From($"review-{i}"), new ActivityInput(ActivityKind.Review, Alice, h.Now)))).ToList();
        var orderResults = await Task.WhenAll(orders);
        var reviewResults = await Task.WhenAll(reviews);

        orderResults.Should().OnlyContain(r => r.Succeeded);
        var recorded = orderResults.Where(r => !r.IsRepeat).Select(r => r.Value!).ToList();
        recorded.Should().HaveCount(12, "each order is recorded once, its retry is a repeat");
        recorded.Count(r => r.Earning[RuleId.From("first-order")].Awarded == P(300)).Should().Be(1, "only one order is the member's first");
        recorded.Sum(r => r.Earning[RuleId.From("base")].Awarded.Value).Should().Be(100, "twelve orders of 30 points meet a cap of 100 a month");
        reviewResults.Should().OnlyContain(r => r.Succeeded);
        reviewResults.Count(r => r.Value!.Points == P(10)).Should().Be(3, "three reviews a month earn");
        var balance = await h.BalanceAsync(Alice);
        balance.Earned.Should().Be(P(300 + 100 + 30));
        (await h.Members.GetHistoryAsync(ProgramId.From("club"), Alice)).Orders.Should().HaveCount(12);
    }

    [Fact]
    public async Task An_order_that_keeps_conflicting_gives_up_with_a_transient_store_error()
    {
        var store = new AlwaysMovingMemberStore();
        using var h = await new ProgramHarness(replace: s => s.AddSingleton<IMemberStore>(store)).ConfigureAsync();
        await h.EnrolAsync(Alice);

        var call = () => h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 30m)));

        var thrown = (await call.Should().ThrowAsync<LoyaltyStoreException>()).Which;
        thrown.Message.Should().Be("Order 'A-1' could not be written after 16 attempts because the history of member 'alice' kept changing (other orders, refunds or activities being recorded); retry it.");
        thrown.IsTransient.Should().BeTrue();
        (await store.GetOrderAsync(ProgramId.From("club"), OrderId.From("A-1"))).Should().BeNull();
    }

    [Fact]
    public async Task A_refund_or_an_activity_that_keeps_conflicting_gives_up_after_sixteen_attempts_with_a_transient_store_error()
    {
        var store = new AlwaysMovingMemberStore { OrdersConflict = false };
        using var h = await new ProgramHarness(replace: s => s.AddSingleton<IMemberStore>(store)).ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.OrderAsync("A-1", Alice, 30m);
        store.OthersConflict = true;

        var refund = () => h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForAmount(10m)));
        var activity = () => h.Program.RecordActivityAsync(ActivityId.From("review-1"), new ActivityInput(ActivityKind.Review, Alice, h.Now));

        var refused = (await refund.Should().ThrowAsync<LoyaltyStoreException>()).Which;
        refused.Message.Should().Be("Refund 'R-1' could not be written after 16 attempts because other refunds of order 'A-1' kept being written; retry it.");
        refused.IsTransient.Should().BeTrue();
        store.RefundWrites.Should().Be(16);
        var kept = (await activity.Should().ThrowAsync<LoyaltyStoreException>()).Which;
        kept.Message.Should().Be("Activity 'review-1' could not be written after 16 attempts because the history of member 'alice' kept changing (other orders, refunds or activities being recorded); retry it.");
        kept.IsTransient.Should().BeTrue();
        store.ActivityWrites.Should().Be(16);
        (await store.GetRefundAsync(ProgramId.From("club"), RefundId.From("R-1"))).Should().BeNull();
        (await store.GetActivityAsync(ProgramId.From("club"), ActivityId.From("review-1"))).Should().BeNull();
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(30), "neither the refund nor the review wrote points");
    }

    /// <summary>A member store where another writer always gets in first: every order add conflicts (and, when asked, every refund and activity add).</summary>
    private sealed class AlwaysMovingMemberStore : IMemberStore
    {
        private readonly InMemoryMemberStore inner = new();
        private int refundWrites;
        private int activityWrites;

        public bool OrdersConflict { get; init; } = true;

        public bool OthersConflict { get; set; }

        public int RefundWrites => refundWrites;

        public int ActivityWrites => activityWrites;

        public ValueTask<HistoryAddResult<OrderRecord>> AddOrderAsync(OrderRecord order, long expectedHistoryVersion, CancellationToken cancellationToken = default) =>
            new(new HistoryAddResult<OrderRecord>(HistoryAddStatus.Conflict));

        public ValueTask<MemberRecord?> GetMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) => inner.GetMemberAsync(programId, memberId, cancellationToken);

        public ValueTask<MemberRecord?> FindByReferralCodeAsync(ProgramId programId, ReferralCode code, CancellationToken cancellationToken = default) => inner.FindByReferralCodeAsync(programId, code, cancellationToken);

        public ValueTask<MemberAddStatus> AddMemberAsync(MemberRecord member, CancellationToken cancellationToken = default) => inner.AddMemberAsync(member, cancellationToken);

        public ValueTask<bool> UpdateMemberAsync(MemberRecord member, long expectedVersion, CancellationToken cancellationToken = default) => inner.UpdateMemberAsync(member, expectedVersion, cancellationToken);

        public ValueTask<IReadOnlyList<MemberId>> ListMembersAsync(ProgramId programId, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default) => inner.ListMembersAsync(programId, afterMember, maxCount, cancellationToken);

        public ValueTask<IReadOnlyList<MemberPageEntry>> ReadMemberPageAsync(ProgramId programId, MemberPartition partition, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default) => inner.ReadMemberPageAsync(programId, partition, afterMember, maxCount, cancellationToken);

        public ValueTask<OrderRecord?> GetOrderAsync(ProgramId programId, OrderId orderId, CancellationToken cancellationToken = default) => inner.GetOrderAsync(programId, orderId, cancellationToken);

        public ValueTask<RefundAddResult> AddRefundAsync(RefundRecord refund, int expectedRefundCount, CancellationToken cancellationToken = default) => inner.AddRefundAsync(refund, expectedRefundCount, cancellationToken);

        public ValueTask<RefundRecord?> GetRefundAsync(ProgramId programId, RefundId refundId, CancellationToken cancellationToken = default) => inner.GetRefundAsync(programId, refundId, cancellationToken);

        public ValueTask<IReadOnlyList<RefundRecord>> ListRefundsAsync(ProgramId programId, OrderId orderId, CancellationToken cancellationToken = default) => inner.ListRefundsAsync(programId, orderId, cancellationToken);

        public ValueTask<HistoryAddResult<ActivityRecord>> AddActivityAsync(ActivityRecord activity, long expectedHistoryVersion, CancellationToken cancellationToken = default) => inner.AddActivityAsync(activity, expectedHistoryVersion, cancellationToken);

        public ValueTask<ActivityRecord?> GetActivityAsync(ProgramId programId, ActivityId activityId, CancellationToken cancellationToken = default) => inner.GetActivityAsync(programId, activityId, cancellationToken);

        public ValueTask<MemberHistory> GetHistoryAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) => inner.GetHistoryAsync(programId, memberId, cancellationToken);

        public ValueTask<HistoryAddResult<OrderRecord>> AddOrderWithStateAsync(OrderRecord order, MemberRecord member, CancellationToken cancellationToken = default) =>
            OrdersConflict ? new(new HistoryAddResult<OrderRecord>(HistoryAddStatus.Conflict)) : inner.AddOrderWithStateAsync(order, member, cancellationToken);

        public ValueTask<RefundAddResult> AddRefundWithStateAsync(RefundRecord refund, int expectedRefundCount, MemberRecord member, CancellationToken cancellationToken = default)
        {
            if (!OthersConflict)
            {
                return inner.AddRefundWithStateAsync(refund, expectedRefundCount, member, cancellationToken);
            }

            Interlocked.Increment(ref refundWrites);
            return new(new RefundAddResult(RefundAddStatus.Conflict));
        }

        public ValueTask<HistoryAddResult<ActivityRecord>> AddActivityWithStateAsync(ActivityRecord activity, MemberRecord member, CancellationToken cancellationToken = default)
        {
            if (!OthersConflict)
            {
                return inner.AddActivityWithStateAsync(activity, member, cancellationToken);
            }

            Interlocked.Increment(ref activityWrites);
            return new(new HistoryAddResult<ActivityRecord>(HistoryAddStatus.Conflict));
        }

        public ValueTask<IReadOnlyList<OrderRecord>> ListOrdersRecordedAsync(ProgramId programId, NodaTime.Instant from, NodaTime.Instant until, (NodaTime.Instant RecordedAt, OrderId OrderId)? after, int maxCount, CancellationToken cancellationToken = default) => inner.ListOrdersRecordedAsync(programId, from, until, after, maxCount, cancellationToken);
    }

    private static Task<LoyaltyResult<T>> Run<T>(Func<Task<LoyaltyResult<T>>> call)
        where T : class =>
        Task.Run(call);
}
