using FluentAssertions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Coalition;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;
using Xunit;
using static Loyalty.Core.Tests.Coalition.CoalitionHarness;

namespace Loyalty.Core.Tests.Coalition;

public sealed class SettlementCalculatorTests
{
    private static readonly MerchantId?[] Merchants = [Grocer, Bookshop, Travel, null];
    private static readonly MemberId[] Members = [MemberId.From("m0"), MemberId.From("m1"), MemberId.From("m2")];

    public enum Step
    {
        Earn,
        EarnAvailable,
        Redeem,
        ReverseEarn,
        ReverseRedeem,
        Credit,
        Debit,
        HoldAndCapture,
        Expire,
    }

    /// <summary>Random histories: 5 to 40 steps over three months, three members, three partners and the programme's own shop.</summary>
    public static class Arbitraries
    {
        public static Arbitrary<(Step Step, int Hour, int Member, int Merchant, int Amount)[]> Histories() =>
            Gen.ArrayOf(
                    from step in Gen.Elements(Enum.GetValues<Step>())
                    from hour in Gen.Choose(0, 89 * 24)
                    from member in Gen.Choose(0, Members.Length - 1)
                    from merchant in Gen.Choose(0, Merchants.Length - 1)
                    from amount in Gen.Choose(1, 400)
                    select (step, hour, member, merchant, amount))
                .Where(a => a.Length is >= 5 and <= 40)
                .ToArbitrary();
    }

    [Property(MaxTest = 30 / PropertyRuns.Divisor, Arbitrary = [typeof(Arbitraries)])]
    public Property Every_period_reconciles_with_the_change_of_outstanding_points((Step Step, int Hour, int Member, int Merchant, int Amount)[] history, bool allowNegative)
    {
        using var h = new CoalitionHarness(expiryMonths: 1, o => o.Ledger.ShortfallPolicy = allowNegative ? ShortfallPolicy.AllowNegative : ShortfallPolicy.WithinBalance);
        h.ConfigureAsync(
            (PartnerOf(Grocer, "Grocer", Currency.EUR), PerPoint(Grocer, Currency.EUR, 0.01m, reimbursement: 0.008m)),
            (PartnerOf(Bookshop, "Bookshop", Currency.EUR), PerPoint(Bookshop, Currency.EUR, 0.012m, 90m, 0.009m)),
            (PartnerOf(Travel, "Travel", Currency.USD), PerPoint(Travel, Currency.USD, 0.015m, reimbursement: 0.01m))).GetAwaiter().GetResult();
        var start = At(2026, 1, 1, 0);
        var boundaries = new[] { At(2026, 2, 1, 0), At(2026, 3, 1, 0), At(2026, 4, 1, 0) };
        var outstanding = new List<long> { 0 };
        var earns = new List<(MemberId Member, TransactionId Id)>();
        var spends = new List<(MemberId Member, TransactionId Id)>();
        var n = 0;
        foreach (var (step, hour, member, merchant, amount) in history.OrderBy(s => s.Hour))
        {
            var at = start + Duration.FromHours(hour) + Duration.FromSeconds(++n);
            while (outstanding.Count <= boundaries.Length && at >= boundaries[outstanding.Count - 1])
            {
                outstanding.Add(h.OutstandingAsync(Members).GetAwaiter().GetResult());
            }

            h.AdvanceTo(at);
            Apply(h, step, Members[member], Merchants[merchant], amount, "t" + n, earns, spends);
        }

        while (outstanding.Count <= boundaries.Length)
        {
            outstanding.Add(h.OutstandingAsync(Members).GetAwaiter().GetResult());
        }

        h.AdvanceTo(At(2026, 4, 2));
        var failures = new List<string>();
        for (var month = 1; month <= 3; month++)
        {
            var run = h.Coalition.SettleAsync(SettlementPeriod.FromMonth(2026, month)).GetAwaiter().GetResult();
            var change = outstanding[month] - outstanding[month - 1];
            var r = run.Reconciliation;
            if (r.OutstandingChange != change || !r.PointsBalance || r.Partners.OutstandingChange + r.Operator.OutstandingChange != change)
            {
                failures.Add($"{run.Period}: ledger heads changed by {change}, settlement says {r.OutstandingChange} (partners {r.Partners.OutstandingChange}, programme {r.Operator.OutstandingChange})");
            }

            foreach (var currency in run.Statements.GroupBy(s => s.Currency))
            {
                var margin = r.Margin.Single(m => m.Currency == currency.Key).Amount;
                if (margin != currency.Sum(s => s.Billed - s.Reimbursed))
                {
                    failures.Add($"{run.Period}: margin {margin} {currency.Key} is not billed − reimbursed");
                }
            }
        }

        return (failures.Count == 0).Label(string.Join("; ", failures));
    }

    [Fact]
    public void A_late_transaction_recorded_in_the_settled_period_is_refused()
    {
        var tx = Earn("order:X", At(2026, 2, 5), Grocer, 10);
        var act = () => SettlementCalculator.Compute(February, Paris, [PartnerOf(Grocer, "Grocer", Currency.EUR)], new Dictionary<MerchantId, IReadOnlyList<PartnerAgreement>>(), [], [], [tx], new Dictionary<TransactionId, LedgerTransactionRecord>());
        act.Should().Throw<ArgumentException>().WithMessage(
            $"Transaction 'order:X' is passed as late but is recorded at {At(2026, 2, 5)}, not before 2026-02 starts; pass it among the period's transactions. (Parameter 'late')");
    }

