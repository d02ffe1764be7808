using System.Globalization;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Loyalty.Core.Economics;

/// <summary>Two candidates replayed on the same orders.</summary>
/// <param name="First">The first candidate's result.</param>
/// <param name="Second">The second candidate's result.</param>
public sealed record BacktestComparison(BacktestResult First, BacktestResult Second)
{
    /// <summary>
    /// A one-paragraph verdict: which candidate costs less per unit of member revenue, and the
    /// liability and breakage each leaves.
    /// </summary>
    /// <returns>The verdict.</returns>
    public string Verdict()
    {
        static string Ratio(double? r) => r is { } x ? x.ToString("P2", CultureInfo.InvariantCulture) : "n/a";
        var a = First;
        var b = Second;
        var ra = a.Returns.CostRatio ?? double.MaxValue;
        var rb = b.Returns.CostRatio ?? double.MaxValue;
        var cheaper = ra <= rb ? a : b;
        var other = ReferenceEquals(cheaper, a) ? b : a;
        return string.Create(CultureInfo.InvariantCulture,
            $"{cheaper.Candidate.Name} costs {Ratio(cheaper.Returns.CostRatio)} of member revenue in rewards against {Ratio(other.Returns.CostRatio)} for {other.Candidate.Name} " +
            $"({cheaper.RewardCost} vs {other.RewardCost}); it leaves a liability of {cheaper.Liability.Outstanding.Value} ({cheaper.Liability.Outstanding.Points:N0} points) against {other.Liability.Outstanding.Value} ({other.Liability.Outstanding.Points:N0} points), " +
            $"with an estimated breakage of {cheaper.Breakage.BreakageRate:P1} against {other.Breakage.BreakageRate:P1}.");
    }
}

/// <summary>
/// Replays a historical order stream through a candidate programme with the production engines —
/// <see cref="EarningEngine"/> for points, <see cref="TierEvaluator"/> for tiers, <see cref="PointsLedger"/>
/// (over a single-writer in-memory store of its own) for lots, pending points, expiry and redemptions — and
/// a seeded redemption behaviour; reports a monthly series.
/// </summary>
/// <remarks>
/// <para>Deterministic for a seed: events are replayed by instant (enrolments, then orders, then
/// refunds at the same instant; ties by id), and the redemption behaviour draws one random number
/// per member order from a generator seeded with <see cref="BacktestSettings.Seed"/>.</para>
/// <para>Each order is evaluated as <see cref="LoyaltyProgram.RecordOrderAsync"/> evaluates it:
/// the member's tier at the order's instant from their qualification history, previous orders,
/// per-member cap usage, programme-wide campaign budgets; points pending for the return window;
/// refunds reverse exactly what the refunded part earned. Points expire as the ledger's balances
/// count them (a lot past its expiry never counts, swept or not); the replay writes no expire
/// transactions, so the monthly expired figure is the change of the accounts' lifetime expired.</para>
/// </remarks>
public static class ProgrammeBacktest
{
    private static readonly ProgramId Program = ProgramId.From("backtest");

