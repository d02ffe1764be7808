using FsCheck.Xunit;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;
using static Loyalty.Core.Tests.Ledger.LedgerHarness;

namespace Loyalty.Core.Tests.Ledger;

/// <summary>
/// The ledger keeps decoded account states between writes. These tests pin that it changes
/// nothing a caller can observe: the same results, the same log, the same balances as decoding
/// every write from the store.
/// </summary>
[Properties(Arbitrary = [typeof(LedgerArbitraries)], MaxTest = 100 / PropertyRuns.Divisor)]
public class AccountStateCacheTests
{
    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public async Task A_cached_ledger_gives_the_same_results_log_and_balances_as_decoding_every_write(LedgerScript script)
    {
        var (decoding, expected) = await ScriptRunner.RunAsync(script, cacheSlots: 0);
        var (caching, actual) = await ScriptRunner.RunAsync(script);
        ShouldMatch(actual, expected);
        (await ScriptRunner.HistoryAsync(caching)).Should().BeEquivalentTo(await ScriptRunner.HistoryAsync(decoding), o => o.WithStrictOrdering());
        (await caching.BalanceAsync()).Should().Be(await decoding.BalanceAsync());
    }

    [Property(MaxTest = 60 / PropertyRuns.Divisor)]
    public async Task Ledgers_taking_turns_on_one_store_see_each_others_writes(LedgerScript script)
    {
        var (decoding, expected) = await ScriptRunner.RunAsync(script, cacheSlots: 0);
        var (caching, actual) = await ScriptRunner.RunAsync(script, instances: 3);
        ShouldMatch(actual, expected);
        (await ScriptRunner.HistoryAsync(caching)).Should().BeEquivalentTo(await ScriptRunner.HistoryAsync(decoding), o => o.WithStrictOrdering());
    }

    [Fact]
    public async Task A_redemption_made_through_another_ledger_is_seen_by_the_next_write()
    {
        // No retry allowed: a stale cached state would surface as a concurrency conflict.
        var h = new LedgerHarness(o => o.MaxConcurrencyRetries = 0, instances: 2);
        await h.EarnAsync(100);                                   // first ledger: caches version 1
        (await h.RedeemAsync(100)).Succeeded.Should().BeTrue();   // second ledger: version 2
        var third = await h.RedeemAsync(1);                       // first ledger again: its cache is stale

        third.ErrorCode.Should().Be(LedgerErrorCode.InsufficientPoints);
        third.Error!.Message.Should().Be("Member 'alice' has 0 available points; 1 were requested. Pending and held points cannot be spent.");
    }

    [Fact]
    public async Task Members_sharing_one_cache_slot_keep_their_own_balances()
    {
        var h = new LedgerHarness(cacheSlots: 1);
        var members = Enumerable.Range(0, 5).Select(i => MemberId.From("m" + i)).ToArray();
        for (var round = 1; round <= 3; round++)
        {
            foreach (var (member, i) in members.Select((m, i) => (m, i)))
            {
                await h.EarnAsync(10 * (i + 1), member: member);
                (await h.RedeemAsync(i + 1, member: member)).Succeeded.Should().BeTrue();
            }
        }

        foreach (var (member, i) in members.Select((m, i) => (m, i)))
        {
            var b = await h.BalanceAsync(member);
            (b.Available.Value, b.Earned.Value, b.Redeemed.Value, b.Version).Should().Be((27L * (i + 1), 30L * (i + 1), 3L * (i + 1), 6L));
        }
    }

