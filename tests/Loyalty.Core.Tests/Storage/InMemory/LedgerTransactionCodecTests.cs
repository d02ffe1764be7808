using FluentAssertions;
using FsCheck.Xunit;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Tests.Storage.InMemory;

/// <summary>
/// The in-memory ledger store keeps its transactions as bytes (<see cref="ByteArena{T}"/> with
/// <see cref="LedgerTransactionCodec"/>): every field reads back as written, present or absent, and the
/// arena's key is the recording instant, which its range read honours.
/// </summary>
public sealed class LedgerTransactionCodecTests
{
    private static readonly string[] Texts = ["goodwill", "agent 7", "geste commercial", "客服", "🎁", "x\uDC00"];

    [Property(MaxTest = 300)]
    public void A_transaction_reads_back_as_written(int seed)
    {
        var random = new Random(seed);
        var arena = Arena();
        var written = Enumerable.Range(0, 1 + random.Next(4)).Select(_ => RandomTransaction(random)).ToArray();
        var positions = written.Select(arena.Add).ToArray();

        for (var i = 0; i < written.Length; i++)
        {
            var read = arena[positions[i]];
            read.Should().BeEquivalentTo(written[i]);
            read.Should().Be(written[i] with { Movements = read.Movements }, "every field but the list's identity is equal, optional ones absent where they were absent");
            read.Movements.Should().Equal(written[i].Movements);
        }
    }

    [Fact]
    public void An_earn_takes_under_a_hundred_bytes()
    {
        var arena = Arena();
        var at = Instant.FromUtc(2026, 3, 2, 10, 0);
        for (var i = 0; i < 10_000; i++)
        {
            var id = TransactionId.From("order:o-" + i);
            arena.Add(new LedgerTransactionRecord
            {
                ProgramId = ProgramId.From("default"),
                MemberId = MemberId.From("m" + (i % 500)),
                Id = id,
                Version = 1 + (i / 500),
                Kind = LedgerTransactionKind.Earn,
                RecordedAt = at + Duration.FromSeconds(i),
                EffectiveAt = at + Duration.FromSeconds(i),
                Amount = 262,
                PendingPeriod = Duration.FromDays(14),
                AvailableAt = at + Duration.FromSeconds(i) + Duration.FromDays(14),
                Movements = [new LedgerLotMovement(id, 262)],
                ChainHash = LedgerHash.FromBytes(Enumerable.Range(0, LedgerHash.Size).Select(b => (byte)(b + i)).ToArray()),
            });
        }

        (arena.RecordBytes / 10_000.0).Should().BeLessThan(100);
    }

    [Fact]
    public void A_range_read_returns_the_live_records_of_the_range_in_position_order()
    {
        var arena = Arena();
        var t0 = Instant.FromUtc(2026, 1, 1, 0, 0);
        var positions = Enumerable.Range(0, 20).Select(i => arena.Add(Transaction("t" + i, t0 + Duration.FromHours(i % 10)))).ToArray();
        arena.Forget(positions[3]);

        var read = arena.WithKeyIn(t0.ToUnixTimeTicks() + 1, (t0 + Duration.FromHours(4)).ToUnixTimeTicks()).Select(t => t.Id.Value);

        read.Should().Equal("t1", "t2", "t11", "t12", "t13");
        arena.WithKeyIn(5, 5).Should().BeEmpty();
        arena.Find(positions[3]).Should().BeNull();
        arena.Find(positions[4])!.Id.Should().Be(TransactionId.From("t4"));
    }

    [Fact]
    public void An_arena_without_keys_refuses_a_range_read()
    {
        var arena = new ByteArena<LedgerTransactionRecord>(LedgerTransactionCodec.Instance);

        var read = () => arena.WithKeyIn(0, 10);

        read.Should().Throw<InvalidOperationException>().WithMessage("This arena keeps no key per record; make it keyed to read a range of keys.");
    }

    [Fact]
    public void A_record_forgotten_twice_is_refused_the_second_time()
    {
        var arena = Arena();
        var position = arena.Add(Transaction("t1", Instant.FromUtc(2026, 1, 1, 0, 0)));
        arena.Forget(position);

        var again = () => arena.Forget(position);

        again.Should().Throw<InvalidOperationException>().WithMessage("The record at position 0 was forgotten (its member or account was rewritten).");
    }

    private static ByteArena<LedgerTransactionRecord> Arena() => new(LedgerTransactionCodec.Instance, keyed: true);

    private static LedgerTransactionRecord Transaction(string id, Instant at) => new()
    {
        ProgramId = ProgramId.From("club"),
        MemberId = MemberId.From("alice"),
        Id = TransactionId.From(id),
        Version = 1,
        Kind = LedgerTransactionKind.Earn,
        RecordedAt = at,
        EffectiveAt = at,
        Amount = 10,
    };

    private static LedgerTransactionRecord RandomTransaction(Random random)
    {
        Instant At() => RandomValues.Instant(random);
        long Long() => RandomValues.Long(random);
        bool Maybe() => random.Next(2) == 0;
        var id = TransactionId.From("tx-" + random.Next(1000) + (Maybe() ? "é" : string.Empty));
        var recordedAt = At();
        var hash = new byte[LedgerHash.Size];
        random.NextBytes(hash);
        return new LedgerTransactionRecord
        {
            ProgramId = random.Next(10) == 0 ? default : ProgramId.From(Maybe() ? "club" : "coalition-✓"),
            MemberId = MemberId.From("member-" + random.Next(50)),
            Id = id,
            Version = Long(),
            Kind = (LedgerTransactionKind)(1 + random.Next(8)),
            RecordedAt = recordedAt,
            EffectiveAt = Maybe() ? recordedAt : At(),
            Amount = Long(),
            RelatedId = random.Next(3) switch { 0 => null, 1 => default(TransactionId), _ => TransactionId.From("original-" + random.Next(9)) },
            PendingPeriod = Maybe() ? null : Duration.FromNanoseconds(random.NextInt64(-1_000_000_000_000_000L, 1_000_000_000_000_000L)),
            RequestedExpiresAt = Maybe() ? null : At(),
            IsWholeCapture = Maybe(),
            AvailableAt = Maybe() ? null : At(),
            ExpiresAt = Maybe() ? null : At(),
            Reason = Maybe() ? null : Texts[random.Next(Texts.Length)],
            Actor = Maybe() ? null : Texts[random.Next(Texts.Length)],
            Applied = Maybe() ? 0 : Long(),
            DebtChange = Maybe() ? 0 : Long(),
            WrittenOff = Maybe() ? 0 : Long(),
            Movements = Enumerable.Range(0, random.Next(4)).Select(i => new LedgerLotMovement(random.Next(3) == 0 ? id : random.Next(5) == 0 ? default : TransactionId.From("lot-" + i), Long())).ToArray(),
            Merchant = random.Next(3) switch { 0 => null, 1 => default(MerchantId), _ => MerchantId.From("shop-" + random.Next(9)) },
            ChainHash = Maybe() ? default : LedgerHash.FromBytes(hash),
        };
    }
}
