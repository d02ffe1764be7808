using Loyalty.Core.Ledger;
using Loyalty.Core.Storage;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Economics;

/// <summary>One issuance cohort: the points credited in one month and what became of them.</summary>
/// <remarks>Immutable. <c>Issued = Redeemed + Expired + Reversed + Debited + Outstanding</c>.</remarks>
public sealed record BreakageCohort
{
    /// <summary>The month the lots were credited, in the programme's zone.</summary>
    public required YearMonth Month { get; init; }

    /// <summary>Points credited (earns and manual credits).</summary>
    public required long Issued { get; init; }

    /// <summary>Points redeemed (captures included), net of reversed redemptions.</summary>
    public required long Redeemed { get; init; }

    /// <summary>Points expired (swept by maintenance or past their expiry).</summary>
    public required long Expired { get; init; }

    /// <summary>Points taken back by refunds (reversed earns).</summary>
    public required long Reversed { get; init; }

    /// <summary>Points removed by manual debits.</summary>
    public required long Debited { get; init; }

    /// <summary>Points still outstanding.</summary>
    public required long Outstanding { get; init; }

    /// <summary>Net issued: <see cref="Issued"/> − <see cref="Reversed"/> − <see cref="Debited"/>, the base of the rates.</summary>
    public long NetIssued => Issued - Reversed - Debited;

    /// <summary>The cohort's age in months at the estimate (0 for the estimate's own month).</summary>
    public required int AgeMonths { get; init; }

    /// <summary>Points redeemed in each month of age (index 0 = the month of issue).</summary>
    public required IReadOnlyList<long> RedeemedByAge { get; init; }

    /// <summary>The estimated ultimate redemptions: what is redeemed so far plus the run-off projection, at most what is still outstanding.</summary>
    public required double UltimateRedeemed { get; init; }

    /// <summary>Share of net issued redeemed so far.</summary>
    public double RedeemedShare => NetIssued > 0 ? (double)Redeemed / NetIssued : 0d;

    /// <summary>Share of net issued expired so far.</summary>
    public double ExpiredShare => NetIssued > 0 ? (double)Expired / NetIssued : 0d;

    /// <summary>Share of net issued still outstanding.</summary>
    public double OutstandingShare => NetIssued > 0 ? (double)Outstanding / NetIssued : 0d;
}

/// <summary>The breakage estimate: per cohort, the run-off pattern, the ultimate redemption rate and its uncertainty.</summary>
/// <remarks>Immutable.</remarks>
public sealed record BreakageReport
{
    /// <summary>The instant of the estimate.</summary>
    public required Instant AsOf { get; init; }

    /// <summary>The cohorts, oldest first.</summary>
    public required IReadOnlyList<BreakageCohort> Cohorts { get; init; }

    /// <summary>The incremental redemption rate per month of age: points redeemed at that age ÷ net issued, over the cohorts observed at that age.</summary>
    public required IReadOnlyList<double> RunOff { get; init; }

    /// <summary>The estimated ultimate redemption rate: Σ ultimate redeemed ÷ Σ net issued.</summary>
    public required double UltimateRedemptionRate { get; init; }

    /// <summary>The estimated breakage rate: 1 − <see cref="UltimateRedemptionRate"/>.</summary>
    public double BreakageRate => 1d - UltimateRedemptionRate;

    /// <summary>The jackknife (leave one cohort out) standard error of <see cref="UltimateRedemptionRate"/>, or null with fewer than 3 cohorts.</summary>
    public required double? StandardError { get; init; }

    /// <summary>The lower end of the approximate 95 % interval of the ultimate redemption rate (± 1.96 standard errors, within [0, 1]), or null.</summary>
    public double? Lower95 => StandardError is { } se ? Math.Clamp(UltimateRedemptionRate - (1.96 * se), 0d, 1d) : null;