    [Fact]
    public async Task A_hold_that_lapsed_while_cached_is_written_as_lapsed_and_cannot_be_captured()
    {
        var h = new LedgerHarness(o => o.HoldLifetime = TimeSpan.FromMinutes(30));
        await h.EarnAsync(100);
        var hold = await h.Ledger.HoldAsync(new HoldPoints(Id("hold-1"), Alice, P(60)));
        hold.Succeeded.Should().BeTrue();
        h.Advance(Duration.FromMinutes(31));
        (await h.RedeemAsync(100)).Succeeded.Should().BeTrue();

        var capture = await h.Ledger.CaptureAsync(new CaptureHold(Id("capture-1"), Alice, Id("hold-1"), null));

        capture.ErrorCode.Should().Be(LedgerErrorCode.HoldLapsed);
        (await h.Store.GetHoldAsync(new LedgerAccountKey(ProgramId.From("club"), Alice), Id("hold-1")))!.Status.Should().Be(LedgerHoldStatus.Lapsed);
    }

    private static void ShouldMatch(IReadOnlyList<StepOutcome> actual, IReadOnlyList<StepOutcome> expected)
    {
        actual.Should().HaveCount(expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (a, e) = (actual[i], expected[i]);
            var because = e.Step.ToString();
            a.After.Should().Be(e.After, because);
            (a.Result is null).Should().Be(e.Result is null, because);
            if (e.Result is null)
            {
                continue;
            }

            (a.Result!.Succeeded, a.Result.IsRepeat, a.Result.Error).Should().Be((e.Result.Succeeded, e.Result.IsRepeat, e.Result.Error), because);
            a.Result.Transaction.Should().BeEquivalentTo(e.Result.Transaction, o => o.WithStrictOrdering(), because);
        }
    }
}

/// <summary>The cache itself: ownership and bounds.</summary>
public class AccountStateCacheSlotTests
{
    private static readonly LedgerAccountKey Key = new(ProgramId.From("club"), MemberId.From("alice"));

    private static AccountState StateWithLots(int lots)
    {
        var state = new AccountState(Key, ExpiryPolicy.Never, DateTimeZone.Utc);
        for (var i = 1; i <= lots; i++)
        {
            state.Apply(new LedgerTransactionRecord
            {
                ProgramId = Key.ProgramId, MemberId = Key.MemberId, Id = TransactionId.From(i), Version = i,
                Kind = LedgerTransactionKind.Earn, RecordedAt = Instant.FromUtc(2026, 1, 1, 0, 0), EffectiveAt = Instant.FromUtc(2026, 1, 1, 0, 0),
                Amount = 1, Movements = [new LedgerLotMovement(TransactionId.From(i), 1)],
            });
        }

        return state;
    }

    [Fact]
    public void A_state_is_taken_once_and_settled_when_returned()
    {
        var cache = new AccountStateCache(16);
        var state = StateWithLots(3);
        cache.Return(state);

        cache.Take(Key.MemberId).Should().BeSameAs(state);
        cache.Take(Key.MemberId).Should().BeNull();
        state.Lots.Values.Should().OnlyContain(l => !l.Changed);
    }

    [Fact]
    public void A_state_with_more_open_lots_than_the_limit_is_not_kept()
    {
        var cache = new AccountStateCache(16);
        cache.Return(StateWithLots(AccountStateCache.MaxOpenEntries + 1));

        cache.Take(Key.MemberId).Should().BeNull();
    }

    [Fact]
    public void Four_members_sharing_a_set_are_all_kept_and_the_entries_they_hold_are_counted_once()
    {
        var cache = new AccountStateCache(4);
        var members = Enumerable.Range(0, 4).Select(i => MemberId.From("m" + i)).ToArray();
        foreach (var member in members)
        {
            var state = new AccountState(new LedgerAccountKey(Key.ProgramId, member), ExpiryPolicy.Never, DateTimeZone.Utc);
            state.Apply(new LedgerTransactionRecord
            {
                ProgramId = Key.ProgramId, MemberId = member, Id = TransactionId.From("e-" + member), Version = 1,
                Kind = LedgerTransactionKind.Earn, RecordedAt = Instant.FromUtc(2026, 1, 1, 0, 0), EffectiveAt = Instant.FromUtc(2026, 1, 1, 0, 0),
                Amount = 5, Movements = [new LedgerLotMovement(TransactionId.From("e-" + member), 5)],
            });
            cache.Return(state);
        }

        cache.Entries.Should().Be(4);
        members.Select(m => cache.Take(m)?.Key.MemberId).Should().Equal(members.Cast<MemberId?>());
        cache.Entries.Should().Be(0);
    }