    [Fact]
    public void A_transaction_of_a_merchant_that_is_not_a_partner_is_reported()
    {
        var zone = Paris;
        var tx = Earn("order:X", At(2026, 1, 5), MerchantId.From("ghost"), 10);
        var act = () => SettlementCalculator.Compute(January, zone, [], new Dictionary<MerchantId, IReadOnlyList<PartnerAgreement>>(), [], [tx], new Dictionary<TransactionId, LedgerTransactionRecord>());
        act.Should().Throw<InvalidOperationException>().WithMessage(
            "Transaction 'order:X' of member 'm0' names merchant 'ghost', which is not a partner registered by the end of 2026-01; register it, then settle again.");
    }

    [Fact]
    public void A_transaction_on_a_day_no_agreement_covers_is_reported()
    {
        var partner = PartnerOf(Grocer, "Grocer", Currency.EUR);
        var agreement = PerPoint(Grocer, Currency.EUR, 0.01m) with { EffectiveFrom = new LocalDate(2026, 1, 10) };
        var tx = Earn("order:G", At(2026, 1, 5), Grocer, 10);
        var act = () => SettlementCalculator.Compute(January, Paris, [partner], new Dictionary<MerchantId, IReadOnlyList<PartnerAgreement>> { [Grocer] = [agreement] }, [], [tx], new Dictionary<TransactionId, LedgerTransactionRecord>());
        act.Should().Throw<InvalidOperationException>().WithMessage(
            "Transaction 'order:G' of member 'm0' at partner 'grocer' falls on 2026-01-05, which no agreement version of the partner covers; add a version covering that day, then settle again.");
    }

    [Fact]
    public void A_reversal_whose_original_is_not_passed_is_reported()
    {
        var reversal = Earn("refund:R", At(2026, 1, 5), Grocer, 10) with { Kind = LedgerTransactionKind.Reverse, RelatedId = TransactionId.From("order:old") };
        SettlementCalculator.MissingReferences([reversal]).Should().Equal(TransactionId.From("order:old"));
        var act = () => SettlementCalculator.Compute(January, Paris, [PartnerOf(Grocer, "Grocer", Currency.EUR)], new Dictionary<MerchantId, IReadOnlyList<PartnerAgreement>>(), [], [reversal], new Dictionary<TransactionId, LedgerTransactionRecord>());
        act.Should().Throw<InvalidOperationException>().WithMessage(
            "Transaction 'order:old' is referred to by a reversal or an expiry of 2026-01 but was not found; pass every id of SettlementCalculator.MissingReferences as a reference.");
    }

    private static LedgerTransactionRecord Earn(string id, Instant at, MerchantId? merchant, long amount) => new()
    {
        ProgramId = ProgramId.From("miles"),
        MemberId = Members[0],
        Id = TransactionId.From(id),
        Version = 1,
        Kind = LedgerTransactionKind.Earn,
        RecordedAt = at,
        EffectiveAt = at,
        Amount = amount,
        Movements = [new LedgerLotMovement(TransactionId.From(id), amount)],
        Merchant = merchant,
    };

    private static void Apply(CoalitionHarness h, Step step, MemberId member, MerchantId? merchant, int amount, string id, List<(MemberId, TransactionId)> earns, List<(MemberId, TransactionId)> spends)
    {
        var ledger = h.Ledger;
        var tx = TransactionId.From(id);
        LedgerResult? result = null;
        switch (step)
        {
            case Step.Earn:
            case Step.EarnAvailable:
                result = ledger.EarnAsync(new EarnPoints(tx, member, P(amount)) { Merchant = merchant, PendingPeriod = step == Step.EarnAvailable ? Duration.Zero : null }).GetAwaiter().GetResult();
                if (result.Succeeded)
                {
                    earns.Add((member, tx));
                }

                break;
            case Step.Redeem:
                result = ledger.RedeemAsync(new RedeemPoints(tx, member, P(amount)) { Merchant = merchant }).GetAwaiter().GetResult();
                if (result.Succeeded)
                {
                    spends.Add((member, tx));
                }

                break;
            case Step.HoldAndCapture:
                if (ledger.HoldAsync(new HoldPoints(tx, member, P(amount)) { Merchant = merchant }).GetAwaiter().GetResult().Succeeded)
                {
                    var capture = TransactionId.From(id + "-capture");
                    if (ledger.CaptureAsync(new CaptureHold(capture, member, tx, P(Math.Max(1, amount / 2))) { Merchant = merchant }).GetAwaiter().GetResult().Succeeded)
                    {
                        spends.Add((member, capture));
                    }
                }

                break;
            case Step.ReverseEarn when earns.Count > 0:
                var (earner, earn) = earns[amount % earns.Count];
                ledger.ReverseAsync(new ReversePoints(tx, earner, earn, P(1 + (amount % 60)))).GetAwaiter().GetResult();
                break;
            case Step.ReverseRedeem when spends.Count > 0:
                var (spender, spend) = spends[amount % spends.Count];
                ledger.ReverseAsync(new ReversePoints(tx, spender, spend, P(1 + (amount % 30)))).GetAwaiter().GetResult();
                break;
            case Step.Credit:
                var credited = ledger.AdjustAsync(new AdjustPoints(tx, member, AdjustmentDirection.Credit, P(amount), "goodwill", "agent") { Merchant = merchant }).GetAwaiter().GetResult();
                if (credited.Succeeded)
                {
                    earns.Add((member, tx));
                }

                break;
            case Step.Debit:
                ledger.AdjustAsync(new AdjustPoints(tx, member, AdjustmentDirection.Debit, P(amount), "correction", "agent") { Merchant = merchant }).GetAwaiter().GetResult();
                break;
            case Step.Expire:
                ledger.ExpireDueAsync(h.Clock.GetCurrentInstant()).GetAwaiter().GetResult();
                break;
        }
    }
}
