using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Referrals;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Loyalty.Core.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

/// <summary>
/// Nothing half-done: stores that fail between every pair of an order's steps (the order with the
/// member's state, the ledger's earn, the referrer's activity and its earn, the referee's bonus);
/// the caller never retries, and the next maintenance run leaves the same state as a call that
/// was never interrupted (or, when the very first step failed, as a call that never happened).
/// </summary>
public class LoyaltyProgramRecoveryTests
{
    [Fact]
    public async Task Maintenance_completes_an_order_interrupted_between_any_two_steps()
    {
        var clean = await RunAsync(failAt: null);
        clean.Steps.Should().BeGreaterThanOrEqualTo(5, "the order with its state, its earn, the referrer's activity and earn, the referee's bonus");

        for (var failAt = 1; failAt <= clean.Steps; failAt++)
        {
            var run = await RunAsync(failAt);
            run.Threw.Should().BeTrue($"step {failAt} fails");
            if (run.OrderRecorded)
            {
                run.Outcome.Should().Be(clean.Outcome, $"the run that failed at step {failAt} is completed by maintenance");
                run.Completed.Should().Be(1, $"maintenance completed the order interrupted at step {failAt}");
            }
            else
            {
                failAt.Should().Be(1, "only a failure of the first write leaves no order");
                run.Outcome.Should().Be(new Outcome(P(0), P(100), null, 0), "a call that never happened");
            }
        }
    }

