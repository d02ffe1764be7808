using BenchmarkDotNet.Attributes;
using Loyalty.Core.Cards;
using Loyalty.Core.Configuration;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage.InMemory;
using NodaTime;

namespace Loyalty.Core.Benchmarks;

/// <summary>
/// The member behind a scanned card, in memory, among 20,000 linked cards: the whole path a till takes
/// (<see cref="LoyaltyCards.FindMemberAsync"/>: EAN-13 parse with its check digit, store look-up, result)
/// and the store look-up alone, against a plain <see cref="Dictionary{TKey, TValue}"/> from the number's
/// string to the member (baseline: no check, no status).
/// </summary>
[MemoryDiagnoser]
public class CardBenchmarks
{
    private const int Cards = 20_000;
    private readonly Dictionary<string, MemberId> plain = new(StringComparer.Ordinal);
    private LoyaltyCards cards = null!;
    private InMemoryCardStore store = null!;
    private ProgramSettings settings = null!;
    private string[] numbers = [];
    private int next;

    [GlobalSetup]
    public void Setup()
    {
        settings = new LoyaltyOptions { ProgramId = "bench" }.ToProgramSettings();
        var scheme = CardNumberScheme.Create("400638", 13, CheckDigitAlgorithm.Ean13);
        store = new InMemoryCardStore();
        var members = new InMemoryMemberStore();
        cards = new LoyaltyCards(new FixedClock(Instant.FromUtc(2026, 3, 2, 9, 0)), settings, scheme, store, members);
        var random = new Random(42);
        numbers = new string[Cards];
        for (var i = 0; i < Cards; i++)
        {
            var number = scheme.FromSerial(i * 7L);
            var member = MemberId.From("member-" + i);
            store.AddCardAsync(new CardRecord
            {
                ProgramId = settings.ProgramId,
                Number = number,
                MemberId = member,
                Kind = CardKind.Physical,
                Status = CardStatus.Active,
                Version = 1,
                History = [new CardStatusChange(CardEvent.Linked, Instant.FromUtc(2026, 3, 2, 9, 0), "till")],
            }).AsTask().GetAwaiter().GetResult();
            plain[number.Value] = member;
            numbers[i] = number.Value;
        }

        random.Shuffle(numbers);
    }

    private string Next() => numbers[next++ % Cards];

    [Benchmark(Baseline = true)]
    public MemberId PlainDictionary() => plain[Next()];

    [Benchmark]
    public MemberId StoreLookup() => store.FindCardAsync(settings.ProgramId, CardNumber.FromDigits(Next())).Result!.MemberId;

    [Benchmark]
    public MemberId FindMemberByScan() => cards.FindMemberAsync(Next()).Result.Value!.MemberId;

    private sealed class FixedClock(Instant now) : IClock
    {
        public Instant GetCurrentInstant() => now;
    }
}
