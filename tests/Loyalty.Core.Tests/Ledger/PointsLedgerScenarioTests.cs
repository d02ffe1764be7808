using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Tests.Storage;
using NodaTime;
using static Loyalty.Core.Tests.Ledger.LedgerHarness;

namespace Loyalty.Core.Tests.Ledger;

/// <summary>The shop's own examples, end to end.</summary>
public class PointsLedgerScenarioTests
{
    [Fact]
    public async Task A_40_euro_order_earns_70_points_and_returning_a_20_euro_item_takes_back_35()
    {
        var h = new LedgerHarness(o => o.PendingPeriod = TimeSpan.FromDays(14));
        await h.EarnAsync(70, "order-1001");
        var refund = await h.Ledger.ReverseAsync(new ReversePoints(Id("refund-1001-1"), Alice, Id("order-1001"), P(35)) { Reason = "returned item 2" });

        refund.Transaction!.Movements.Should().Equal(new LedgerLotMovement(Id("order-1001"), -35));
        refund.Transaction.Applied.Should().Be(35);
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Pending == P(35) && b.Reversed == P(35) && b.Earned == P(70));
    }

    [Fact]
    public async Task Points_earned_on_15_March_expire_on_31_March_next_year_in_Paris()
    {
        var paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
        var earnedAt = new LocalDateTime(2026, 3, 15, 16, 30).InZoneStrictly(paris).ToInstant();
        var h = new LedgerHarness(
            o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Months = 12, RoundUpTo = ExpiryRounding.EndOfMonth },
            "Europe/Paris",
            earnedAt);
        var earn = await h.EarnAsync(120);
        var lastMoment = new LocalDateTime(2027, 4, 1, 0, 0).InZoneStrictly(paris).ToInstant();
        earn.ExpiresAt.Should().Be(lastMoment);

        h.Clock.Reset(lastMoment - Duration.Epsilon);
        (await h.BalanceAsync()).Available.Should().Be(P(120));
        (await h.Ledger.GetExpiryScheduleAsync(Alice, 1)).Should().ContainSingle().Which.Date.Should().Be(new LocalDate(2027, 3, 31));
        h.Clock.Reset(lastMoment);
        (await h.BalanceAsync()).Available.Should().Be(P(0));
    }

    [Fact]
    public async Task Refund_after_the_points_were_spent_with_only_pending_writes_off_what_is_gone()
    {
        var h = new LedgerHarness(o => o.ShortfallPolicy = ShortfallPolicy.OnlyPending);
        await h.EarnAsync(100, "order-1");
        await h.RedeemAsync(80);
        await h.EarnAsync(30, "order-2", pending: Duration.FromDays(14));

        var refund = await h.Ledger.ReverseAsync(new ReversePoints(Id("refund-1"), Alice, Id("order-1"), P(100)));

        refund.Transaction!.Movements.Should().Equal(new LedgerLotMovement(Id("order-1"), -20), new LedgerLotMovement(Id("order-2"), -30));
        refund.Transaction.Should().Match<LedgerTransactionRecord>(t => t.Applied == 50 && t.WrittenOff == 50 && t.DebtChange == 0);
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Available == P(0) && b.Pending == P(0) && b.WrittenOff == P(50));
    }

    [Fact]
    public async Task Refund_after_the_points_were_spent_within_balance_takes_other_points_then_writes_off()
    {
        var h = new LedgerHarness(o => o.ShortfallPolicy = ShortfallPolicy.WithinBalance);
        await h.EarnAsync(100, "order-1");
        await h.RedeemAsync(80);
        await h.EarnAsync(30, "order-2");

        var refund = await h.Ledger.ReverseAsync(new ReversePoints(Id("refund-1"), Alice, Id("order-1"), P(100)));

        refund.Transaction!.Should().Match<LedgerTransactionRecord>(t => t.Applied == 50 && t.WrittenOff == 50);
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Available == P(0) && b.Debt == P(0));
    }

    [Fact]
    public async Task Refund_after_the_points_were_spent_with_allow_negative_leaves_a_debt_later_earnings_repay()
    {
        var h = new LedgerHarness(o => o.ShortfallPolicy = ShortfallPolicy.AllowNegative);
        await h.EarnAsync(100, "order-1");
        await h.RedeemAsync(80);

        var refund = await h.Ledger.ReverseAsync(new ReversePoints(Id("refund-1"), Alice, Id("order-1"), P(100)));
        refund.Transaction!.Should().Match<LedgerTransactionRecord>(t => t.Applied == 100 && t.DebtChange == 80 && t.WrittenOff == 0);
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Available == P(-80) && b.Debt == P(80));

        var next = await h.EarnAsync(50, "order-2");
        next.DebtChange.Should().Be(-50);
        (await h.BalanceAsync()).Available.Should().Be(P(-30));
        await h.EarnAsync(50, "order-3");
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Available == P(20) && b.Debt == P(0));
    }

    [Fact]
    public async Task A_reversed_redemption_puts_points_back_into_the_lots_it_drew_from_with_their_original_expiry()
    {
        var h = new LedgerHarness();
        var now = h.Clock.GetCurrentInstant();
        await h.Ledger.EarnAsync(new EarnPoints(Id("old"), Alice, P(30)) { ExpiresAt = now + Duration.FromDays(10) });
        await h.Ledger.EarnAsync(new EarnPoints(Id("new"), Alice, P(100)) { ExpiresAt = now + Duration.FromDays(100) });
        await h.RedeemAsync(50, "basket");

        var first = await h.Ledger.ReverseAsync(new ReversePoints(Id("cancel-1"), Alice, Id("basket"), P(15)));
        first.Transaction!.Movements.Should().Equal(new LedgerLotMovement(Id("new"), 15));
        var second = await h.Ledger.ReverseAsync(new ReversePoints(Id("cancel-2"), Alice, Id("basket"), P(35)));
        second.Transaction!.Movements.Should().Equal(new LedgerLotMovement(Id("new"), 5), new LedgerLotMovement(Id("old"), 30));
        (await h.Ledger.ReverseAsync(new ReversePoints(Id("cancel-3"), Alice, Id("basket"), P(1)))).ErrorCode.Should().Be(LedgerErrorCode.ReversalExceedsOriginal);

        h.Advance(Duration.FromDays(10));
        (await h.BalanceAsync()).Should().Match<LedgerBalance>(b => b.Available == P(100) && b.Expired == P(30) && b.Redeemed == P(0));
    }

    [Fact]
    public async Task Balances_as_of_a_past_instant_replay_the_log()
    {
        var h = new LedgerHarness(o =>
        {
            o.PendingPeriod = TimeSpan.FromDays(14);
            o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Days = 60 };
        });
        var t0 = h.Clock.GetCurrentInstant();
        await h.EarnAsync(100);
        h.Advance(Duration.FromDays(20));
        await h.RedeemAsync(40);
        h.Advance(Duration.FromDays(50));

        (await h.Ledger.GetBalanceAsOfAsync(Alice, t0 - Duration.Epsilon)).Earned.Should().Be(P(0));
        (await h.Ledger.GetBalanceAsOfAsync(Alice, t0 + Duration.FromDays(1))).Should().Match<LedgerBalance>(b => b.Pending == P(100) && b.Available == P(0));
        (await h.Ledger.GetBalanceAsOfAsync(Alice, t0 + Duration.FromDays(15))).Available.Should().Be(P(100));
        (await h.Ledger.GetBalanceAsOfAsync(Alice, t0 + Duration.FromDays(21))).Available.Should().Be(P(60));
        (await h.Ledger.GetBalanceAsOfAsync(Alice, t0 + Duration.FromDays(60))).Should().Match<LedgerBalance>(b => b.Available == P(0) && b.Expired == P(60));
        (await h.BalanceAsync()).Should().Be(await h.Ledger.GetBalanceAsOfAsync(Alice, h.Clock.GetCurrentInstant()));
    }

    [Fact]
    public async Task Maintenance_expires_explicitly_with_deterministic_ids_and_reruns_are_no_ops()
    {
        var h = new LedgerHarness(o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Days = 30 });
        await h.EarnAsync(10, member: MemberId.From("m1"));
        await h.EarnAsync(20, member: MemberId.From("m2"));
        h.Advance(Duration.FromDays(1));
        await h.EarnAsync(5, member: MemberId.From("m2"));
        h.Advance(Duration.FromDays(31));

        var run = await h.Ledger.ExpireDueAsync(h.Clock.GetCurrentInstant());
        run.Should().Be(new ExpiryRunResult(2, 3, P(35), 0));
        var history = await h.Ledger.GetHistoryAsync(MemberId.From("m2"));
        history.Transactions.Where(t => t.Kind == LedgerTransactionKind.Expire).Select(t => t.EffectiveAt)
            .Should().Equal(Instant.FromUtc(2026, 4, 14, 10, 0), Instant.FromUtc(2026, 4, 15, 10, 0));
        // Both expiry writes were decided on version 2 of m2's account: the id names the version, the instant and the member.
        history.Transactions.Where(t => t.Kind == LedgerTransactionKind.Expire).Select(t => t.Id.Value).Should().Equal(
            $"expire:2:{Instant.FromUtc(2026, 4, 14, 10, 0).ToUnixTimeTicks()}:m2",
            $"expire:2:{Instant.FromUtc(2026, 4, 15, 10, 0).ToUnixTimeTicks()}:m2");
        (await h.Ledger.ExpireDueAsync(h.Clock.GetCurrentInstant())).TransactionsWritten.Should().Be(0);
    }

    [Fact]
    public async Task Concurrent_maintenance_runs_never_expire_twice()
    {
        var h = new LedgerHarness(o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Days = 30 });
        for (var i = 0; i < 50; i++)
        {
            await h.EarnAsync(10, member: MemberId.From(i));
        }

        h.Advance(Duration.FromDays(30));
        var asOf = h.Clock.GetCurrentInstant();
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => h.Ledger.ExpireDueAsync(asOf))));
        runs.Sum(r => r.PointsExpired.Value).Should().Be(500);
        for (var i = 0; i < 50; i++)
        {
            (await h.BalanceAsync(MemberId.From(i))).Expired.Should().Be(P(10));
        }
    }

    [Fact]
    public async Task Concurrent_redemptions_never_overspend()
    {
        var h = new LedgerHarness(o => o.MaxConcurrencyRetries = 1000);
        await h.EarnAsync(1000);
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => h.RedeemAsync(7, $"r{i}"))));
        var succeeded = results.Count(r => r.Succeeded);
        succeeded.Should().Be(142);
        results.Where(r => !r.Succeeded).Should().OnlyContain(r => r.ErrorCode == LedgerErrorCode.InsufficientPoints);
        (await h.BalanceAsync()).Available.Should().Be(P(1000 - (142 * 7)));
    }

    [Fact]
    public async Task With_no_retries_a_lost_race_is_a_clean_concurrency_conflict()
    {
        var inner = new Loyalty.Core.Storage.InMemory.InMemoryLedgerStore();
        var racing = new RacingStore(inner);

        // Without a cache every write is decided from a fresh read, so the conflict is a lost race.
        var h = new LedgerHarness(o => o.MaxConcurrencyRetries = 0, store: racing, cacheSlots: 0);
        await h.EarnAsync(100, "e1");
        racing.InjectConflicts = 1;
        var result = await h.RedeemAsync(10, "r1");
        result.ErrorCode.Should().Be(LedgerErrorCode.ConcurrencyConflict);
        result.Error!.Message.Should().Be("Account club/alice changed concurrently 1 times in a row; nothing was written. Retry later with the same transaction id.");
        (await h.BalanceAsync()).Available.Should().Be(P(100));
        (await h.RedeemAsync(10, "r1")).Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task Each_retry_after_a_lost_race_is_logged_at_debug_with_event_1004_and_no_member_id_unless_opted_in()
    {
        var racing = new RacingStore(new Loyalty.Core.Storage.InMemory.InMemoryLedgerStore());
        var h = new LedgerHarness(o => o.MaxConcurrencyRetries = 3, store: racing, cacheSlots: 0);
        var logs = new Loyalty.Core.Tests.Diagnostics.CapturingLoggerProvider();
        h.Ledger.Logger = logs.CreateLogger("Loyalty.Core.Program");
        await h.EarnAsync(100, "e1");
        racing.InjectConflicts = 2;

        (await h.RedeemAsync(10, "r1")).Succeeded.Should().BeTrue();
        h.Ledger.LogMemberIds = true;
        racing.InjectConflicts = 4;
        (await h.RedeemAsync(10, "r2")).ErrorCode.Should().Be(LedgerErrorCode.ConcurrencyConflict);

        logs.Entries.Select(e => (e.Level, e.EventId.Id, e.EventId.Name, e.Message)).Should().Equal(
            (Microsoft.Extensions.Logging.LogLevel.Debug, 1004, "LedgerConflictRetry", "Loyalty ledger account changed concurrently; retrying the Redeem write (retry 1 of 3, member (hidden))"),
            (Microsoft.Extensions.Logging.LogLevel.Debug, 1004, "LedgerConflictRetry", "Loyalty ledger account changed concurrently; retrying the Redeem write (retry 2 of 3, member (hidden))"),
            (Microsoft.Extensions.Logging.LogLevel.Debug, 1004, "LedgerConflictRetry", "Loyalty ledger account changed concurrently; retrying the Redeem write (retry 1 of 3, member alice)"),
            (Microsoft.Extensions.Logging.LogLevel.Debug, 1004, "LedgerConflictRetry", "Loyalty ledger account changed concurrently; retrying the Redeem write (retry 2 of 3, member alice)"),
            (Microsoft.Extensions.Logging.LogLevel.Debug, 1004, "LedgerConflictRetry", "Loyalty ledger account changed concurrently; retrying the Redeem write (retry 3 of 3, member alice)"));
        logs.Entries[0].Values.Should().Contain(new KeyValuePair<string, object?>("Kind", "Redeem")).And.Contain(new KeyValuePair<string, object?>("Retry", 1)).And.Contain(new KeyValuePair<string, object?>("MaxRetries", 3));
    }

    [Fact]
    public async Task Maintenance_counts_an_account_it_gave_up_on_and_a_rerun_finishes_it()
    {
        var racing = new RacingStore(new Loyalty.Core.Storage.InMemory.InMemoryLedgerStore());
        var h = new LedgerHarness(o =>
        {
            o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Days = 30 };
            o.MaxConcurrencyRetries = 1;
        }, store: racing);
        await h.EarnAsync(10, member: MemberId.From("m1"));
        await h.EarnAsync(20, member: MemberId.From("m2"));
        h.Advance(Duration.FromDays(31));
        var asOf = h.Clock.GetCurrentInstant();

        // Two lost races in a row on the first account swept (m1): the first try and its one retry.
        racing.InjectConflicts = 2;
        var first = await h.Ledger.ExpireDueAsync(asOf);

        first.Should().Be(new ExpiryRunResult(2, 1, P(20), 1));
        (await h.Ledger.GetHistoryAsync(MemberId.From("m1"))).Transactions.Should().NotContain(t => t.Kind == LedgerTransactionKind.Expire);
        var rerun = await h.Ledger.ExpireDueAsync(asOf);
        rerun.Should().Be(new ExpiryRunResult(1, 1, P(10), 0));
        (await h.BalanceAsync(MemberId.From("m1"))).Expired.Should().Be(P(10));
        (await h.BalanceAsync(MemberId.From("m2"))).Expired.Should().Be(P(20));
    }

    [Fact]
    public async Task A_conflict_on_a_cached_account_is_decided_again_from_the_store_without_using_a_retry()
    {
        var racing = new RacingStore(new Loyalty.Core.Storage.InMemory.InMemoryLedgerStore());
        var h = new LedgerHarness(o => o.MaxConcurrencyRetries = 0, store: racing);
        await h.EarnAsync(100, "e1");
        racing.InjectConflicts = 1;

        var result = await h.RedeemAsync(10, "r1");

        result.Succeeded.Should().BeTrue();
        (await h.BalanceAsync()).Available.Should().Be(P(90));
    }

    [Fact]
    public async Task A_write_reads_the_store_only_for_an_account_it_has_not_cached()
    {
        var counting = new RacingStore(new Loyalty.Core.Storage.InMemory.InMemoryLedgerStore());
        var h = new LedgerHarness(store: counting);

        await h.EarnAsync(100, "e1");
        counting.Reads.Should().Be(1, "the first write reads the account's snapshot, and looks no id up");
        await h.EarnAsync(50, "e2");
        (await h.RedeemAsync(30, "r1")).Succeeded.Should().BeTrue();

        counting.Reads.Should().Be(1, "later writes decide from the cached state and let the append check its version");
        counting.Appends.Should().Be(3);
    }

    [Fact]
    public async Task A_repeat_is_answered_with_the_original_even_when_the_account_could_no_longer_afford_it()
    {
        var h = new LedgerHarness(o => o.MaxConcurrencyRetries = 0);
        await h.EarnAsync(100, "e1");
        var first = await h.RedeemAsync(100, "r1");

        var again = await h.RedeemAsync(100, "r1");

        again.Succeeded.Should().BeTrue();
        again.IsRepeat.Should().BeTrue();
        again.Transaction.Should().BeEquivalentTo(first.Transaction);
        (await h.BalanceAsync()).Redeemed.Should().Be(P(100));
    }

    /// <summary>A store that reports version conflicts on demand, as if another writer won.</summary>
    private sealed class RacingStore(ILedgerStore inner) : ForwardingLedgerStore(inner)
    {
        public int InjectConflicts { get; set; }

        /// <summary>Reads of the account (snapshot or head) and id look-ups made so far.</summary>
        public int Reads { get; private set; }

        public int Appends { get; private set; }

        public override ValueTask<LedgerAccountSnapshot> GetAccountAsync(LedgerAccountKey account, CancellationToken cancellationToken = default)
        {
            Reads++;
            return Inner.GetAccountAsync(account, cancellationToken);
        }

        public override ValueTask<LedgerAccountHead?> GetHeadAsync(LedgerAccountKey account, CancellationToken cancellationToken = default)
        {
            Reads++;
            return Inner.GetHeadAsync(account, cancellationToken);
        }

        public override ValueTask<LedgerTransactionRecord?> FindTransactionAsync(ProgramId programId, TransactionId transactionId, CancellationToken cancellationToken = default)
        {
            Reads++;
            return Inner.FindTransactionAsync(programId, transactionId, cancellationToken);
        }

        public override ValueTask<LedgerAppendResult> AppendAsync(LedgerAppend append, CancellationToken cancellationToken = default)
        {
            Appends++;
            if (InjectConflicts > 0)
            {
                InjectConflicts--;
                return new(new LedgerAppendResult(LedgerAppendStatus.VersionConflict, append.ExpectedVersion + 1));
            }

            return Inner.AppendAsync(append, cancellationToken);
        }
    }
}
