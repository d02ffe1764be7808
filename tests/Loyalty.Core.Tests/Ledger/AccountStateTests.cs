using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;
using static Loyalty.Core.Tests.Ledger.LedgerHarness;

namespace Loyalty.Core.Tests.Ledger;

/// <summary>A random history for the kept-state properties: a script, an expiry policy and the instants probed.</summary>
public sealed record KeptStateCase(LedgerScript Script, ExpiryPolicyKind Policy, int IndexFrom, IReadOnlyList<int> ProbeHours)
{
    public override string ToString() => $"{Policy}, index from {IndexFrom} lots, probes [{string.Join(",", ProbeHours)}] {Script}";
}

/// <summary>Named arbitraries for the kept-state properties.</summary>
public static class KeptStateArbitraries
{
    public static Arbitrary<KeptStateCase> Cases() => Arb.From(
        from script in LedgerArbitraries.Scripts().Generator
        from policy in Gen.Elements(ExpiryPolicyKind.None, ExpiryPolicyKind.Rolling, ExpiryPolicyKind.Inactivity)
        from indexFrom in Gen.Elements(0, 0, 3)
        from probes in Gen.ListOf(Gen.Choose(-72, 24 * 45)).Select(p => p.Take(12).ToList())
        select new KeptStateCase(script, policy, indexFrom, probes));
}