    /// <summary>Replays the input through <paramref name="candidate"/>.</summary>
    /// <param name="candidate">The candidate programme.</param>
    /// <param name="input">The orders, refunds, enrolments and referrals.</param>
    /// <param name="settings">Currency, time zone, seed.</param>
    /// <param name="cancellationToken">Cancels the replay.</param>
    /// <returns>The monthly series and totals.</returns>
    /// <exception cref="ArgumentException">An order or the candidate is in another currency, a refund has no instant or names an unknown order, or a reward has no cost to the shop; nothing is replayed.</exception>
    public static async Task<BacktestResult> RunAsync(ProgrammeCandidate candidate, BacktestInput input, BacktestSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(settings);
        var events = Validate(candidate, input, settings);
        return await new Replay(candidate, input, settings, events).ExecuteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replays the same input through two candidates.</summary>
    /// <param name="first">The first candidate.</param>
    /// <param name="second">The second candidate.</param>
    /// <param name="input">The orders, refunds, enrolments and referrals.</param>
    /// <param name="settings">Currency, time zone, seed (the same for both).</param>
    /// <param name="cancellationToken">Cancels the replay.</param>
    /// <returns>Both results.</returns>
    /// <exception cref="ArgumentException">As <see cref="RunAsync"/>.</exception>
    public static async Task<BacktestComparison> CompareAsync(ProgrammeCandidate first, ProgrammeCandidate second, BacktestInput input, BacktestSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(second);
        var a = await RunAsync(first, input, settings, cancellationToken).ConfigureAwait(false);
        var b = await RunAsync(second, input, settings, cancellationToken).ConfigureAwait(false);
        return new BacktestComparison(a, b);
    }

    private static List<Event> Validate(ProgrammeCandidate candidate, BacktestInput input, BacktestSettings settings)
    {
        var currency = settings.Currency;
        if (candidate.Currency != currency)
        {
            throw new ArgumentException($"Candidate '{candidate.Name}' earns in {candidate.Currency}, but the backtest is in {currency}; use rule sets in {currency}.", nameof(candidate));
        }

        foreach (var reward in candidate.Rewards.Rewards)
        {
            if (reward.Kind == RewardKind.PayWithPoints)
            {
                continue;
            }

            if (reward.CostToShop is not { } cost)
            {
                throw new ArgumentException($"Reward '{reward.Id}' of candidate '{candidate.Name}' has no cost to the shop; give it one with WithCostToShop (\"costToShop\" in JSON), e.g. a gift's cost price.", nameof(candidate));
            }

            if (cost.Currency != currency)
            {
                throw new ArgumentException($"Reward '{reward.Id}' of candidate '{candidate.Name}' costs {cost}, not an amount in {currency}.", nameof(candidate));
            }
        }

        if (candidate.Valuation is { } v && v.CostPerPoint.Currency != currency)
        {
            throw new ArgumentException($"The cost per point of candidate '{candidate.Name}' is in {v.CostPerPoint.Currency}, not in {currency}.", nameof(candidate));
        }

        // The merchants' own rule sets: in the candidate's currency, namespaced without clashing with its rules.
        _ = Shard.MerchantRules(candidate);

        ArgumentNullException.ThrowIfNull(input.Orders, nameof(input));
        var events = new List<Event>(input.Orders.Count + input.Refunds.Count + (input.Enrolments?.Count ?? 0));
        var orderIds = new Dictionary<OrderId, MemberId>(input.Orders.Count);
        for (var i = 0; i < input.Orders.Count; i++)
        {
            var order = input.Orders[i] ?? throw new ArgumentException($"Orders[{i}] is null.", nameof(input));
            if (order.Currency != currency)
            {
                throw new ArgumentException($"Order '{order.Id}' is in {order.Currency}, but the programme's currency is {currency}; convert the orders before the backtest (amounts are never converted).", nameof(input));
            }

            if (!orderIds.TryAdd(order.Id, order.Member))
            {
                throw new ArgumentException($"Order '{order.Id}' appears twice; every order needs its own id.", nameof(input));
            }

            events.Add(new Event(order.PlacedAt, 1, order.Id.Value, i, order.Member.Value));
        }

        for (var i = 0; i < input.Refunds.Count; i++)
        {
            var refund = input.Refunds[i] ?? throw new ArgumentException($"Refunds[{i}] is null.", nameof(input));
            if (refund.RefundedAt is not { } at)
            {
                throw new ArgumentException($"Refund '{refund.RefundId}' has no RefundedAt; a backtest replays refunds at their own instant.", nameof(input));
            }

            if (!orderIds.TryGetValue(refund.OrderId, out var customer))
            {
                throw new ArgumentException($"Refund '{refund.RefundId}' is of order '{refund.OrderId}', which is not among the orders.", nameof(input));
            }

            events.Add(new Event(at, 2, refund.RefundId.Value, i, customer.Value));
        }

        if (input.Enrolments is { } enrolments)
        {
            var i = 0;
            foreach (var (member, at) in enrolments.OrderBy(e => e.Key))
            {
                events.Add(new Event(at, 0, member.Value, i++, member.Value));
            }
        }

        events.Sort();
        return events;
    }

    /// <summary>An FNV-1a hash of a member id: the same in every process (unlike string.GetHashCode), for partitions and seeds.</summary>
    private static uint StableHash(string value)
    {
        var hash = 2166136261u;
        foreach (var c in value)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return hash;
    }

    private readonly record struct Event(Instant At, int Kind, string Key, int Index, string Member) : IComparable<Event>
    {
        public int CompareTo(Event other)
        {
            var c = At.CompareTo(other.At);
            if (c == 0)
            {
                c = Kind.CompareTo(other.Kind);
            }

            return c != 0 ? c : string.CompareOrdinal(Key, other.Key);
        }
    }

    private sealed class BacktestClock : IClock
    {
        public Instant Now { get; set; }

        public Instant GetCurrentInstant() => Now;
    }

    private sealed class MemberState(MemberId id, Instant enrolledAt, int order, int expectedEntries)
    {
        private QualificationEntry[] entries = new QualificationEntry[Math.Max(1, expectedEntries)];
        private Random? random;
        private TierStatus? monthEndStatus;
        private Instant? monthEndStatusEnd;
        private LiabilityLot[] liabilityLots = [];
        private int liabilityLotCount;
        private int liabilityWrites = -1;
        private bool liabilityOpen;
        private long liabilityExpired;
        private long liabilityDebt;
        private Instant? liabilityDeadline;

        public MemberId Id { get; } = id;

        public Instant EnrolledAt { get; } = enrolledAt;

        /// <summary>The most qualification entries and lots the replay gives the member (one per event of theirs, and a sign-up): their arrays are sized once.</summary>
        public int ExpectedEntries { get; } = expectedEntries;

        /// <summary>The member's ledger account in the partition's store (opened at their first write), or null.</summary>
        public ReplayLedgerStore.Account? Account { get; set; }

        /// <summary>The member's ledger state when they have a transaction, else null.</summary>
        public AccountState? Ledger => Account?.State is { Version: > 0 } state ? state : null;

        /// <summary>The position in the replay of the event that enrolled the member (members are listed in this order).</summary>
        public int Order { get; } = order;

        public int Entries { get; private set; }

        public int Orders { get; set; }

        public Instant? FirstOrderAt { get; set; }

        public EarningUsage Usage { get; set; } = EarningUsage.Empty;

        /// <summary>
        /// The status evaluated at the last month end, from which the next evaluations continue (the
        /// evaluator's result then equals a replay from enrolment); dropped when an entry dated at or
        /// before it is added, so that such an entry is replayed from enrolment.
        /// </summary>
        public TierStatus? MonthEndStatus
        {
            get => monthEndStatus;
            set
            {
                monthEndStatus = value;
                monthEndStatusEnd = value is null ? null : value.GraceUntil ?? value.AutomaticValidUntil;
            }
        }

        /// <summary>The number of entries <see cref="MonthEndStatus"/> was evaluated with.</summary>
        public int EntriesAtMonthEnd { get; set; } = -1;

        /// <summary>
        /// True when the month-end evaluation at <paramref name="at"/> cannot differ from the last one: no
        /// entry since it, and neither the grace nor the automatic validity of its status ends by
        /// <paramref name="at"/> — the only events that move a tier without a new entry (the evaluator's own
        /// test for a member whose replay meets no event).
        /// </summary>
        public bool Unchanged(Instant at)
        {
            if (monthEndStatus is null || EntriesAtMonthEnd != Entries)
            {
                return false;
            }

            // The status's grace or automatic validity end, kept when the status is set.
            var end = monthEndStatusEnd;
            return end is null || end.GetValueOrDefault() > at;
        }

        /// <summary>The tier at the last month end (or at the end of the replay).</summary>
        public TierId Tier { get; private set; }

        /// <summary>The rank of <see cref="Tier"/> in the ladder.</summary>
        public int TierRank { get; private set; }

        public void SetTier(TierId tier, int rank)
        {
            Tier = tier;
            TierRank = rank;
        }

        /// <summary>The number of writes to the member's account (earns, redemptions, reversals): the only changes of its lots and figures.</summary>
        public int Writes { get; set; }

        /// <summary>
        /// The account's liability view at a month end: its open lots as liability lots, lifetime expired
        /// points, debt and inactivity deadline, taken from the ledger's state only when the account was
        /// written since they were last taken (nothing else changes them); false without a transaction.
        /// </summary>
        /// <exception cref="InvalidOperationException">The account holds points (a backtest never places a hold).</exception>
        public bool LiabilityView(ref LiabilityLot[]? scratch, out ReadOnlySpan<LiabilityLot> lots, out long expired, out long debt, out Instant? deadline)
        {
            if (liabilityWrites != Writes)
            {
                liabilityLotCount = 0;
                liabilityOpen = false;
                if (Ledger is { } state)
                {
                    if (state.Holds.Count != 0)
                    {
                        throw new InvalidOperationException($"Member '{Id}' holds points; a backtest never places a hold.");
                    }

                    // Into the member's own array, grown (with room for a few more lots) only when too short.
                    var open = LiabilityAccount.OpenLots(state, ref scratch);
                    if (liabilityLots.Length < open.Length)
                    {
                        liabilityLots = new LiabilityLot[Math.Min(open.Length + 4, Math.Max(open.Length, ExpectedEntries))];
                    }

                    open.CopyTo(liabilityLots);
                    liabilityLotCount = open.Length;
                    liabilityExpired = state.Expired;
                    liabilityDebt = state.Debt;
                    liabilityDeadline = state.InactivityDeadline;
                    liabilityOpen = true;
                }

                liabilityWrites = Writes;
            }

            lots = liabilityLots.AsSpan(0, liabilityLotCount);
            expired = liabilityExpired;
            debt = liabilityDebt;
            deadline = liabilityDeadline;
            return liabilityOpen;
        }

        /// <summary>The member's next draw of the redemption behaviour, from their own generator (seeded with the backtest's seed and the member's id).</summary>
        public double NextDraw(int seed) => (random ??= new Random(unchecked((int)StableHash(Id.Value) ^ seed))).NextDouble();

        public TierMember ToTierMember() => new() { MemberId = Id, EnrolledAt = EnrolledAt, History = entries.AsMemory(0, Entries), PriorStatus = MonthEndStatus };

        public void Add(QualificationEntry entry)
        {
            if (Entries == entries.Length)
            {
                Array.Resize(ref entries, entries.Length * 2);
            }

            entries[Entries++] = entry;
            if (MonthEndStatus is { } prior && entry.At <= prior.EvaluatedAt)
            {
                MonthEndStatus = null;
            }
        }
    }

    private sealed class OrderState(EarningOrder order, EarningResult? earning, bool byMember)
    {
        public EarningOrder Order { get; } = order;

        public EarningResult? Earning { get; } = earning;

        public bool ByMember { get; } = byMember;

        public List<OrderRefund> Refunds => refunds ??= [];

        private List<OrderRefund>? refunds;
    }

    /// <summary>What one partition reports at a month end.</summary>
    private sealed record MonthEnd(LiabilityTotals Liability, int[] PerTier, long ExpiredToDate);

    /// <summary>Drives the partitions month by month and puts their figures together in replay order.</summary>
    private sealed class Replay
    {
        private readonly ProgrammeCandidate candidate;
        private readonly BacktestInput input;
        private readonly BacktestSettings settings;
        private readonly List<Event> events;
        private readonly DateTimeZone zone;
        private readonly Currency currency;
        private readonly PointValuation valuation;
        private readonly Shard[] shards;
        private readonly List<BacktestMonth> months = [];
        private readonly Instant start;
        private readonly Instant end;
        private readonly Instant closedAt;
        private long cumulativeIssued;
        private long cumulativeExpired;
        private long totalExpired;

        public Replay(ProgrammeCandidate candidate, BacktestInput input, BacktestSettings settings, List<Event> events)
        {
            this.candidate = candidate;
            this.input = input;
            this.settings = settings;
            this.events = events;
            zone = settings.TimeZone;
            currency = settings.Currency;
            valuation = candidate.Valuation
                ?? (PointValuation.Valued(candidate.Rewards, currency).Any()
                    ? PointValuation.CheapestReward(candidate.Rewards, currency)
                    : PointValuation.PerPoint(Money.Zero(currency)));

            var count = MembersInteract(candidate) ? 1 : settings.Partitions ?? (events.Count < 20_000 ? 1 : Math.Clamp(Environment.ProcessorCount, 1, 8));
            var mine = new List<int>[count];
            for (var i = 0; i < count; i++)
            {
                mine[i] = new List<int>(events.Count / count + 16);
            }

            // Each customer's events (enrolment, orders, refunds), so that their entries and lots are sized once.
            var perMember = new Dictionary<string, int>(input.Enrolments?.Count ?? 0, StringComparer.Ordinal);
            for (var i = 0; i < events.Count; i++)
            {
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(perMember, events[i].Member, out _)++;
                mine[count == 1 ? 0 : (int)(StableHash(events[i].Member) % (uint)count)].Add(i);
            }

            // Without enrolment dates, the customers are the orders' (refunds are of orders).
            var customers = input.Enrolments?.Count ?? perMember.Count;
            var refunded = input.Refunds.Select(r => r.OrderId).ToHashSet();
            var reversible = refunded.Select(DerivedIds.Order).ToHashSet();
            (start, end, closedAt) = Span(events, settings);
            shards = new Shard[count];
            for (var i = 0; i < count; i++)
            {
                shards[i] = new Shard(candidate, input, settings, events, mine[i].ToArray(), customers / count + 1, perMember, refunded, reversible, closedAt);
            }
        }

        /// <summary>
        /// The start of the replay, its end (exclusive) and the instant of the figures at the end: the
        /// end of the last whole month replayed, or the end when no month is whole.
        /// </summary>
        private (Instant Start, Instant End, Instant ClosedAt) Span(List<Event> events, BacktestSettings settings)
        {
            if (events.Count == 0 && settings.EndAt is null)
            {
                throw new ArgumentException("The backtest has no order, refund or enrolment to replay; pass at least one order.", "input");
            }

            var first = events.Count > 0 ? events[0].At : settings.EndAt!.Value;
            var last = events.Count > 0 ? events[^1].At : first;
            var end = settings.EndAt ?? StartOf(MonthOf(last).PlusMonths(1));
            var closed = end;
            var any = false;
            for (var boundary = StartOf(MonthOf(first).PlusMonths(1)); boundary <= end; boundary = StartOf(MonthOf(boundary).PlusMonths(1)))
            {
                closed = boundary;
                any = true;
            }

            return (first, end, any ? closed : end);
        }

        public async Task<BacktestResult> ExecuteAsync(CancellationToken cancellationToken)
        {
            var current = MonthOf(start);
            var boundary = StartOf(current.PlusMonths(1));
            while (boundary <= end)
            {
                await ReplayUntilAsync(boundary, cancellationToken).ConfigureAwait(false);
                await CloseMonthAsync(current, boundary).ConfigureAwait(false);
                current = current.PlusMonths(1);
                boundary = StartOf(current.PlusMonths(1));
            }

            await ReplayUntilAsync(end, cancellationToken).ConfigureAwait(false);
            if (closedAt != (months.Count > 0 ? StartOf(months[^1].Month.PlusMonths(1)) : end))
            {
                throw new InvalidOperationException($"The replay closed its months at {(months.Count > 0 ? StartOf(months[^1].Month.PlusMonths(1)) : end)}, not at {closedAt}.");
            }

            // The returns (from the input and the members' enrolments) and the points of each order (from the
            // partitions' lists, complete once the replay is) are put together on other threads while the
            // partitions report the closing liability and balances: no shared state, the same figures.
            var enrolledAt = new Dictionary<MemberId, Instant>(shards.Sum(s => s.MemberList.Count));
            foreach (var shard in shards)
            {
                foreach (var member in shard.MemberList)
                {
                    enrolledAt[member.Id] = member.EnrolledAt;
                }
            }

            var rewardCost = Money.FromDecimal(shards.Sum(s => s.TotalRewardCost), currency);
            var redemptions = shards.Sum(s => s.TotalRedemptions);
            var redeemed = shards.Sum(s => s.TotalRedeemed);
            var expiredTotal = totalExpired;
            var returns = Task.Run(() => ProgrammeReturns.Compute(Purchases(), enrolledAt, input.Referrers, rewardCost, redemptions, redeemed, expiredTotal, closedAt, settings.ChurnAfter), cancellationToken);
            var orderPoints = Task.Run(() =>
            {
                var points = new Dictionary<OrderId, Points>(input.Orders.Count);
                foreach (var (_, order, earned) in Merge(shards.Select(s => s.OrderPoints).ToArray(), p => p.Event))
                {
                    points[order] = earned;
                }

                return points;
            }, cancellationToken);

            var (liability, _, _) = await LiabilityAsync(closedAt).ConfigureAwait(false);
            var finished = await ForEachShardAsync(s => s.FinishAsync(closedAt, cancellationToken)).ConfigureAwait(false);
            var ordered = Merge(finished, m => m.Member.Order);
            var balances = new Dictionary<MemberId, LedgerBalance>(ordered.Count);
            var memberTiers = new Dictionary<MemberId, TierId>(ordered.Count);
            foreach (var (member, balance) in ordered)
            {
                balances[member.Id] = balance;
                memberTiers[member.Id] = member.Tier;
            }

            var cohorts = new BreakageCohorts(zone);
            foreach (var shard in shards)
            {
                cohorts.Add(shard.Cohorts);
            }

            return new BacktestResult
            {
                Candidate = candidate,
                Valuation = valuation,
                Months = months,
                OrderPoints = await orderPoints.ConfigureAwait(false),
                Balances = balances,
                MemberTiers = memberTiers,
                Liability = liability,
                Breakage = cohorts.Report(closedAt),
                Returns = await returns.ConfigureAwait(false),
            };
        }

        /// <summary>Every purchase and refund replayed (members and non-members), in replay order.</summary>
        private IEnumerable<CustomerPurchase> Purchases()
        {
            var refundedOrders = new Dictionary<OrderId, EarningOrder>(input.Refunds.Count);
            foreach (var refund in input.Refunds)
            {
                refundedOrders[refund.OrderId] = null!;
            }

            foreach (var order in input.Orders)
            {
                if (refundedOrders.ContainsKey(order.Id))
                {
                    refundedOrders[order.Id] = order;
                }
            }

            foreach (var e in events)
            {
                if (e.At >= end)
                {
                    yield break;
                }

                if (e.Kind == 1)
                {
                    var order = input.Orders[e.Index];
                    yield return new CustomerPurchase(order.Member, order.PlacedAt, order.NetSubtotal);
                }
                else if (e.Kind == 2)
                {
                    var refund = input.Refunds[e.Index];
                    var order = refundedOrders[refund.OrderId];
                    yield return new CustomerPurchase(order.Member, refund.RefundedAt!.Value, -Shard.RefundedValue(order, refund.Refund));
                }
            }
        }

        /// <summary>
        /// Whether members affect one another: a campaign budget shared by all, or a reward in limited
        /// stock. Then the replay runs as one partition, in the exact order of the events.
        /// </summary>
        private static bool MembersInteract(ProgrammeCandidate candidate) =>
            candidate.RuleSets.Versions.Concat(candidate.MerchantRuleSets.Values.SelectMany(h => h.Versions)).Any(v => v.OrderedRules.Any(r => r.Caps?.CampaignBudget is not null))
            || candidate.Rewards.Rewards.Any(r => r.Stock is not null);

        private Task ReplayUntilAsync(Instant limit, CancellationToken cancellationToken) =>
            ForEachShardAsync(async s =>
            {
                await s.ReplayUntilAsync(limit, cancellationToken).ConfigureAwait(false);
                return true;
            });

        /// <summary>Runs <paramref name="work"/> on every partition: inline for one, in parallel for more (each partition on one thread at a time).</summary>
        private async Task<T[]> ForEachShardAsync<T>(Func<Shard, Task<T>> work)
        {
            if (shards.Length == 1)
            {
                return [await work(shards[0]).ConfigureAwait(false)];
            }

            return await Task.WhenAll(shards.Select(s => Task.Run(() => work(s)))).ConfigureAwait(false);
        }

        private async Task CloseMonthAsync(YearMonth current, Instant boundary)
        {
            var (liability, perTier, expiredToDate) = await LiabilityAsync(boundary).ConfigureAwait(false);
            var totals = new MonthTotals(currency);
            foreach (var shard in shards)
            {
                totals.Add(shard.TakeMonth());
            }

            totals.Expired = expiredToDate - totalExpired;
            cumulativeIssued += totals.Earned - totals.Reversed;
            cumulativeExpired += totals.Expired;
            totalExpired += totals.Expired;
            months.Add(new BacktestMonth
            {
                Month = current,
                Orders = totals.Orders,
                Revenue = Money.FromDecimal(totals.Revenue, currency),
                MemberRevenue = Money.FromDecimal(totals.MemberRevenue, currency),
                Earned = totals.Earned,
                Reversed = totals.Reversed,
                Redeemed = totals.Redeemed,
                Expired = totals.Expired,
                Outstanding = liability.Outstanding.Points,
                Liability = liability.Outstanding.Value,
                BreakageToDate = cumulativeIssued > 0 ? (double)cumulativeExpired / cumulativeIssued : 0d,
                Redemptions = totals.Redemptions,
                RewardCost = Money.FromDecimal(totals.RewardCost, currency),
                Members = shards.Sum(s => s.MemberList.Count),
                MembersPerTier = perTier,
            });
        }

        /// <summary>The liability, the members per tier and the points expired to date at <paramref name="at"/>, over every partition.</summary>
        private async Task<(LiabilityReport Report, IReadOnlyList<KeyValuePair<TierId, int>> PerTier, long ExpiredToDate)> LiabilityAsync(Instant at)
        {
            var ends = await ForEachShardAsync(s => Task.FromResult(s.Close(at))).ConfigureAwait(false);
            var counts = new int[candidate.Tiers.Tiers.Count];
            long expired = 0;
            var totals = new LiabilityTotals(at, zone);
            foreach (var end in ends)
            {
                totals.Add(end.Liability);
                for (var i = 0; i < counts.Length; i++)
                {
                    counts[i] += end.PerTier[i];
                }

                expired = checked(expired + end.ExpiredToDate);
            }

            // The calculator's sums, each partition's accounts summed apart (in parallel) and then added together.
            var report = totals.Report(valuation);
            return (report, candidate.Tiers.Tiers.Select((t, i) => new KeyValuePair<TierId, int>(t.Id, counts[i])).ToArray(), expired);
        }

        /// <summary>The partitions' lists (each in replay order) as one list in replay order.</summary>
        private static List<T> Merge<T>(IReadOnlyList<List<T>> lists, Func<T, int> order)
        {
            if (lists.Count == 1)
            {
                return lists[0];
            }

            var merged = new List<T>(lists.Sum(l => l.Count));
            var next = new int[lists.Count];
            while (true)
            {
                var best = -1;
                for (var i = 0; i < lists.Count; i++)
                {
                    if (next[i] < lists[i].Count && (best < 0 || order(lists[i][next[i]]) < order(lists[best][next[best]])))
                    {
                        best = i;
                    }
                }

                if (best < 0)
                {
                    return merged;
                }

                merged.Add(lists[best][next[best]++]);
            }
        }

        private YearMonth MonthOf(Instant instant)
        {
            var d = instant.InZone(zone).Date;
            return new YearMonth(d.Year, d.Month);
        }

        private Instant StartOf(YearMonth m) => Internal.LocalCalendar.StartOfDay(m.OnDayOfMonth(1), zone);
    }

    /// <summary>
    /// The members of one partition (a stable hash of the member id) with their own ledger, store and
    /// tier evaluator. Members never interact unless the candidate has a programme-wide campaign budget
    /// or a reward in limited stock, and then there is one partition; each member draws from their own
    /// generator. So the partitions replay in parallel and the result does not depend on their number.
    /// </summary>
    private sealed class Shard
    {
        private readonly ProgrammeCandidate candidate;
        private readonly BacktestInput input;
        private readonly BacktestSettings settings;
        private readonly List<Event> events;
        private readonly int[] mine;
        private readonly DateTimeZone zone;
        private readonly Currency currency;
        private readonly BacktestClock clock = new();
        private readonly ReplayLedgerStore store;
        private readonly PointsLedger ledger;
        private readonly TierEvaluator tiers;
        private readonly Dictionary<MemberId, MemberState> members = [];
        private readonly Dictionary<OrderId, OrderState> orders = [];
        private readonly HashSet<OrderId> refunded;
        private readonly Dictionary<string, int> eventsPerMember;
        private readonly Dictionary<RuleId, Points> campaigns = [];
        private readonly Dictionary<MerchantId, Programs.MerchantRuleSets> merchantRules;
        private readonly Dictionary<RewardId, long> stockUsed = [];
        private readonly RewardDefinition[] rewardsByCost;
        private readonly Dictionary<TierId, int> rank;
        private TierMember[] batch = [];
        private TierBatchResult[] results = [];
        private int[] dueMembers = [];
        private LiabilityLot[]? liabilityLots;
        private Programs.EarningRules? plainRules;
        private int position;
        private int currentEvent;
        private long redemptionCounter;
        private MonthTotals month;

        public Shard(ProgrammeCandidate candidate, BacktestInput input, BacktestSettings settings, List<Event> events, int[] mine, int customers, Dictionary<string, int> eventsPerMember, HashSet<OrderId> refunded, HashSet<TransactionId> reversible, Instant closedAt)
        {
            this.eventsPerMember = eventsPerMember;
            this.refunded = refunded;
            this.candidate = candidate;
            this.input = input;
            this.settings = settings;
            this.events = events;
            this.mine = mine;
            zone = settings.TimeZone;
            currency = settings.Currency;
            var options = new LoyaltyOptions { ProgramId = Program.Value, Currency = currency.Code, TimeZone = zone.Id };
            var ledgerOptions = new LedgerOptions
            {
                PendingPeriod = candidate.PendingPeriod.ToTimeSpan(),
                Expiry = ToOptions(candidate.Expiry),
                ExpiryBatchSize = 100_000,
            };
            options.Ledger = ledgerOptions;

            // The store keeps each account as the ledger's own state, which the replay's earns and
            // redemptions are written into (the ledger's decisions, no store round trip); the refunds'
            // reversals go through the ledger's store API, with no cache (the store's state is the account).
            // It keeps no history: the breakage cohorts are fed as it is written.
            store = new ReplayLedgerStore(Program, customers, reversible, candidate.Expiry, zone, closedAt);
            ledger = new PointsLedger(clock, store, options.ToProgramSettings(), Options.Create(ledgerOptions), cacheSlots: 0)
            {
                // The replay's ledger is private and thrown away: its transactions are not sealed into a hash chain.
                Chained = false,
            };
            tiers = new TierEvaluator(candidate.Tiers);
            merchantRules = MerchantRules(candidate);
            rewardsByCost = RewardsByCost(candidate);
            rank = candidate.Tiers.Tiers.Select((t, i) => (t.Id, i)).ToDictionary(p => p.Id, p => p.i);
            month = new MonthTotals(currency);

            // One entry per order of this partition at most: sized once, never grown by copying.
            OrderPoints = new(mine.Length);
        }

        /// <summary>The members, in the order they enrolled (within this partition).</summary>
        public List<MemberState> MemberList { get; } = [];

        /// <summary>Each member order's points, tagged with the event's position in the replay.</summary>
        public List<(int Event, OrderId Order, Points Points)> OrderPoints { get; }

        /// <summary>The breakage cohorts of this partition's accounts (complete once <see cref="FinishAsync"/> has run).</summary>
        public BreakageCohorts Cohorts => store.Cohorts!;

        public int TotalRedemptions { get; private set; }

        /// <summary>The member evaluations the month ends made (members skipped as unchanged are not counted).</summary>
        public long MonthEndsEvaluated { get; private set; }

        public long TotalRedeemed { get; private set; }

        public decimal TotalRewardCost { get; private set; }

        /// <summary>Replays this partition's events before <paramref name="limit"/>.</summary>
        public async Task ReplayUntilAsync(Instant limit, CancellationToken cancellationToken)
        {
            while (position < mine.Length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                currentEvent = mine[position];
                var e = events[currentEvent];
                if (e.At >= limit)
                {
                    return;
                }

                clock.Now = e.At;
                switch (e.Kind)
                {
                    case 0:
                        Enrol(MemberId.From(e.Key), e.At);
                        break;
                    case 1:
                        Order(input.Orders[e.Index]);
                        break;
                    default:
                        await RefundAsync(input.Refunds[e.Index], cancellationToken).ConfigureAwait(false);
                        break;
                }

                position++;
            }
        }

        /// <summary>This month's totals, which start again from zero.</summary>
        public MonthTotals TakeMonth()
        {
            var taken = month;
            month = new MonthTotals(currency);
            return taken;
        }

        /// <summary>
        /// At <paramref name="at"/>: each member's tier (continuing from their last month-end status,
        /// which is kept), their liability view (rebuilt only for accounts written since the last
        /// month end), the members per tier and the points expired to date (lifetime expired of every
        /// account, lots past their expiry included whether swept or not, as the ledger's balances count them).
        /// </summary>
        public MonthEnd Close(Instant at)
        {
            clock.Now = at;
            var counts = new int[candidate.Tiers.Tiers.Count];

            // Only the members whose tier can have moved since the last month end are evaluated: a new entry, or the
            // end of the status's validity or grace by this month end. The others keep their tier and their status
            // (an older evaluation instant is as good a starting point for the next evaluation).
            var due = 0;
            if (dueMembers.Length < MemberList.Count)
            {
                dueMembers = new int[Math.Max(MemberList.Count, dueMembers.Length * 2)];
            }

            for (var i = 0; i < MemberList.Count; i++)
            {
                if (!MemberList[i].Unchanged(at))
                {
                    dueMembers[due++] = i;
                }
            }

            if (batch.Length < due)
            {
                batch = new TierMember[Math.Max(due, MemberList.Count)];
                results = new TierBatchResult[batch.Length];
            }

            for (var k = 0; k < due; k++)
            {
                var member = MemberList[dueMembers[k]];
                batch[k] = member.ToTierMember();
                if (batch[k].EnrolledAt > at)
                {
                    throw new InvalidOperationException($"Member '{batch[k].MemberId}' enrolled after {at}.");
                }
            }

            tiers.EvaluateInto(batch.AsSpan(0, due), results.AsSpan(0, due), at);
            for (var k = 0; k < due; k++)
            {
                var member = MemberList[dueMembers[k]];
                member.MonthEndStatus = results[k].Status;
                member.EntriesAtMonthEnd = member.Entries;
                member.SetTier(results[k].Tier.Id, rank[results[k].Tier.Id]);
            }

            batch.AsSpan(0, due).Clear();
            results.AsSpan(0, due).Clear();
            MonthEndsEvaluated += due;
            var liability = new LiabilityTotals(at, zone);
            long expired = 0;
            for (var i = 0; i < MemberList.Count; i++)
            {
                var member = MemberList[i];
                var tier = member.Tier;
                counts[member.TierRank]++;
                // The account's liability view, kept by the member until the account is written again.
                if (!member.LiabilityView(ref liabilityLots, out var lots, out var lifetimeExpired, out var debt, out var deadline))
                {
                    continue;
                }

                expired = checked(expired + lifetimeExpired + UnsweptExpired(lots, deadline, at));
                liability.Add(lots, 0, debt, deadline, tier);
            }

            return new MonthEnd(liability, counts, expired);
        }

        /// <summary>Each member's balance at <paramref name="at"/>; completes the breakage cohorts with the open lots of the accounts not written since their instant.</summary>
        public Task<List<(MemberState Member, LedgerBalance Balance)>> FinishAsync(Instant at, CancellationToken cancellationToken)
        {
            clock.Now = at;
            store.CountOpenLots();
            var list = new List<(MemberState, LedgerBalance)>(MemberList.Count);
            foreach (var m in MemberList)
            {
                cancellationToken.ThrowIfCancellationRequested();
                list.Add((m, Balance(m, at)));
            }

            return Task.FromResult(list);
        }

        /// <summary>The member's balance at <paramref name="at"/> as the ledger reports it: from their account's state (all zero without a transaction).</summary>
        private static LedgerBalance Balance(MemberState member, Instant at) => member.Ledger is { } state ? state.Balance(at) : new LedgerBalance { AsOf = at };

        private void Enrol(MemberId id, Instant at)
        {
            if (members.ContainsKey(id))
            {
                return;
            }

            var member = new MemberState(id, at, currentEvent, eventsPerMember.GetValueOrDefault(id.Value) + 1);
            members[id] = member;
            MemberList.Add(member);

            // The sign-up activity rules, as enrolment applies them (points spendable at once).
            if (RuleSetAt(at) is not { } ruleSet)
            {
                return;
            }

            var activity = new ActivityInput(ActivityKind.SignUp, id, at);
            var (context, _) = Context(member, at);
            var earning = EarningEngine.Instance.Evaluate(ruleSet, activity, context, WithCampaigns(ruleSet.OrderedRules, member.Usage));
            if (!earning.Total.IsPositive)
            {
                return;
            }

            Record(member, earning);
            Earn(member, DerivedIds.Activity(DerivedIds.SignUp(id)), earning.Total, Duration.Zero);
            member.Add(QualificationEntry.FromPoints(at, earning.Total, EarnKind.Activity));
        }

        private void Order(EarningOrder order)
        {
            month.Orders++;
            month.Revenue += order.NetSubtotal;
            if (input.Enrolments is null && !members.ContainsKey(order.Member))
            {
                Enrol(order.Member, order.PlacedAt);
            }

            if (!members.TryGetValue(order.Member, out var member) || RuleSetAt(order.PlacedAt) is not { } ruleSet)
            {
                KeepForRefunds(order, null, byMember: false);
                return;
            }

            month.MemberRevenue += order.NetSubtotal;
            var (context, tier) = Context(member, order.PlacedAt);
            var rules = RulesFor(ruleSet, order.Store, order.PlacedAt);
            var earning = rules.Evaluate(order, context, rules.HasCampaignBudgets ? WithCampaigns(rules.Rules, member.Usage) : member.Usage);
            Record(member, earning);
            KeepForRefunds(order, earning, byMember: true);
            OrderPoints.Add((currentEvent, order.Id, earning.Total));
            member.Orders++;
            member.FirstOrderAt = member.FirstOrderAt is { } f && f <= order.PlacedAt ? f : order.PlacedAt;
            if (earning.Total.IsPositive)
            {
                Earn(member, DerivedIds.Order(order.Id), earning.Total, candidate.PendingPeriod);
            }

            member.Add(QualificationEntry.FromOrder(order.PlacedAt, Money.FromDecimal(order.NetSubtotal, currency), earning.Total));
            Redeem(member, order.PlacedAt, tier);
        }

        /// <summary>Keeps what a refund of the order needs (the order and what it earned), for the orders refunded in the input only.</summary>
        private void KeepForRefunds(EarningOrder order, EarningResult? earning, bool byMember)
        {
            if (refunded.Count > 0 && refunded.Contains(order.Id))
            {
                orders[order.Id] = new OrderState(order, earning, byMember);
            }
        }

        private async Task RefundAsync(RefundRequest refund, CancellationToken cancellationToken)
        {
            var state = orders[refund.OrderId];
            var refundedAt = refund.RefundedAt!.Value;
            var value = RefundedValue(state.Order, refund.Refund);
            month.Revenue -= value;
            if (!state.ByMember || state.Earning is null)
            {
                state.Refunds.Add(refund.Refund);
                return;
            }

            month.MemberRevenue -= value;
            var result = EarningEngine.Instance.ComputeRefund(state.Order, state.Earning, state.Refunds, refund.Refund);
            state.Refunds.Add(refund.Refund);
            if (result.Total.IsPositive && state.Earning.Total.IsPositive)
            {
                var reversed = await ledger.ReverseAsync(
                    new ReversePoints(DerivedIds.Refund(refund.RefundId), state.Order.Member, DerivedIds.Order(state.Order.Id), result.Total) { Reason = $"refund {refund.RefundId} of order {refund.OrderId}" },
                    cancellationToken).ConfigureAwait(false);
                Ensure(reversed, "reverse", refund.RefundId.Value);
                members[state.Order.Member].Writes++;
                month.Reversed += reversed.Transaction!.Applied;
            }

            members[state.Order.Member].Add(QualificationEntry.FromRefund(refundedAt, Money.FromDecimal(value, currency), result.Total, result.IsFullRefund));
        }

        private void Redeem(MemberState member, Instant at, TierDefinition tier)
        {
            if (candidate.Redemption.Model != RedemptionModel.BestAffordable || rewardsByCost.Length == 0)
            {
                return;
            }

            var draw = member.NextDraw(settings.Seed);
            if (draw >= candidate.Redemption.Probability)
            {
                return;
            }

            var available = Balance(member, at).Available.Value;
            foreach (var reward in rewardsByCost)
            {
                if (reward.Cost.Value > available || !reward.IsOfferedAt(at)
                    || (reward.RequiredTier is { } required && !candidate.Tiers.GrantsAccess(tier.Id, required))
                    || (reward.Stock is { } stock && stockUsed.GetValueOrDefault(reward.Id) >= stock))
                {
                    continue;
                }

                var id = TransactionId.From("redeem:" + (++redemptionCounter).ToString(CultureInfo.InvariantCulture));
                var account = member.Account!;
                store.Writing(account, at);
                var redeemed = ledger.RedeemFrom(account.State!, new RedeemPoints(id, member.Id, reward.Cost));
                Ensure(redeemed, "redeem", id.Value);
                store.Written(account, redeemed.Transaction!);
                member.Writes++;
                stockUsed[reward.Id] = stockUsed.GetValueOrDefault(reward.Id) + 1;
                var cost = reward.CostToShop!.Value.Amount;
                month.Redeemed += reward.Cost.Value;
                month.Redemptions++;
                month.RewardCost += cost;
                TotalRedemptions++;
                TotalRedeemed += reward.Cost.Value;
                TotalRewardCost += cost;
                return;
            }
        }

        /// <summary>Earns into the member's account state with the ledger's own decision (no store round trip), then hands the transaction to the store.</summary>
        private void Earn(MemberState member, TransactionId id, Points points, Duration pending)
        {
            var account = member.Account ??= store.Open(member.Id, ledger, member.ExpectedEntries);
            store.Writing(account, clock.Now);
            var earned = ledger.EarnInto(account.State!, new EarnPoints(id, member.Id, points) { PendingPeriod = pending });
            Ensure(earned, "earn", id.Value);
            store.Written(account, earned.Transaction!);
            member.Writes++;
            month.Earned += points.Value;
        }

        private void Record(MemberState member, EarningResult earning)
        {
            member.Usage = earning.UsageDeltas.Count == 0 ? member.Usage : member.Usage.Apply(earning.UsageDeltas);
            foreach (var delta in earning.UsageDeltas)
            {
                if (delta.Period is null)
                {
                    campaigns[delta.RuleId] = campaigns.GetValueOrDefault(delta.RuleId) + delta.Points;
                }
            }
        }

        /// <summary>The merchants' own rule sets of a candidate, each version with its namespaced copy.</summary>
        /// <exception cref="ArgumentException">A merchant's rule set is in another currency, or cannot be namespaced.</exception>
        internal static Dictionary<MerchantId, Programs.MerchantRuleSets> MerchantRules(ProgrammeCandidate candidate)
        {
            var sets = new Dictionary<MerchantId, Programs.MerchantRuleSets>();
            foreach (var (merchant, history) in candidate.MerchantRuleSets)
            {
                var versions = new List<Programs.MerchantRuleSet>();
                foreach (var ruleSet in history.Versions)
                {
                    if (ruleSet.Currency != candidate.Currency)
                    {
                        throw new ArgumentException($"Rule set {ruleSet.Version} of merchant '{merchant}' in candidate '{candidate.Name}' is in {ruleSet.Currency.Code}, not in {candidate.Currency.Code}.", nameof(candidate));
                    }

                    var namespaced = Programs.MerchantRuleNames.Namespace(merchant, ruleSet, nameof(candidate));
                    foreach (var id in namespaced.RuleIds)
                    {
                        if (candidate.RuleSets.Versions.FirstOrDefault(v => v.Find(id) is not null) is { } clash)
                        {
                            throw new ArgumentException($"Rule \"{Programs.MerchantRuleNames.Local(id)}\" of merchant '{merchant}' in candidate '{candidate.Name}' is counted as \"{id}\", the id of a rule of its rule set {clash.Version}; give one of them another id.", nameof(candidate));
                        }
                    }

                    versions.Add(new Programs.MerchantRuleSet(ruleSet, namespaced));
                }

                if (versions.Count > 0)
                {
                    sets[merchant] = new Programs.MerchantRuleSets(versions);
                }
            }

            return sets;
        }

        /// <summary>The rules an order at a merchant is replayed with: the candidate's plus the merchant's own, as the programme does.</summary>
        private Programs.EarningRules RulesFor(EarningRuleSet ruleSet, MerchantId? merchant, Instant at)
        {
            if (merchant is { } m && merchantRules.TryGetValue(m, out var own))
            {
                return Programs.EarningRules.Of(ruleSet, m, own.InForceAt(at) ?? own.Versions[0]);
            }

            // The candidate's rules alone: the same for every order under one rule set.
            if (!ReferenceEquals(plainRules?.Coalition, ruleSet))
            {
                plainRules = Programs.EarningRules.Of(ruleSet);
            }

            return plainRules!;
        }

        private EarningUsage WithCampaigns(IEnumerable<EarningRule> rules, EarningUsage usage)
        {
            foreach (var rule in rules)
            {
                if (rule.Caps?.CampaignBudget is not null)
                {
                    usage = usage.WithCampaign(rule.Id, campaigns.GetValueOrDefault(rule.Id));
                }
            }

            return usage;
        }

        private (MemberContext Context, TierDefinition Tier) Context(MemberState member, Instant at)
        {
            TierDefinition tier;
            var asOf = at < member.EnrolledAt ? member.EnrolledAt : at;
            if (member.Unchanged(asOf))
            {
                // No entry since the last month end and no end of validity or grace by now: the evaluator
                // gives the month end's tier (the test the month ends skip unchanged members by).
                tier = candidate.Tiers.Get(member.Tier);
            }
            else
            {
                // The same replay as the month ends' batch evaluation (from the last month end's status), keeping only the tier.
                tier = tiers.TierAt(member.ToTierMember(), asOf);
            }

            var context = new MemberContext(
                tier: tier.Id,
                tierEarnMultiplier: tier.Benefits.EarnMultiplier,
                previousOrderCount: member.Orders,
                firstOrderAt: member.FirstOrderAt,
                enrolledAt: member.EnrolledAt);
            return (context, tier);
        }

        private EarningRuleSet? RuleSetAt(Instant at) => candidate.RuleSets.InForceAt(at) ?? candidate.RuleSets.Versions[0];


        private static long UnsweptExpired(ReadOnlySpan<LiabilityLot> lots, Instant? deadline, Instant at)
        {
            long total = 0;
            foreach (var lot in lots)
            {
                var expires = lot.ExpiresAt;
                if (deadline is { } d && (expires is null || d < expires.GetValueOrDefault()))
                {
                    expires = d;
                }

                if (expires is { } e && e <= at)
                {
                    total = checked(total + lot.Points);
                }
            }

            return total;
        }

        private static void Ensure(LedgerResult result, string what, string id)
        {
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"The backtest's ledger refused to {what} '{id}': {result.Error!.Code} {result.Error.Message}.");
            }
        }