    /// <summary>The upper end of the approximate 95 % interval, or null.</summary>
    public double? Upper95 => StandardError is { } se ? Math.Clamp(UltimateRedemptionRate + (1.96 * se), 0d, 1d) : null;
}

/// <summary>
/// Estimates breakage (points that will never be redeemed) from the ledger's own history, per
/// issuance cohort, with an incremental run-off (additive chain-ladder) method: see
/// <c>docs/economics.md</c> for the formulas and assumptions.
/// </summary>
/// <remarks>Thread-safe; pure. The replay is the ledger's own (<see cref="PointsLedger.GetBalanceAsOfAsync"/> uses the same).</remarks>
public static class BreakageEstimator
{
    /// <summary>Estimates breakage as of <paramref name="asOf"/> from account histories.</summary>
    /// <param name="histories">Each account's transactions in version order (one list per account).</param>
    /// <param name="asOf">The instant: transactions written after it are ignored; best at a month's start (the month before is then complete).</param>
    /// <param name="policy">The programme's expiry policy.</param>
    /// <param name="zone">The programme's time zone.</param>
    /// <returns>The report.</returns>
    public static BreakageReport Estimate(IEnumerable<IEnumerable<LedgerTransactionRecord>> histories, Instant asOf, ExpiryPolicy policy, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(histories);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(zone);
        var cohorts = new BreakageCohorts(zone);
        foreach (var history in histories)
        {
            AccountState? state = null;
            foreach (var tx in history)
            {
                if (tx.RecordedAt > asOf)
                {
                    break;
                }

                state ??= new AccountState(new LedgerAccountKey(tx.ProgramId, tx.MemberId), policy, zone);
                state.Apply(tx);
                cohorts.Add(tx, lot => state.Lots[lot].CreatedAt);
            }

            if (state is not null)
            {
                cohorts.AddOpenLots(state, asOf);
            }
        }

        return cohorts.Report(asOf);
    }

    /// <summary>The report from the cohorts' figures (oldest first), as of <paramref name="asOf"/>.</summary>
    internal static BreakageReport Report(SortedDictionary<YearMonth, Accumulator> cohorts, Instant asOf, DateTimeZone zone)
    {
        var last = YearMonthOf(asOf - Duration.Epsilon, zone);
        var list = cohorts.Where(p => p.Key <= last).Select(p => (Month: p.Key, Age: Age(p.Key, last), Data: p.Value)).ToList();
        var runOff = RunOff(list, skip: -1);
        var (ultimate, perCohort) = Ultimate(list, runOff, skip: -1);
        double? se = null;
        if (list.Count >= 3)
        {
            var estimates = new double[list.Count];
            for (var i = 0; i < list.Count; i++)
            {
                estimates[i] = Ultimate(list, RunOff(list, skip: i), skip: i).Rate;
            }

            var mean = estimates.Average();
            se = Math.Sqrt((list.Count - 1d) / list.Count * estimates.Sum(x => (x - mean) * (x - mean)));
        }

        return new BreakageReport
        {
            AsOf = asOf,
            Cohorts = list.Select((c, i) => new BreakageCohort
            {
                Month = c.Month,
                Issued = c.Data.Issued,
                Redeemed = c.Data.Redeemed,
                Expired = c.Data.Expired,
                Reversed = c.Data.Reversed,
                Debited = c.Data.Debited,
                Outstanding = c.Data.Outstanding,
                AgeMonths = c.Age,
                RedeemedByAge = Enumerable.Range(0, c.Age + 1).Select(k => c.Data.RedeemedAt(k)).ToArray(),
                UltimateRedeemed = perCohort[i],
            }).ToArray(),
            RunOff = runOff,
            UltimateRedemptionRate = ultimate,
            StandardError = se,
        };
    }

