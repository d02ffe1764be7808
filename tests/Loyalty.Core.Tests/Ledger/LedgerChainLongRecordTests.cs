using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Tests.Ledger;

/// <summary>
/// Links of records of every length around the sizes where the link's working buffer changes (the stack
/// buffer's limit and the pooled arrays' sizes): each must hash exactly as the documented canonical form,
/// written here independently, whatever mix of multi-byte text and lot movements makes it long.
/// </summary>
public class LedgerChainLongRecordTests
{
    private static readonly Instant At = Instant.FromUtc(2026, 3, 15, 10, 0);

    // Three UTF-8 bytes each: the records below grow in steps of three bytes with the reason.
    private const char Euro = '\u20AC';

    private static string Text(int length, char c = Euro) => new(c, length);

    private static LedgerTransactionRecord Full(string reason, int movements) => new()
    {
        ProgramId = ProgramId.From(Text(4)), MemberId = MemberId.From(Text(5)), Id = TransactionId.From(Text(6)), Version = 9,
        Kind = LedgerTransactionKind.Capture, RecordedAt = At, EffectiveAt = At, Amount = -70, Applied = -70, DebtChange = 1, WrittenOff = 2,
        RelatedId = TransactionId.From(Text(3)), PendingPeriod = Duration.FromDays(1), RequestedExpiresAt = At + Duration.FromDays(40),
        IsWholeCapture = true, AvailableAt = At + Duration.FromDays(1), ExpiresAt = At + Duration.FromDays(50), Reason = reason, Actor = Text(2),
        Movements = [.. Enumerable.Range(1, movements).Select(i => new LedgerLotMovement(TransactionId.From(Text(i % 3 + 1)), -i))],
        Merchant = MerchantId.From(Text(3)),
    };

    private static LedgerTransactionRecord LongIds(string reason) => new()
    {
        ProgramId = ProgramId.From(Text(40)), MemberId = MemberId.From(Text(60)), Id = TransactionId.From(Text(70)), Version = 2,
        Kind = LedgerTransactionKind.Adjust, RecordedAt = At, EffectiveAt = At, Amount = 10, Applied = 10,
        AvailableAt = At, Reason = reason, Actor = Text(1, 'a'),
        Movements = [new LedgerLotMovement(TransactionId.From(Text(80)), 10)],
        Merchant = MerchantId.From(Text(50)),
    };

    [Fact]
    public void Records_of_every_length_around_the_buffer_sizes_hash_as_their_canonical_form()
    {
        var previous = LedgerHash.FromBytes(Enumerable.Range(1, LedgerHash.Size).Select(i => (byte)i).ToArray());
        var checkedLengths = new HashSet<int>();
        foreach (var movements in new[] { 0, 1, 12 })
        {
            for (var length = 0; length <= 500; length++)
            {
                var record = Full(Text(length), movements);
                LedgerChain.Compute(previous, record).Should().Be(Reference(previous, record, out var size), $"{movements} movements, a reason of {length} characters");
                checkedLengths.Add(size);
            }
        }

        for (var length = 0; length <= 500; length++)
        {
            var record = LongIds(Text(length));
            LedgerChain.Compute(previous, record).Should().Be(Reference(previous, record, out var size), $"long ids, a reason of {length} characters");
            checkedLengths.Add(size);
        }

        checkedLengths.Should().Contain(s => s > 768 && s <= 771).And.Contain(s => s > 1024 && s <= 1027);
    }

    /// <summary>The documented canonical form, big-endian, with SHA-256 over it.</summary>
    private static LedgerHash Reference(LedgerHash previous, LedgerTransactionRecord tx, out int size)
    {
        var bytes = new List<byte> { 1 };
        var link = new byte[LedgerHash.Size];
        previous.CopyTo(link);
        bytes.AddRange(link);
        AddText(tx.ProgramId.Value);
        AddText(tx.MemberId.Value);
        AddText(tx.Id.Value);
        AddInt64(tx.Version);
        AddInt32((int)tx.Kind);
        AddInt64(tx.RecordedAt.ToUnixTimeTicks());
        AddInt64(tx.EffectiveAt.ToUnixTimeTicks());
        AddInt64(tx.Amount);
        AddInt64(tx.Applied);
        AddInt64(tx.DebtChange);
        AddInt64(tx.WrittenOff);
        bytes.Add((byte)((tx.RelatedId is null ? 0 : 1) | (tx.PendingPeriod is null ? 0 : 2) | (tx.RequestedExpiresAt is null ? 0 : 4)
            | (tx.IsWholeCapture ? 8 : 0) | (tx.AvailableAt is null ? 0 : 16) | (tx.ExpiresAt is null ? 0 : 32)
            | (tx.Reason is null ? 0 : 64) | (tx.Actor is null ? 0 : 128)));
        if (tx.RelatedId is { } related)
        {
            AddText(related.Value);
        }

        if (tx.PendingPeriod is { } pending)
        {
            AddInt64(pending.BclCompatibleTicks);
        }

        foreach (var instant in new[] { tx.RequestedExpiresAt, tx.AvailableAt, tx.ExpiresAt })
        {
            if (instant is { } i)
            {
                AddInt64(i.ToUnixTimeTicks());
            }
        }

        if (tx.Reason is { } reason)
        {
            AddText(reason);
        }

        if (tx.Actor is { } actor)
        {
            AddText(actor);
        }

        AddInt32(tx.Movements.Count);
        foreach (var m in tx.Movements)
        {
            AddText(m.LotId.Value);
            AddInt64(m.Delta);
        }

        if (tx.Merchant is { } merchant)
        {
            bytes.Add(0x4D);
            AddText(merchant.Value);
        }

        size = bytes.Count;
        return LedgerHash.FromBytes(SHA256.HashData(bytes.ToArray()));

        void AddInt32(int value)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, value);
            bytes.AddRange(b);
        }

        void AddInt64(long value)
        {
            var b = new byte[8];
            BinaryPrimitives.WriteInt64BigEndian(b, value);
            bytes.AddRange(b);
        }

        void AddText(string value)
        {
            var utf8 = Encoding.UTF8.GetBytes(value);
            AddInt32(utf8.Length);
            bytes.AddRange(utf8);
        }
    }
}