/// <summary>
/// The ledger keeps each account's state incrementally (lots indexed by expiry and availability,
/// points in buckets moved forward in time). These properties pin that what it keeps is what a
/// replay of the log gives, for random histories of earns (pending, dated), redemptions, holds,
/// captures, releases, reversals of earns and of redemptions, adjustments, expiry runs and time
/// passing, under no expiry, a rolling expiry and an inactivity deadline.
/// </summary>
[Properties(Arbitrary = [typeof(KeptStateArbitraries)], MaxTest = 80 / PropertyRuns.Divisor)]
public class AccountStateTests
{
    private static readonly LedgerAccountKey Key = new(ProgramId.From("club"), Alice);

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public async Task Kept_balances_heads_schedules_and_allocations_equal_a_replay_of_the_log(KeptStateCase c)
    {
        var h = Harness(c.Policy, c.Script.Shortfall, c.IndexFrom);
        var policy = h.Ledger.ExpiryPolicy;
        var ids = new List<string>();
        var holdIds = new List<string>();
        for (var i = 0; i < c.Script.Steps.Count; i++)
        {
            var step = c.Script.Steps[i];
            var id = "s" + i;
            if (!await StepAsync(h, step, id, ids, holdIds))
            {
                continue;
            }

            ids.Add(id);
            var now = h.Clock.GetCurrentInstant();
            var replayed = await ReplayAsync(h, policy);
            var because = $"after step {i} {step}";
            (await h.BalanceAsync()).Should().Be(replayed.BalanceByScan(now), because);
            if (await h.Store.GetHeadAsync(Key) is { } head)
            {
                head.Should().Be(replayed.ToHeadByScan(head.UpdatedAt), because);
            }

            (await h.Ledger.GetExpiryScheduleAsync(Alice, 30)).Should().Equal(ScheduleByScan(replayed, now, 30), because);
        }

        // Every spending write drew from the lots a scan of the state before it orders first.
        var log = await ScriptRunner.HistoryAsync(h);
        var state = new AccountState(Key, policy, DateTimeZone.Utc);
        foreach (var tx in log)
        {
            if (tx.Kind is LedgerTransactionKind.Redeem or LedgerTransactionKind.Capture || (tx.Kind == LedgerTransactionKind.Adjust && tx.Amount < 0))
            {
                var expected = new List<LedgerLotMovement>();
                LotAllocator.Take(state.SpendingOrder(tx.RecordedAt), Math.Abs(tx.Amount), expected);
                tx.Movements.Should().Equal(expected, $"{tx.Kind} '{tx.Id}' at version {tx.Version}");
            }

            state.Apply(tx);
        }
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public async Task Indexed_questions_equal_scans_of_every_lot_at_any_instant_forward_or_back(KeptStateCase c)
    {
        var h = Harness(c.Policy, c.Script.Shortfall, c.IndexFrom);
        List<string> ids = [], holdIds = [];
        for (var i = 0; i < c.Script.Steps.Count; i++)
        {
            if (await StepAsync(h, c.Script.Steps[i], "s" + i, ids, holdIds))
            {
                ids.Add("s" + i);
            }
        }

        var log = await ScriptRunner.HistoryAsync(h);
        var state = new AccountState(Key, h.Ledger.ExpiryPolicy, DateTimeZone.Utc, c.IndexFrom);
        var probe = 0;
        foreach (var tx in log)
        {
            state.Apply(tx);

            // Probe around each write, so the index is kept across applies with the frontier set.
            var hours = c.ProbeHours.Count == 0 ? 0 : c.ProbeHours[probe++ % c.ProbeHours.Count];
            var t = tx.RecordedAt + Duration.FromHours(hours);
            var because = $"at {t}, after version {tx.Version} ({tx.Kind})";
            state.Compute(t).Should().Be(state.ComputeByScan(t), because);
            state.ToHead(t).Should().Be(state.ToHeadByScan(t), because);
            state.DueForExpiry(t).Select(g => (g.At, string.Join(",", g.Movements))).Should()
                .Equal(DueByScan(state, t).Select(g => (g.At, string.Join(",", g.Movements))), because);
            ByInstant(state.Expiring(t, t + Duration.FromDays(30))).Should().Equal(ExpiringByScan(state, t, t + Duration.FromDays(30)), because);
            foreach (var amount in new long[] { 1, 37, 250, 10_000 })
            {
                var taken = new List<LedgerLotMovement>();
                var expected = new List<LedgerLotMovement>();
                state.TakeInSpendingOrder(t, amount, taken).Should().Be(LotAllocator.Take(state.SpendingOrder(t), amount, expected), because);
                taken.Should().Equal(expected, because);
            }
        }
    }

    [Property(MaxTest = 40 / PropertyRuns.Divisor)]
    public async Task A_state_reloaded_from_a_snapshot_answers_as_one_decoded_from_it(KeptStateCase c, bool manyLots)
    {
        var h = Harness(c.Policy, c.Script.Shortfall, c.IndexFrom);
        List<string> ids = [], holdIds = [];
        for (var i = 0; i < c.Script.Steps.Count; i++)
        {
            if (await StepAsync(h, c.Script.Steps[i], "s" + i, ids, holdIds))
            {
                ids.Add("s" + i);
            }
        }

        var policy = h.Ledger.ExpiryPolicy;
        var snapshot = await h.Store.GetAccountAsync(Key);
        var now = h.Clock.GetCurrentInstant();

        // A state that has been used: written to (a hold, new lots: past the reused capacity when manyLots), indexed, asked questions.
        var used = AccountState.FromSnapshot(Key, snapshot, policy, DateTimeZone.Utc, c.IndexFrom);
        for (var i = 0; i < (manyLots ? 70 : 2); i++)
        {
            used.Apply(Earn("extra" + i, used.Version + 1, 10 + i, now, now + Duration.FromDays(i % 3), now + Duration.FromDays(5 + i)));
        }

        used.Apply(new LedgerTransactionRecord
        {
            ProgramId = Key.ProgramId, MemberId = Key.MemberId, Id = Id("extra-hold"), Version = used.Version + 1, Kind = LedgerTransactionKind.Hold,
            RecordedAt = now, EffectiveAt = now, Amount = 5, ExpiresAt = now + Duration.FromHours(1),
        });
        used.Compute(now + Duration.FromDays(2));
        used.DueForExpiry(now + Duration.FromDays(400));
        used.SpendingOrder(now + Duration.FromDays(1));

        var reloaded = used.Reload(Key, snapshot);
        var fresh = AccountState.FromSnapshot(Key, snapshot, policy, DateTimeZone.Utc, c.IndexFrom);

        reloaded.Should().BeSameAs(used);
        reloaded.ChangedLotRecords().Should().BeEmpty();
        (reloaded.Version, reloaded.ChainHash, reloaded.LotPoints, reloaded.Debt, reloaded.Earned, reloaded.Expired, reloaded.LastActivityAt)
            .Should().Be((fresh.Version, fresh.ChainHash, fresh.LotPoints, fresh.Debt, fresh.Earned, fresh.Expired, fresh.LastActivityAt));
        reloaded.Lots.Keys.Should().BeEquivalentTo(fresh.Lots.Keys);
        reloaded.Holds.Keys.Should().BeEquivalentTo(fresh.Holds.Keys);
        foreach (var t in new[] { now, now - Duration.FromDays(2), now + Duration.FromDays(1), now + Duration.FromDays(40) })
        {
            reloaded.Compute(t).Should().Be(fresh.Compute(t), $"at {t}");
            reloaded.ToHead(t).Should().Be(fresh.ToHead(t), $"at {t}");
            reloaded.DueForExpiry(t).Select(g => (g.At, string.Join(",", g.Movements))).ToList().Should()
                .Equal(fresh.DueForExpiry(t).Select(g => (g.At, string.Join(",", g.Movements))).ToList(), $"at {t}");
        }
    }

    [Fact]
    public void A_lot_crossing_the_frontier_moves_from_pending_to_available_to_expired_once()
    {
        var t0 = Instant.FromUtc(2026, 3, 1, 0, 0);
        var state = new AccountState(Key, ExpiryPolicy.RollingDays(10), DateTimeZone.Utc, indexFrom: 0);
        state.Apply(Earn("a", 1, 100, t0, availableAt: t0 + Duration.FromDays(2), expiresAt: t0 + Duration.FromDays(10)));
        state.Apply(Earn("b", 2, 50, t0, availableAt: t0, expiresAt: t0 + Duration.FromDays(5)));

        state.Compute(t0).Should().Be(new Figures(50, 100, 0, 0));
        state.Compute(t0 + Duration.FromDays(2)).Should().Be(new Figures(150, 0, 0, 0));
        state.Compute(t0 + Duration.FromDays(5)).Should().Be(new Figures(100, 0, 0, 50));
        state.Compute(t0 + Duration.FromDays(10)).Should().Be(new Figures(0, 0, 0, 150));
        state.Compute(t0 + Duration.FromDays(1)).Should().Be(new Figures(50, 100, 0, 0), "a question about an earlier instant re-classifies every lot");
        state.ToHead(t0 + Duration.FromDays(1)).Should().Match<LedgerAccountHead>(head =>
            head.NextChangeAt == t0 + Duration.FromDays(2) && head.NextExpiryAt == t0 + Duration.FromDays(5) && head.LotPoints == 150);
    }

    [Fact]
    public void From_the_inactivity_deadline_every_lot_is_expired_and_due_at_the_deadline_oldest_first()
    {
        var t0 = Instant.FromUtc(2026, 3, 1, 0, 0);
        var state = new AccountState(Key, ExpiryPolicy.Inactivity(months: 1), DateTimeZone.Utc, indexFrom: 0);
        state.Apply(Earn("a", 1, 100, t0, availableAt: t0, expiresAt: null));
        state.Apply(Earn("b", 2, 30, t0 + Duration.FromDays(1), availableAt: t0 + Duration.FromDays(1), expiresAt: t0 + Duration.FromDays(90)));
        state.Apply(Earn("c", 3, 20, t0 + Duration.FromDays(2), availableAt: t0 + Duration.FromDays(2), expiresAt: t0 + Duration.FromDays(10)));
        var deadline = Instant.FromUtc(2026, 4, 3, 0, 0);

        state.Compute(deadline - Duration.Epsilon).Should().Be(new Figures(130, 0, 0, 20));
        state.Compute(deadline).Should().Be(new Figures(0, 0, 0, 150));
        state.DueForExpiry(deadline).Should().BeEquivalentTo(
            new[]
            {
                (t0 + Duration.FromDays(10), new List<LedgerLotMovement> { new(Id("c"), -20) }),
                (deadline, new List<LedgerLotMovement> { new(Id("a"), -100), new(Id("b"), -30) }),
            },
            o => o.WithStrictOrdering());
        var taken = new List<LedgerLotMovement>();
        state.TakeInSpendingOrder(deadline - Duration.Epsilon, 120, taken).Should().Be(0);
        taken.Should().Equal(new LedgerLotMovement(Id("a"), -100), new LedgerLotMovement(Id("b"), -20));
    }

    [Fact]
    public void Expiry_ids_name_the_version_the_instant_and_the_member_and_hash_only_what_is_too_long()
    {
        var at = Instant.FromUtc(2026, 4, 14, 10, 0);
        PointsLedger.ExpiryId(Key, 7, at).Value.Should().Be($"expire:7:{at.ToUnixTimeTicks()}:alice");
        PointsLedger.ExpiryId(new LedgerAccountKey(Key.ProgramId, MemberId.From("a:7")), 1, at)
            .Should().NotBe(PointsLedger.ExpiryId(new LedgerAccountKey(Key.ProgramId, MemberId.From("a")), 7, at));

        var longMember = new LedgerAccountKey(Key.ProgramId, MemberId.From(new string('m', 128)));
        var hashed = PointsLedger.ExpiryId(longMember, 7, at).Value;
        hashed.Should().MatchRegex("^expire:[0-9a-f]{32}$");
        PointsLedger.ExpiryId(longMember, 7, at).Value.Should().Be(hashed, "the id is deterministic");
        PointsLedger.ExpiryId(longMember, 8, at).Value.Should().NotBe(hashed);
    }

    /// <summary>Runs one scripted step through the ledger; false when the step does nothing (nothing to capture, release or reverse yet).</summary>
    private static async Task<bool> StepAsync(LedgerHarness h, LedgerStep step, string id, List<string> ids, List<string> holdIds)
    {
        var now = h.Clock.GetCurrentInstant();
        switch (step.Kind)
        {
            case "earn":
                await h.Ledger.EarnAsync(new EarnPoints(Id(id), Alice, P(step.A))
                {
                    PendingPeriod = step.B == 1 ? Duration.FromDays(3) : Duration.Zero,
                    ExpiresAt = step.B == 2 ? now + Duration.FromDays(10) : null,
                });
                break;
            case "redeem":
                await h.Ledger.RedeemAsync(new RedeemPoints(Id(id), Alice, P(step.A)));
                break;
            case "hold":
                holdIds.Add(id);
                await h.Ledger.HoldAsync(new HoldPoints(Id(id), Alice, P(step.A)));
                break;
            case "capture" when holdIds.Count > 0:
                await h.Ledger.CaptureAsync(new CaptureHold(Id(id), Alice, Id(holdIds[step.A % holdIds.Count]), step.B == 0 ? null : P(step.B)));
                break;
            case "release" when holdIds.Count > 0:
                await h.Ledger.ReleaseAsync(new ReleaseHold(Id(id), Alice, Id(holdIds[step.A % holdIds.Count])));
                break;
            case "reverse" when ids.Count > 0:
                await h.Ledger.ReverseAsync(new ReversePoints(Id(id), Alice, Id(ids[step.A % ids.Count]), P(step.B)));
                break;
            case "adjust":
                await h.Ledger.AdjustAsync(new AdjustPoints(Id(id), Alice, step.A > 0 ? AdjustmentDirection.Credit : AdjustmentDirection.Debit, P(Math.Abs(step.A)), "test", "property"));
                break;
            case "advance":
                h.Advance(Duration.FromHours(step.A));
                break;
            case "expire":
                await h.Ledger.ExpireDueAsync(now);
                break;
            default:
                return false;
        }

        return true;
    }

    private static LedgerHarness Harness(ExpiryPolicyKind kind, ShortfallPolicy shortfall, int indexFrom)
    {
        return new LedgerHarness(Configure, indexLotsFrom: indexFrom);

        void Configure(LedgerOptions o)
        {
            o.ShortfallPolicy = shortfall;
            o.HoldLifetime = TimeSpan.FromHours(2);
            o.Expiry = kind switch
            {
                ExpiryPolicyKind.Rolling => new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Days = 30 },
                ExpiryPolicyKind.Inactivity => new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Inactivity, Months = 1 },
                _ => new LedgerExpiryOptions(),
            };
        }
    }

    private static LedgerTransactionRecord Earn(string id, long version, long amount, Instant at, Instant availableAt, Instant? expiresAt) => new()
    {
        ProgramId = Key.ProgramId, MemberId = Key.MemberId, Id = Id(id), Version = version, Kind = LedgerTransactionKind.Earn,
        RecordedAt = at, EffectiveAt = at, Amount = amount, AvailableAt = availableAt, ExpiresAt = expiresAt,
        Movements = [new LedgerLotMovement(Id(id), amount)],
    };

    private static async Task<AccountState> ReplayAsync(LedgerHarness h, ExpiryPolicy policy)
    {
        var state = new AccountState(Key, policy, DateTimeZone.Utc);
        foreach (var tx in await ScriptRunner.HistoryAsync(h))
        {
            state.Apply(tx);
        }

        return state;
    }

    /// <summary>The expiry schedule as the ledger computed it before it kept an index: a scan of every lot.</summary>
    private static List<ExpiringPoints> ScheduleByScan(AccountState state, Instant now, int days)
    {
        var end = now.InUtc().Date.PlusDays(days + 1).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        var deadline = state.InactivityDeadline;
        var byDate = new SortedDictionary<LocalDate, (Instant First, long Amount)>();
        foreach (var lot in state.Lots.Values)
        {
            if (lot.Remaining > 0 && state.EffectiveExpiry(lot, deadline) is { } e && e > now && e <= end)
            {
                var date = (e - Duration.Epsilon).InUtc().Date;
                var current = byDate.GetValueOrDefault(date, (e, 0));
                byDate[date] = (current.First < e ? current.First : e, current.Amount + lot.Remaining);
            }
        }

        return byDate.Select(p => new ExpiringPoints(p.Key, p.Value.First, P(p.Value.Amount))).ToList();
    }

    /// <summary>What an expiry run wrote before the index: every due lot in age order, grouped by effective expiry.</summary>
    private static List<(Instant At, List<LedgerLotMovement> Movements)> DueByScan(AccountState state, Instant asOf)
    {
        var deadline = state.InactivityDeadline;
        var groups = new SortedDictionary<Instant, List<LedgerLotMovement>>();
        foreach (var lot in state.Lots.Values.OrderBy(l => l.Sequence))
        {
            if (lot.Remaining > 0 && state.EffectiveExpiry(lot, deadline) is { } e && e <= asOf)
            {
                if (!groups.TryGetValue(e, out var list))
                {
                    groups[e] = list = [];
                }

                list.Add(new LedgerLotMovement(lot.Id, -lot.Remaining));
            }
        }

        return groups.Select(g => (g.Key, g.Value)).ToList();
    }

    private static List<(Instant, long)> ExpiringByScan(AccountState state, Instant asOf, Instant end)
    {
        var deadline = state.InactivityDeadline;
        var sums = new SortedDictionary<Instant, long>();
        foreach (var lot in state.Lots.Values)
        {
            if (lot.Remaining > 0 && state.EffectiveExpiry(lot, deadline) is { } e && e > asOf && e <= end)
            {
                sums[e] = sums.GetValueOrDefault(e) + lot.Remaining;
            }
        }

        return sums.Select(p => (p.Key, p.Value)).ToList();
    }

    private static List<(Instant, long)> ByInstant(List<(Instant At, long Points)> entries)
    {
        var sums = new SortedDictionary<Instant, long>();
        foreach (var (at, points) in entries)
        {
            sums[at] = sums.GetValueOrDefault(at) + points;
        }

        return sums.Select(p => (p.Key, p.Value)).ToList();
    }
}