        private static LedgerExpiryOptions ToOptions(ExpiryPolicy policy) => new()
        {
            Policy = policy.Kind,
            Days = policy.Days,
            Months = policy.Months,
            RoundUpTo = policy.Rounding,
            Month = policy.Month,
            Day = policy.Day,
            YearsAfter = policy.YearsAfter,
        };

        internal static decimal RefundedValue(EarningOrder order, OrderRefund refund)
        {
            if (refund.Lines.Count == 0)
            {
                return refund.Amount;
            }

            decimal total = 0m;
            foreach (var line in refund.Lines)
            {
                if (line.LineIndex >= order.Lines.Count)
                {
                    throw new ArgumentException($"Refund line {line.LineIndex} does not exist; order '{order.Id}' has {order.Lines.Count} lines (0 to {order.Lines.Count - 1}).", "input");
                }

                var ordered = order.Lines[line.LineIndex];
                total += ordered.NetAmount * line.Quantity / ordered.Quantity;
            }

            return total;
        }
        private static RewardDefinition[] RewardsByCost(ProgrammeCandidate candidate) => candidate.Rewards.Rewards
            .Where(r => r.Kind != RewardKind.PayWithPoints && r.Cost.IsPositive)
            .OrderByDescending(r => r.Cost.Value).ThenBy(r => r.Id)
            .ToArray();
    }

    private sealed class MonthTotals(Currency currency)
    {
        /// <summary>Adds another partition's totals of the same month.</summary>
        public void Add(MonthTotals other)
        {
            Orders += other.Orders;
            Revenue += other.Revenue;
            MemberRevenue += other.MemberRevenue;
            Earned = checked(Earned + other.Earned);
            Reversed = checked(Reversed + other.Reversed);
            Redeemed = checked(Redeemed + other.Redeemed);
            Expired = checked(Expired + other.Expired);
            Redemptions += other.Redemptions;
            RewardCost += other.RewardCost;
        }

        public Currency Currency { get; } = currency;

        public int Orders { get; set; }

        public decimal Revenue { get; set; }

        public decimal MemberRevenue { get; set; }

        public long Earned { get; set; }

        public long Reversed { get; set; }

        public long Redeemed { get; set; }

        public long Expired { get; set; }

        public int Redemptions { get; set; }

        public decimal RewardCost { get; set; }
    }
}
