using BenchmarkDotNet.Attributes;
using Loyalty.Core.Coalition;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// Settlement of one month: 1,000,000 ledger transactions (earns, redemptions, reversals, expiries)
/// over 50 partners, in memory. <see cref="SettlementCalculator"/> (one pass, lines aggregated per
/// partner, agreement found by instant) against a naive LINQ baseline that groups by partner and
/// looks each transaction's agreement and references up by scanning.
/// </summary>
[MemoryDiagnoser]
public class SettlementBenchmarks
{
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    private readonly SettlementPeriod period = SettlementPeriod.FromMonth(2026, 1);
    private Partner[] partners = [];
    private Dictionary<MerchantId, IReadOnlyList<PartnerAgreement>> agreements = [];
    private LedgerTransactionRecord[] transactions = [];
    private Dictionary<TransactionId, LedgerTransactionRecord> references = [];

    /// <summary>The transactions in the month.</summary>
    [Params(1_000_000)]
    public int Transactions { get; set; }

    /// <summary>Builds the month: 70 % earns, 20 % redemptions, 5 % reversals of earlier earns, 5 % expiries of earlier lots.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(17);
        var program = ProgramId.From("miles");
        partners = Enumerable.Range(0, 50).Select(i => new Partner { Id = MerchantId.From("p" + i), Name = "Partner " + i, Currency = Currency.EUR, JoinedOn = new LocalDate(2025, 1, 1) }).ToArray();
        agreements = partners.ToDictionary(p => p.Id, p => (IReadOnlyList<PartnerAgreement>)
        [
            new PartnerAgreement { Merchant = p.Id, Version = 1, EffectiveFrom = new LocalDate(2025, 1, 1), EffectiveUntil = new LocalDate(2026, 1, 15), Currency = Currency.EUR, IssuancePricePerPoint = 0.01m, RedemptionReimbursementPerPoint = 0.008m },
            new PartnerAgreement { Merchant = p.Id, Version = 2, EffectiveFrom = new LocalDate(2026, 1, 15), Currency = Currency.EUR, IssuancePricePerPoint = 0.012m, BillingPercentage = 90m, RedemptionReimbursementPerPoint = 0.009m },
        ]);
        var start = period.StartIn(Paris);
        var earlier = new List<LedgerTransactionRecord>();
        for (var i = 0; i < 20_000; i++)
        {
            var at = start - Duration.FromDays(30 + random.Next(300));
            var id = TransactionId.From("old:" + i);
            earlier.Add(Record(program, id, "m" + random.Next(200_000), LedgerTransactionKind.Earn, at, 100, partners[random.Next(50)].Id, [new LedgerLotMovement(id, 100)]));
        }

        references = earlier.ToDictionary(t => t.Id);
        transactions = new LedgerTransactionRecord[Transactions];
        for (var i = 0; i < transactions.Length; i++)
        {
            var at = start + Duration.FromSeconds(random.Next(31 * 86_400 - 1));
            var id = TransactionId.From("t:" + i);
            var member = "m" + random.Next(200_000);
            var merchant = partners[random.Next(50)].Id;
            var roll = random.Next(100);
            transactions[i] = roll switch
            {
                < 70 => Record(program, id, member, LedgerTransactionKind.Earn, at, 10 + random.Next(500), merchant, [new LedgerLotMovement(id, 10 + random.Next(500))]),
                < 90 => Record(program, id, member, LedgerTransactionKind.Redeem, at, 100, merchant, [new LedgerLotMovement(earlier[random.Next(earlier.Count)].Id, -100)]),
                < 95 => Record(program, id, member, LedgerTransactionKind.Reverse, at, 20, null, [new LedgerLotMovement(earlier[random.Next(earlier.Count)].Id, -20)]) with { RelatedId = earlier[random.Next(earlier.Count)].Id, Applied = 20 },
                _ => Record(program, id, member, LedgerTransactionKind.Expire, at, 30, null, [new LedgerLotMovement(earlier[random.Next(earlier.Count)].Id, -30)]),
            };

            // An earn's movement is its own lot's creation with the amount.
            if (transactions[i].Kind == LedgerTransactionKind.Earn)
            {
                transactions[i] = transactions[i] with { Movements = [new LedgerLotMovement(id, transactions[i].Amount)] };
            }
        }
    }

    /// <summary>The library's calculator.</summary>
    /// <returns>The run.</returns>
    [Benchmark]
    public SettlementRun Calculator() => SettlementCalculator.Compute(period, Paris, partners, agreements, [], transactions, references);

    /// <summary>A naive settlement: LINQ group-by per partner and kind, each transaction's agreement found by converting its instant to a local date, references looked up in one merged dictionary built per run.</summary>
    /// <returns>The billed amount over every partner.</returns>
    [Benchmark(Baseline = true)]
    public decimal NaiveLinq()
    {
        var all = transactions.Concat(references.Values).ToDictionary(t => t.Id);
        var rows = transactions.SelectMany(t => t.Kind switch
        {
            LedgerTransactionKind.Earn => [new Row(t.Merchant!.Value, 1, t.RecordedAt, t.Amount)],
            LedgerTransactionKind.Redeem => [new Row(t.Merchant!.Value, 3, t.RecordedAt, t.Amount)],
            LedgerTransactionKind.Reverse => [new Row(all[t.RelatedId!.Value].Merchant!.Value, 2, all[t.RelatedId!.Value].RecordedAt, t.Applied)],
            LedgerTransactionKind.Expire => t.Movements.Select(m => new Row(all[m.LotId].Merchant!.Value, 5, t.RecordedAt, -m.Delta)),
            _ => Enumerable.Empty<Row>(),
        });
        decimal billed = 0;
        foreach (var line in rows.GroupBy(r => (r.Merchant, r.Kind, Version: agreements[r.Merchant].First(a => a.IsInForceOn(r.At.InZone(Paris).Date)).Version)))
        {
            var agreement = agreements[line.Key.Merchant].First(a => a.Version == line.Key.Version);
            var points = line.Sum(r => r.Points);
            billed += line.Key.Kind switch
            {
                1 => agreement.IssuanceAmount(points),
                2 => -agreement.IssuanceAmount(points),
                3 => -agreement.ReimbursementAmount(points),
                _ => 0m,
            };
        }

        return billed;
    }

    private readonly record struct Row(MerchantId Merchant, int Kind, Instant At, long Points);

    private static LedgerTransactionRecord Record(ProgramId program, TransactionId id, string member, LedgerTransactionKind kind, Instant at, long amount, MerchantId? merchant, IReadOnlyList<LedgerLotMovement> movements) => new()
    {
        ProgramId = program,
        MemberId = MemberId.From(member),
        Id = id,
        Version = 1,
        Kind = kind,
        RecordedAt = at,
        EffectiveAt = at,
        Amount = amount,
        Merchant = merchant,
        Movements = movements,
    };
}