    [Fact]
    public async Task An_order_within_the_grace_period_is_left_to_its_own_call()
    {
        var counter = new StepCounter();
        using var h = Harness(counter);
        await h.ConfigureAsync();
        await h.EnrolAsync(Alice);
        counter.FailAt = counter.Steps + 2; // the ledger's earn
        var act = () => h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 40m)));
        await act.Should().ThrowAsync<LoyaltyStoreException>().WithMessage("Injected fault at step *");
        counter.FailAt = null;

        var report = await h.Program.RunMaintenanceAsync(h.Now);

        report.PendingOrdersChecked.Should().Be(0);
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(0));
        var retried = await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 40m)));
        retried.IsRepeat.Should().BeTrue();
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(40));
    }

    [Fact]
    public async Task Maintenance_completes_a_refund_interrupted_between_any_two_steps_exactly_once()
    {
        var clean = await RunCallAsync(failAt: null, RefundAsync);
        clean.Steps.Should().BeGreaterThanOrEqualTo(2, "the refund with its state, then the ledger (the order's earn again, the reversal)");
        clean.Outcome.Should().Be(new CallOutcome(P(100), true, 0), "the refund took the order's 40 points back");

        for (var failAt = 1; failAt <= clean.Steps; failAt++)
        {
            var run = await RunCallAsync(failAt, RefundAsync);
            run.Threw.Should().BeTrue($"step {failAt} fails");
            if (failAt == 1)
            {
                run.Outcome.Should().Be(new CallOutcome(P(140), false, 0), "a refund whose first write failed never happened");
                run.Completed.Should().Be(0);
            }
            else
            {
                run.Outcome.Should().Be(clean.Outcome, $"the refund interrupted at step {failAt} is completed by maintenance");
                run.Completed.Should().Be(1, $"maintenance completed the refund interrupted at step {failAt}");
                run.CompletedAgain.Should().Be(0, "a second run finds nothing left to do");
            }
        }
    }

    [Fact]
    public async Task Maintenance_completes_an_activity_interrupted_between_any_two_steps_exactly_once()
    {
        var clean = await RunCallAsync(failAt: null, ReviewAsync);
        clean.Steps.Should().Be(2, "the activity with its state, then its earn");
        clean.Outcome.Should().Be(new CallOutcome(P(150), true, 0), "the review earned 10 points");

        for (var failAt = 1; failAt <= clean.Steps; failAt++)
        {
            var run = await RunCallAsync(failAt, ReviewAsync);
            run.Threw.Should().BeTrue($"step {failAt} fails");
            if (failAt == 1)
            {
                run.Outcome.Should().Be(new CallOutcome(P(140), false, 0), "an activity whose first write failed never happened");
                run.Completed.Should().Be(0);
            }
            else
            {
                run.Outcome.Should().Be(clean.Outcome, $"the activity interrupted at step {failAt} is completed by maintenance");
                run.Completed.Should().Be(1);
                run.CompletedAgain.Should().Be(0, "a second run finds nothing left to do");
            }
        }
    }

    [Fact]
    public async Task A_refund_within_the_grace_period_is_left_to_its_own_call()
    {
        var counter = new StepCounter();
        using var h = Harness(counter);
        await h.ConfigureAsync();
        await h.EnrolAsync(Alice);
        (await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 40m)))).GetValueOrThrow();
        counter.FailAt = counter.Steps + 2;
        var act = () => RefundAsync(h);
        await act.Should().ThrowAsync<LoyaltyStoreException>().WithMessage("Injected fault at step *");
        counter.FailAt = null;

        var report = await h.Program.RunMaintenanceAsync(h.Now);

        report.PendingRefundsCompleted.Should().Be(0);
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(40));
        var retried = await RefundAsync(h);
        retried.IsRepeat.Should().BeTrue();
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(0));
    }

    private static Task<LoyaltyResult<RefundReceipt>> RefundAsync(ProgramHarness h) =>
        h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(0, 1))));

    private static async Task<LoyaltyResult<ActivityReceipt>> ReviewAsync(ProgramHarness h) =>
        await h.Program.RecordActivityAsync(ActivityId.From("review-1"), new ActivityInput(ActivityKind.Review, Alice, h.Now));

    /// <summary>
    /// Alice, enrolled (100 welcome points) with one 40 € order (40 points pending), then the call,
    /// failing at step <paramref name="failAt"/>; ten minutes later maintenance runs twice.
    /// </summary>
    private static async Task<CallRun> RunCallAsync<T>(int? failAt, Func<ProgramHarness, Task<LoyaltyResult<T>>> call)
        where T : class
    {
        var counter = new StepCounter();
        using var h = Harness(counter);
        await h.ConfigureAsync();
        await h.EnrolAsync(Alice);
        (await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 40m)))).GetValueOrThrow();
        h.Advance(Duration.FromHours(1));
        counter.Steps = 0;
        counter.FailAt = failAt;
        var threw = false;
        try
        {
            (await call(h)).GetValueOrThrow();
        }
        catch (LoyaltyStoreException ex) when (ex.Message.StartsWith("Injected fault", StringComparison.Ordinal))
        {
            threw = true;
        }

        var steps = counter.Steps;
        counter.FailAt = null;
        h.Advance(Duration.FromMinutes(10));
        var first = await h.Program.RunMaintenanceAsync(h.Now);
        h.Advance(Duration.FromMinutes(10));
        var second = await h.Program.RunMaintenanceAsync(h.Now);
        var balance = await h.BalanceAsync(Alice);
        var history = await h.Members.GetHistoryAsync(ProgramId.From("club"), Alice);
        var recorded = history.Refunds.Count + history.Activities.Count(a => a.Activity.Kind == ActivityKind.Review) > 0;
        return new CallRun(
            threw,
            steps,
            first.PendingRefundsCompleted + first.PendingActivitiesCompleted,
            second.PendingRefundsCompleted + second.PendingActivitiesCompleted,
            new CallOutcome(balance.Pending + balance.Available, recorded, first.PendingOrdersCompleted + second.PendingOrdersCompleted));
    }

    private static async Task<Run> RunAsync(int? failAt)
    {
        var counter = new StepCounter();
        using var h = Harness(counter);
        await h.ConfigureAsync();
        var bob = await h.EnrolAsync(Bob);
        (await h.Program.EnrolAsync(new Enrolment(Alice) { ReferralCode = bob.ReferralCode })).GetValueOrThrow();
        counter.Steps = 0;
        counter.FailAt = failAt;
        var threw = false;
        try
        {
            (await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 40m)))).GetValueOrThrow();
        }
        catch (LoyaltyStoreException ex) when (ex.Message.StartsWith("Injected fault", StringComparison.Ordinal))
        {
            threw = true;
        }

        var steps = counter.Steps;
        counter.FailAt = null;
        h.Advance(Duration.FromMinutes(10));
        var report = await h.Program.RunMaintenanceAsync(h.Now);
        var alice = await h.BalanceAsync(Alice);
        var recorded = await h.Members.GetOrderAsync(ProgramId.From("club"), OrderId.From("A-1")) is not null;
        var member = (await h.Members.GetMemberAsync(ProgramId.From("club"), Alice))!;
        return new Run(
            threw,
            steps,
            recorded,
            report.PendingOrdersCompleted,
            new Outcome(alice.Pending + alice.Available - P(100), (await h.BalanceAsync(Bob)).Available, member.ReferralCompletedBy?.Value, member.Evaluation!.OrderCount));
    }

    /// <summary>
    /// The spring campaign (150 bonus points per order from a budget of 1,000): the order reserves 150,
    /// then its first write fails and the caller never retries. The reservation stays while the call
    /// could still be in flight; after the grace period maintenance gives it back, once.
    /// </summary>
    [Fact]
    public async Task Maintenance_gives_back_what_an_order_reserved_when_its_record_was_never_written()
    {
        var counter = new StepCounter();
        var budgets = new InMemoryCampaignBudgetStore();
        using var h = Harness(counter, budgets);
        await h.ConfigureAsync();
        await h.Program.PublishRuleSetAsync(SpringRules);
        await h.EnrolAsync(Alice);
        counter.FailAt = counter.Steps + 1; // the order with the member's state
        var act = () => h.Program.RecordOrderAsync(Order("S-1", Alice, h.Now, Line("SKU", 1, 40m)));
        await act.Should().ThrowAsync<LoyaltyStoreException>().WithMessage("Injected fault at step *");
        counter.FailAt = null;
        (await SpringUsedAsync(budgets)).Should().Be(P(150), "the reservation was made before the failed write");

        var early = await h.Program.RunMaintenanceAsync(h.Now);
        early.PendingReservationsReleased.Should().Be(0, "a call within the grace period may still write its order");
        (await SpringUsedAsync(budgets)).Should().Be(P(150));

        h.Advance(Duration.FromMinutes(10));
        var report = await h.Program.RunMaintenanceAsync(h.Now);
        var again = await h.Program.RunMaintenanceAsync(h.Now);

        report.PendingReservationsReleased.Should().Be(1);
        again.PendingReservationsReleased.Should().Be(0, "a second run finds nothing left to give back");
        (await SpringUsedAsync(budgets)).Should().Be(P(0), "no order was written, so nothing of the budget was given out");
        (await budgets.ListUnsettledAsync(ProgramId.From("club"), h.Now + Duration.FromDays(1), null, 10)).Should().BeEmpty();
    }

    /// <summary>
    /// The same order, but its record is written and the budget settlement after it fails: the order's
    /// own recovery settles and earns it, and the sweep gives nothing back (the order holds its 150).
    /// </summary>
    [Fact]
    public async Task Maintenance_keeps_what_a_written_order_was_awarded_from_the_budget()
    {
        var counter = new StepCounter();
        var budgets = new FailingSettlementStore(new InMemoryCampaignBudgetStore());
        using var h = Harness(counter, budgets);
        await h.ConfigureAsync();
        await h.Program.PublishRuleSetAsync(SpringRules);
        await h.EnrolAsync(Alice);
        budgets.Fail = true;
        var act = () => h.Program.RecordOrderAsync(Order("S-1", Alice, h.Now, Line("SKU", 1, 40m)));
        await act.Should().ThrowAsync<LoyaltyStoreException>().WithMessage("Injected fault in the budget settlement.");
        budgets.Fail = false;

        h.Advance(Duration.FromMinutes(10));
        var report = await h.Program.RunMaintenanceAsync(h.Now);

        report.PendingOrdersCompleted.Should().Be(1, "the order's points were earned by maintenance");
        report.PendingReservationsReleased.Should().Be(0, "the written order keeps what it was awarded");
        (await SpringUsedAsync(budgets)).Should().Be(P(150));
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(100 + 40 + 150), "the welcome points, the base points and the spring bonus");
        (await budgets.ListUnsettledAsync(ProgramId.From("club"), h.Now + Duration.FromDays(1), null, 10)).Should().BeEmpty("the order's recovery settled it");
    }

    [Fact]
    public async Task The_unsettled_reservations_are_listed_in_order_and_checked()
    {
        var budgets = new InMemoryCampaignBudgetStore();
        var club = ProgramId.From("club");
        var t = Instant.FromUtc(2026, 3, 2, 10, 0);
        await budgets.ReserveRecordedAsync(club, RuleId.From("spring"), TransactionId.From("order:b"), P(10), P(100), Alice, t);
        await budgets.ReserveRecordedAsync(club, RuleId.From("spring"), TransactionId.From("order:a"), P(10), P(100), Bob, t);
        await budgets.ReserveRecordedAsync(club, RuleId.From("spring"), TransactionId.From("order:c"), P(10), P(100), Alice, t + Duration.FromMinutes(1));
        await budgets.ReserveRecordedAsync(club, RuleId.From("spring"), TransactionId.From("order:d"), P(10), P(100), Alice, t + Duration.FromMinutes(2));
        await budgets.SettleAsync(club, TransactionId.From("order:c"), []);

        var first = await budgets.ListUnsettledAsync(club, t + Duration.FromMinutes(2), null, 1);
        var rest = await budgets.ListUnsettledAsync(club, t + Duration.FromMinutes(2), first[^1], 10);

        first.Select(r => r.Key.Value).Should().Equal("order:a");
        rest.Select(r => r.Key.Value).Should().Equal("order:b");
        rest[0].MemberId.Should().Be(Alice);
        var act = () => budgets.ListUnsettledAsync(club, t, null, 0).AsTask();
        await act.Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("*limit*");
    }

    private static EarningRuleSet SpringRules { get; } = new EarningRuleSetBuilder("2026-03", At(2026, 3, 1, 0), Currency.EUR, "Europe/Paris")
        .EarnPerUnit("base", 1m)
        .Activity("welcome", ActivityKind.SignUp, 100)
        .FixedBonus("spring", 150, configure: r => r with { Caps = new RuleCaps { CampaignBudget = Points.FromInt64(1_000) } })
        .Build();

    private static async Task<Points> SpringUsedAsync(ICampaignBudgetStore budgets) =>
        (await budgets.GetUsageAsync(ProgramId.From("club"), RuleId.From("spring"), TransactionId.From("order:none"))).Used;

    private static ProgramHarness Harness(StepCounter counter, ICampaignBudgetStore budgets) => new(
        configure: o => o.Ledger.PendingPeriod = TimeSpan.Zero,
        replace: s =>
        {
            s.RemoveAll<ILedgerStore>();
            s.AddSingleton<ILedgerStore>(new FailingLedgerStore(new InMemoryLedgerStore(), counter));
            s.RemoveAll<IMemberStore>();
            s.AddSingleton<IMemberStore>(new FailingMemberStore(new InMemoryMemberStore(), counter));
            s.RemoveAll<ICampaignBudgetStore>();
            s.AddSingleton(budgets);
        });

    /// <summary>An in-memory budget store whose settlement fails when asked to (it records reservations too).</summary>
    private sealed class FailingSettlementStore(InMemoryCampaignBudgetStore inner) : ICampaignBudgetStore, ICampaignReservationRecovery
    {
        public bool Fail { get; set; }

        public ValueTask<CampaignBudgetUsage> GetUsageAsync(ProgramId programId, RuleId ruleId, TransactionId key, CancellationToken cancellationToken = default) => inner.GetUsageAsync(programId, ruleId, key, cancellationToken);

        public ValueTask<Points> ReserveAsync(ProgramId programId, RuleId ruleId, TransactionId key, Points points, Points budget, CancellationToken cancellationToken = default) => inner.ReserveAsync(programId, ruleId, key, points, budget, cancellationToken);

        public ValueTask<Points> ReserveRecordedAsync(ProgramId programId, RuleId ruleId, TransactionId key, Points points, Points budget, MemberId memberId, Instant reservedAt, CancellationToken cancellationToken = default) => inner.ReserveRecordedAsync(programId, ruleId, key, points, budget, memberId, reservedAt, cancellationToken);

        public ValueTask<IReadOnlyList<UnsettledReservation>> ListUnsettledAsync(ProgramId programId, Instant reservedBefore, UnsettledReservation? after, int limit, CancellationToken cancellationToken = default) => inner.ListUnsettledAsync(programId, reservedBefore, after, limit, cancellationToken);

        public ValueTask SettleAsync(ProgramId programId, TransactionId key, IReadOnlyCollection<CampaignGrant> grants, CancellationToken cancellationToken = default) =>
            Fail ? throw new LoyaltyStoreException("Injected fault in the budget settlement.", isTransient: true) : inner.SettleAsync(programId, key, grants, cancellationToken);
    }

    [Fact]
    public async Task Maintenance_gives_back_a_stock_unit_whose_redemption_failed_before_spending()
    {
        var counter = new StepCounter();
        var catalog = new FailingCatalogStore(new InMemoryRewardCatalogStore());
        using var h = StockHarness(counter, catalog);
        await h.ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.Program.PublishRewardAsync(Voucher.WithStock(1));
        await CreditAsync(h, 1000);
        counter.FailAt = counter.Steps + 1; // the spend, after the claim
        var act = () => h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1"));
        await act.Should().ThrowAsync<LoyaltyStoreException>().WithMessage("Injected fault at step * (ledger append).");
        counter.FailAt = null;
        (await catalog.CountClaimedAsync(ProgramId.From("club"), Voucher.Id)).Should().Be(1, "the unit was claimed before the failed spend");
        (await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-2"))).ErrorCode.Should().Be(LoyaltyErrorCode.RewardOutOfStock);

        (await h.Program.RunMaintenanceAsync(h.Now)).PendingStockClaimsReleased.Should().Be(0, "a call within the grace period may still write its redemption");
        h.Advance(Duration.FromMinutes(10));
        var report = await h.Program.RunMaintenanceAsync(h.Now);
        var again = await h.Program.RunMaintenanceAsync(h.Now);

        report.PendingStockClaimsReleased.Should().Be(1);
        report.PendingRedemptionsCompleted.Should().Be(0);
        again.PendingStockClaimsReleased.Should().Be(0, "a second run finds nothing left to give back");
        (await catalog.CountClaimedAsync(ProgramId.From("club"), Voucher.Id)).Should().Be(0);
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(1100), "nothing was spent: 1,000 credited and 100 welcome points");
        (await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-3"))).Succeeded.Should().BeTrue("the unit is back in stock");
    }

    [Fact]
    public async Task Maintenance_completes_a_paid_redemption_whose_record_was_never_written()
    {
        var counter = new StepCounter();
        var catalog = new FailingCatalogStore(new InMemoryRewardCatalogStore()) { FailRedemptionWrites = 1 };
        using var h = StockHarness(counter, catalog);
        await h.ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.Program.PublishRewardAsync(Voucher.WithStock(1));
        await CreditAsync(h, 1000);
        var act = () => h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1"));
        await act.Should().ThrowAsync<LoyaltyStoreException>().WithMessage("Injected fault writing redemption 'RD-1'.");
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(600), "the 500 points were spent before the failed write");

        h.Advance(Duration.FromMinutes(10));
        var report = await h.Program.RunMaintenanceAsync(h.Now);
        var again = await h.Program.RunMaintenanceAsync(h.Now);

        report.PendingRedemptionsCompleted.Should().Be(1);
        report.PendingStockClaimsReleased.Should().Be(0, "the member paid for the unit: it is theirs");
        again.PendingRedemptionsCompleted.Should().Be(0);
        var written = await catalog.GetRedemptionAsync(ProgramId.From("club"), RedemptionId.From("RD-1"));
        written.Should().NotBeNull();
        written!.MemberId.Should().Be(Alice);
        written.PointsSpent.Should().Be(P(500));
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(600), "spent once");
        (await catalog.CountClaimedAsync(ProgramId.From("club"), Voucher.Id)).Should().Be(1);
    }

    [Fact]
    public async Task The_claims_without_redemption_are_listed_in_order_after_their_grace()
    {
        var store = new InMemoryRewardCatalogStore();
        var club = ProgramId.From("club");
        var t0 = Instant.FromUtc(2026, 3, 2, 9, 0);
        (await store.ClaimRecordedStockAsync(club, Voucher.Id, RedemptionId.From("b"), Alice, 5, t0)).Should().Be(StockClaimStatus.Claimed);
        (await store.ClaimRecordedStockAsync(club, Voucher.Id, RedemptionId.From("a"), Bob, 5, t0 + Duration.FromMinutes(1))).Should().Be(StockClaimStatus.Claimed);
        (await store.ClaimRecordedStockAsync(club, Voucher.Id, RedemptionId.From("a"), Bob, 5, t0 + Duration.FromMinutes(9))).Should().Be(StockClaimStatus.AlreadyClaimed);
        (await store.ClaimRecordedStockAsync(club, Voucher.Id, RedemptionId.From("c"), Bob, 5, t0 + Duration.FromMinutes(5))).Should().Be(StockClaimStatus.Claimed);

        (await store.ListClaimsWithoutRedemptionAsync(club, t0 + Duration.FromMinutes(5), null, 10)).Should().Equal(
            new PendingStockClaim(Voucher.Id, RedemptionId.From("a"), Bob, t0 + Duration.FromMinutes(1)),
            new PendingStockClaim(Voucher.Id, RedemptionId.From("b"), Alice, t0));
        (await store.ListClaimsWithoutRedemptionAsync(club, t0 + Duration.FromMinutes(6), RedemptionId.From("a"), 1)).Select(c => c.RedemptionId.Value).Should().Equal("b");
        (await store.ReturnStockAsync(club, Voucher.Id, RedemptionId.From("b"))).Should().BeTrue();
        (await store.ListClaimsWithoutRedemptionAsync(club, t0 + Duration.FromDays(1), null, 10)).Select(c => c.RedemptionId.Value).Should().Equal("a", "c");
        var page = () => store.ListClaimsWithoutRedemptionAsync(club, t0, null, 0).AsTask();
        (await page.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.ParamName.Should().Be("maxCount");
    }

    private static Task CreditAsync(ProgramHarness h, long points) =>
        h.Ledger.AdjustAsync(new AdjustPoints(TransactionId.From("credit"), Alice, AdjustmentDirection.Credit, P(points), "opening balance", "test"));

    private static ProgramHarness StockHarness(StepCounter counter, IRewardCatalogStore catalog) => new(
        replace: s =>
        {
            s.RemoveAll<ILedgerStore>();
            s.AddSingleton<ILedgerStore>(new FailingLedgerStore(new InMemoryLedgerStore(), counter));
            s.RemoveAll<IRewardCatalogStore>();
            s.AddSingleton(catalog);
        });

    /// <summary>A catalogue store that records its claims and fails the redemption writes asked for.</summary>
    private sealed class FailingCatalogStore(InMemoryRewardCatalogStore inner) : IRewardCatalogStore, IStockClaimRecovery
    {
        public int FailRedemptionWrites { get; set; }

        public ValueTask<RewardCatalog> GetCatalogAsync(ProgramId programId, CancellationToken cancellationToken = default) => inner.GetCatalogAsync(programId, cancellationToken);

        public ValueTask SaveCatalogAsync(ProgramId programId, RewardCatalog catalog, CancellationToken cancellationToken = default) => inner.SaveCatalogAsync(programId, catalog, cancellationToken);

        public ValueTask<StockClaimStatus> ClaimStockAsync(ProgramId programId, RewardId rewardId, RedemptionId redemptionId, long stock, CancellationToken cancellationToken = default) => inner.ClaimStockAsync(programId, rewardId, redemptionId, stock, cancellationToken);

        public ValueTask<StockClaimStatus> ClaimRecordedStockAsync(ProgramId programId, RewardId rewardId, RedemptionId redemptionId, MemberId memberId, long stock, Instant claimedAt, CancellationToken cancellationToken = default) => inner.ClaimRecordedStockAsync(programId, rewardId, redemptionId, memberId, stock, claimedAt, cancellationToken);

        public ValueTask<IReadOnlyList<PendingStockClaim>> ListClaimsWithoutRedemptionAsync(ProgramId programId, Instant claimedBefore, RedemptionId? afterRedemption, int maxCount, CancellationToken cancellationToken = default) => inner.ListClaimsWithoutRedemptionAsync(programId, claimedBefore, afterRedemption, maxCount, cancellationToken);

        public ValueTask<bool> ReturnStockAsync(ProgramId programId, RewardId rewardId, RedemptionId redemptionId, CancellationToken cancellationToken = default) => inner.ReturnStockAsync(programId, rewardId, redemptionId, cancellationToken);

        public ValueTask<long> CountClaimedAsync(ProgramId programId, RewardId rewardId, CancellationToken cancellationToken = default) => inner.CountClaimedAsync(programId, rewardId, cancellationToken);

        public ValueTask<RewardRedemption> AddRedemptionAsync(RewardRedemption redemption, CancellationToken cancellationToken = default)
        {
            if (FailRedemptionWrites > 0)
            {
                FailRedemptionWrites--;
                throw new LoyaltyStoreException($"Injected fault writing redemption '{redemption.Id}'.", isTransient: true);
            }

            return inner.AddRedemptionAsync(redemption, cancellationToken);
        }

        public ValueTask<RewardRedemption?> GetRedemptionAsync(ProgramId programId, RedemptionId redemptionId, CancellationToken cancellationToken = default) => inner.GetRedemptionAsync(programId, redemptionId, cancellationToken);

        public ValueTask<RewardRedemption?> MarkCancelledAsync(ProgramId programId, RedemptionId redemptionId, Instant cancelledAt, CancellationToken cancellationToken = default) => inner.MarkCancelledAsync(programId, redemptionId, cancelledAt, cancellationToken);

        public ValueTask<IReadOnlyList<RewardRedemption>> ListRedemptionsAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) => inner.ListRedemptionsAsync(programId, memberId, cancellationToken);
    }

    private static ProgramHarness Harness(StepCounter counter) => new(
        configure: o => o.Referral.RefereePoints = 50,
        replace: s =>
        {
            s.RemoveAll<ILedgerStore>();
            s.AddSingleton<ILedgerStore>(new FailingLedgerStore(new InMemoryLedgerStore(), counter));
            s.RemoveAll<IMemberStore>();
            s.AddSingleton<IMemberStore>(new FailingMemberStore(new InMemoryMemberStore(), counter));
        });

    private sealed record CallOutcome(Points Balance, bool Recorded, int OrdersCompleted);

    private sealed record CallRun(bool Threw, int Steps, int Completed, int CompletedAgain, CallOutcome Outcome);

    private sealed record Outcome(Points Alice, Points Bob, string? ReferralCompletedBy, int Orders);

    private sealed record Run(bool Threw, int Steps, bool OrderRecorded, int Completed, Outcome Outcome);

    /// <summary>Counts the writes of both stores and fails the one asked for.</summary>
    private sealed class StepCounter
    {
        public int Steps { get; set; }

        public int? FailAt { get; set; }

        public void Step(string what)
        {
            Steps++;
            if (Steps == FailAt)
            {
                throw new LoyaltyStoreException($"Injected fault at step {Steps} ({what}).", isTransient: true);
            }
        }
    }

    private sealed class FailingLedgerStore(ILedgerStore inner, StepCounter counter) : ForwardingLedgerStore(inner)
    {
        public override ValueTask<LedgerAppendResult> AppendAsync(LedgerAppend append, CancellationToken cancellationToken = default)
        {
            counter.Step("ledger append");
            return Inner.AppendAsync(append, cancellationToken);
        }
    }

    private sealed class FailingMemberStore(IMemberStore inner, StepCounter counter) : IMemberStore
    {
        public ValueTask<MemberRecord?> GetMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) => inner.GetMemberAsync(programId, memberId, cancellationToken);

        public ValueTask<MemberRecord?> FindByReferralCodeAsync(ProgramId programId, ReferralCode code, CancellationToken cancellationToken = default) => inner.FindByReferralCodeAsync(programId, code, cancellationToken);

        public ValueTask<MemberAddStatus> AddMemberAsync(MemberRecord member, CancellationToken cancellationToken = default)
        {
            counter.Step("add member");
            return inner.AddMemberAsync(member, cancellationToken);
        }

        public ValueTask<bool> UpdateMemberAsync(MemberRecord member, long expectedVersion, CancellationToken cancellationToken = default)
        {
            counter.Step("update member");
            return inner.UpdateMemberAsync(member, expectedVersion, cancellationToken);
        }

        public ValueTask<IReadOnlyList<MemberId>> ListMembersAsync(ProgramId programId, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default) => inner.ListMembersAsync(programId, afterMember, maxCount, cancellationToken);

        public ValueTask<IReadOnlyList<MemberPageEntry>> ReadMemberPageAsync(ProgramId programId, MemberPartition partition, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default) => inner.ReadMemberPageAsync(programId, partition, afterMember, maxCount, cancellationToken);

        public ValueTask<HistoryAddResult<OrderRecord>> AddOrderAsync(OrderRecord order, long expectedHistoryVersion, CancellationToken cancellationToken = default) => inner.AddOrderAsync(order, expectedHistoryVersion, cancellationToken);

        public ValueTask<OrderRecord?> GetOrderAsync(ProgramId programId, OrderId orderId, CancellationToken cancellationToken = default) => inner.GetOrderAsync(programId, orderId, cancellationToken);

        public ValueTask<RefundAddResult> AddRefundAsync(RefundRecord refund, int expectedRefundCount, CancellationToken cancellationToken = default) => inner.AddRefundAsync(refund, expectedRefundCount, cancellationToken);

        public ValueTask<RefundRecord?> GetRefundAsync(ProgramId programId, RefundId refundId, CancellationToken cancellationToken = default) => inner.GetRefundAsync(programId, refundId, cancellationToken);

        public ValueTask<IReadOnlyList<RefundRecord>> ListRefundsAsync(ProgramId programId, OrderId orderId, CancellationToken cancellationToken = default) => inner.ListRefundsAsync(programId, orderId, cancellationToken);

        public ValueTask<HistoryAddResult<ActivityRecord>> AddActivityAsync(ActivityRecord activity, long expectedHistoryVersion, CancellationToken cancellationToken = default) => inner.AddActivityAsync(activity, expectedHistoryVersion, cancellationToken);

        public ValueTask<ActivityRecord?> GetActivityAsync(ProgramId programId, ActivityId activityId, CancellationToken cancellationToken = default) => inner.GetActivityAsync(programId, activityId, cancellationToken);

        public ValueTask<MemberHistory> GetHistoryAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) => inner.GetHistoryAsync(programId, memberId, cancellationToken);

        public ValueTask<HistoryAddResult<OrderRecord>> AddOrderWithStateAsync(OrderRecord order, MemberRecord member, CancellationToken cancellationToken = default)
        {
            counter.Step("order with member state");
            return inner.AddOrderWithStateAsync(order, member, cancellationToken);
        }

        public ValueTask<RefundAddResult> AddRefundWithStateAsync(RefundRecord refund, int expectedRefundCount, MemberRecord member, CancellationToken cancellationToken = default)
        {
            counter.Step("refund with member state");
            return inner.AddRefundWithStateAsync(refund, expectedRefundCount, member, cancellationToken);
        }

        public ValueTask<HistoryAddResult<ActivityRecord>> AddActivityWithStateAsync(ActivityRecord activity, MemberRecord member, CancellationToken cancellationToken = default)
        {
            counter.Step("activity with member state");
            return inner.AddActivityWithStateAsync(activity, member, cancellationToken);
        }

        public ValueTask<IReadOnlyList<OrderRecord>> ListOrdersRecordedAsync(ProgramId programId, Instant from, Instant until, (Instant RecordedAt, OrderId OrderId)? after, int maxCount, CancellationToken cancellationToken = default) => inner.ListOrdersRecordedAsync(programId, from, until, after, maxCount, cancellationToken);
    }
}