    private static double[] RunOff(List<(YearMonth Month, int Age, Accumulator Data)> cohorts, int skip)
    {
        var maxAge = cohorts.Count == 0 ? -1 : cohorts.Max(c => c.Age);
        var rates = new double[maxAge + 1];
        for (var k = 0; k <= maxAge; k++)
        {
            double redeemed = 0, basis = 0;
            for (var i = 0; i < cohorts.Count; i++)
            {
                if (i != skip && cohorts[i].Age >= k)
                {
                    redeemed += cohorts[i].Data.RedeemedAt(k);
                    basis += cohorts[i].Data.NetIssued;
                }
            }

            rates[k] = basis > 0 ? redeemed / basis : 0d;
        }

        return rates;
    }

    private static (double Rate, double[] PerCohort) Ultimate(List<(YearMonth Month, int Age, Accumulator Data)> cohorts, double[] runOff, int skip)
    {
        var per = new double[cohorts.Count];
        double ultimate = 0, basis = 0;
        for (var i = 0; i < cohorts.Count; i++)
        {
            var c = cohorts[i].Data;
            double future = 0;
            for (var k = cohorts[i].Age + 1; k < runOff.Length; k++)
            {
                future += runOff[k];
            }

            per[i] = c.Redeemed + Math.Min(Math.Max(0, c.NetIssued) * future, c.Outstanding);
            if (i != skip)
            {
                ultimate += per[i];
                basis += c.NetIssued;
            }
        }

        return (basis > 0 ? Math.Clamp(ultimate / basis, 0d, 1d) : 0d, per);
    }

    internal static YearMonth YearMonthOf(Instant instant, DateTimeZone zone)
    {
        var d = instant.InZone(zone).Date;
        return new YearMonth(d.Year, d.Month);
    }

    internal static int Age(YearMonth from, YearMonth to) => Math.Max(0, ((to.Year - from.Year) * 12) + to.Month - from.Month);

    /// <summary>One cohort's figures so far.</summary>
    internal sealed class Accumulator
    {
        private readonly List<long> byAge = [];

        public long Issued { get; set; }

        public long Redeemed { get; private set; }

        public long Expired { get; set; }

        public long Reversed { get; set; }

        public long Debited { get; set; }

        public long Outstanding { get; set; }

        public long NetIssued => Issued - Reversed - Debited;

        public void Redeem(int age, long points)
        {
            while (byAge.Count <= age)
            {
                byAge.Add(0);
            }

            byAge[age] += points;
            Redeemed += points;
        }

        public long RedeemedAt(int age) => age < byAge.Count ? byAge[age] : 0;

        /// <summary>Adds another account set's figures of the same cohort.</summary>
        public void Add(Accumulator other)
        {
            Issued += other.Issued;
            Expired += other.Expired;
            Reversed += other.Reversed;
            Debited += other.Debited;
            Outstanding += other.Outstanding;
            for (var age = 0; age < other.byAge.Count; age++)
            {
                Redeem(age, other.byAge[age]);
            }
        }
    }
}

/// <summary>
/// The issuance cohorts of <see cref="BreakageEstimator"/>, accumulated one transaction at a time
/// (each account's transactions in version order) and then from each account's open lots: the
/// estimator's own figures, which a replay can also feed as it writes instead of keeping the histories.
/// </summary>
internal sealed class BreakageCohorts(DateTimeZone zone)
{
    private readonly SortedDictionary<YearMonth, BreakageEstimator.Accumulator> cohorts = [];
    private Instant monthStart = Instant.MaxValue;
    private Instant monthEnd = Instant.MinValue;
    private YearMonth month;

    private YearMonth lastCohort;
    private BreakageEstimator.Accumulator? lastAccumulator;

    /// <summary>The cohort of month <paramref name="m"/> (the last one asked is remembered: a replay's earns ask mostly about one month).</summary>
    private BreakageEstimator.Accumulator Of(YearMonth m)
    {
        if (lastAccumulator is not null && lastCohort == m)
        {
            return lastAccumulator;
        }

        var a = cohorts.TryGetValue(m, out var found) ? found : cohorts[m] = new BreakageEstimator.Accumulator();
        lastCohort = m;
        lastAccumulator = a;
        return a;
    }