    [Fact]
    public void A_state_older_than_the_one_cached_for_the_member_is_not_kept()
    {
        var cache = new AccountStateCache(16);
        var newer = StateWithLots(3);
        cache.Return(newer);
        cache.Return(StateWithLots(2));

        cache.Take(Key.MemberId).Should().BeSameAs(newer);
        cache.Entries.Should().Be(0);
    }

    [Fact]
    public void Another_members_state_is_not_returned_from_a_shared_slot()
    {
        var cache = new AccountStateCache(1);
        cache.Return(StateWithLots(1));

        cache.Take(MemberId.From("bob")).Should().BeNull();
        cache.Take(Key.MemberId).Should().NotBeNull();
    }
}

/// <summary>The in-memory store keeps the ledger's account states itself: the same ownership rules, and only the store's current version.</summary>
public class InMemoryKeptAccountStateTests
{
    private static readonly LedgerAccountKey Key = new(ProgramId.From("club"), MemberId.From("alice"));

    [Fact]
    public async Task The_state_a_write_leaves_is_kept_by_the_store_and_taken_once()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(100);
        var keeper = (IAccountStateKeeper)h.Store;

        var kept = keeper.TakeState(Key);

        kept.Should().NotBeNull();
        (kept!.Version, kept.LotPoints, kept.Lots.Count).Should().Be((1L, 100L, 1));
        keeper.TakeState(Key).Should().BeNull();
    }

    [Fact]
    public async Task A_state_behind_the_stores_version_is_not_kept()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(100);
        var keeper = (IAccountStateKeeper)h.Store;
        var first = keeper.TakeState(Key)!;
        await h.EarnAsync(50);                  // decoded from the store (nothing kept), version 2 kept
        var second = keeper.TakeState(Key)!;

        keeper.KeepState(first);
        keeper.TakeState(Key).Should().BeNull();
        keeper.KeepState(second);
        keeper.TakeState(Key).Should().BeSameAs(second);
        (first.Version, second.Version).Should().Be((1L, 2L));
    }

    [Fact]
    public async Task An_append_by_another_writer_drops_the_state_kept_at_the_version_before()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(100);                  // kept at version 1
        var decoding = new LedgerHarness(store: h.Store, cacheSlots: 0, start: h.Clock.GetCurrentInstant());
        await decoding.EarnAsync(50, id: "other-1");   // appends version 2 without taking the kept state

        ((IAccountStateKeeper)h.Store).TakeState(Key).Should().BeNull();
        (await h.RedeemAsync(150)).Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task A_ledger_with_another_expiry_policy_on_the_same_store_decides_under_its_own()
    {
        // The first ledger never expires points; the second expires them after a month without activity.
        var h = new LedgerHarness();
        var inactivity = new LoyaltyOptions { ProgramId = "club", TimeZone = "UTC" };
        inactivity.Ledger.PendingPeriod = TimeSpan.Zero;
        inactivity.Ledger.Expiry.Policy = ExpiryPolicyKind.Inactivity;
        inactivity.Ledger.Expiry.Months = 1;
        var other = new PointsLedger(h.Clock, h.Store, inactivity.ToProgramSettings(), Microsoft.Extensions.Options.Options.Create(inactivity.Ledger));
        await h.EarnAsync(100, pending: Duration.Zero);    // kept by the store, decoded under "never"
        h.Advance(Duration.FromDays(62));

        var redeemed = await other.RedeemAsync(new RedeemPoints(Id("r-1"), Alice, P(50)));

        redeemed.ErrorCode.Should().Be(LedgerErrorCode.InsufficientPoints);
        (await h.RedeemAsync(50)).Succeeded.Should().BeTrue();
    }
}