    /// <summary>The month of <paramref name="instant"/> in the zone (the last month asked is remembered: a replay asks mostly about one month).</summary>
    public YearMonth MonthOf(Instant instant)
    {
        if (instant >= monthStart && instant < monthEnd)
        {
            return month;
        }

        month = BreakageEstimator.YearMonthOf(instant, zone);
        monthStart = Internal.LocalCalendar.StartOfDay(month.OnDayOfMonth(1), zone);
        monthEnd = Internal.LocalCalendar.StartOfDay(month.PlusMonths(1).OnDayOfMonth(1), zone);
        return month;
    }

    /// <summary>Adds a transaction's movements to the cohorts of the lots they move; <paramref name="createdAt"/> gives a lot's creation instant.</summary>
    public void Add(LedgerTransactionRecord tx, Func<TransactionId, Instant> createdAt) => Add(tx, new Creations(createdAt));

    /// <summary>Adds a transaction's movements to the cohorts of the lots they move; <paramref name="lots"/> gives a lot's creation instant.</summary>
    public void Add<TLots>(LedgerTransactionRecord tx, TLots lots)
        where TLots : ILotCreations
    {
        if (tx.Movements.Count == 0)
        {
            return;
        }

        var at = MonthOf(tx.EffectiveAt);
        var movements = tx.Movements;
        for (var i = 0; i < movements.Count; i++)
        {
            var m = movements[i];
            var cohort = MonthOf(lots.CreatedAt(m.LotId));
            var c = Of(cohort);
            var age = BreakageEstimator.Age(cohort, at);
            switch (tx.Kind)
            {
                case LedgerTransactionKind.Earn:
                case LedgerTransactionKind.Adjust when m.Delta > 0:
                    c.Issued += m.Delta;
                    break;
                case LedgerTransactionKind.Redeem:
                case LedgerTransactionKind.Capture:
                case LedgerTransactionKind.Reverse when m.Delta > 0:
                    c.Redeem(age, -m.Delta);
                    break;
                case LedgerTransactionKind.Reverse:
                    c.Reversed -= m.Delta;
                    break;
                case LedgerTransactionKind.Expire:
                    c.Expired -= m.Delta;
                    break;
                case LedgerTransactionKind.Adjust:
                    c.Debited -= m.Delta;
                    break;
            }
        }
    }

    /// <summary>Adds the account's open lots at <paramref name="asOf"/>: expired by then (swept or not) or still outstanding.</summary>
    public void AddOpenLots(AccountState state, Instant asOf)
    {
        var deadline = state.InactivityDeadline;
        foreach (var lot in state.Lots.Values)
        {
            if (lot.Remaining <= 0)
            {
                continue;
            }

            var c = Of(MonthOf(lot.CreatedAt));
            if (state.EffectiveExpiry(lot, deadline) is { } e && e <= asOf)
            {
                c.Expired += lot.Remaining;
            }
            else
            {
                c.Outstanding += lot.Remaining;
            }
        }
    }

    /// <summary>Adds another set of accounts' cohorts (figures are sums: the order of the sets does not matter).</summary>
    public void Add(BreakageCohorts other)
    {
        foreach (var (m, a) in other.cohorts)
        {
            Of(m).Add(a);
        }
    }

    /// <summary>The estimate as of <paramref name="asOf"/>.</summary>
    public BreakageReport Report(Instant asOf) => BreakageEstimator.Report(cohorts, asOf, zone);

    /// <summary>Where a lot's creation instant is found.</summary>
    internal interface ILotCreations
    {
        /// <summary>The instant lot <paramref name="lot"/> was created.</summary>
        Instant CreatedAt(TransactionId lot);
    }

    private readonly struct Creations(Func<TransactionId, Instant> createdAt) : ILotCreations
    {
        public Instant CreatedAt(TransactionId lot) => createdAt(lot);
    }
}
