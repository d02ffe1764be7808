using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using NodaTime;

namespace Loyalty.Core.Tests.Storage.InMemory;

/// <summary>
/// An account's lots in the in-memory ledger store: found by id whether the account has a few lots (scanned)
/// or many (through a map by hash), when ids' hashes collide, and listed open or closed as their points go.
/// </summary>
public sealed class LotIndexTests
{
    private static readonly Instant At = Instant.FromUtc(2026, 3, 2, 10, 0);

    [Theory]
    [InlineData(false, 10)]
    [InlineData(false, 100)]
    [InlineData(true, 10)]
    [InlineData(true, 100)]
    public void Every_lot_is_found_and_listed_open_until_it_is_spent(bool colliding, int lots)
    {
        var log = new RecordArena<LedgerLotRecord>();
        var index = new LotIndex(colliding ? static id => id.Value.Length : null);
        for (var i = 0; i < lots; i++)
        {
            index.Set(log, Lot(i, remaining: 10));
        }

        var written = Enumerable.Range(0, lots).Select(i => index.Find(log, Id(i))).ToArray();
        for (var i = 0; i < lots; i += 3)
        {
            index.Set(log, Lot(i, remaining: 0));
        }

        index.Find(log, TransactionId.From("missing")).Should().Be(-1);
        for (var i = 0; i < lots; i++)
        {
            var position = index.Find(log, Id(i));
            position.Should().BeGreaterThanOrEqualTo(0, "lot {0} was written", i);
            log[position].LotId.Should().Be(Id(i));
            log[position].Remaining.Should().Be(i % 3 == 0 ? 0 : 10);
        }

        var open = Enumerable.Range(0, lots).Where(i => i % 3 != 0).Select(Id).ToArray();
        index.OpenCount.Should().Be(open.Length);
        index.ReadOpen(log).Select(l => l.LotId).Should().Equal(open, "in the order the lots were first written");
        index.All.Select(p => log[p].LotId).Should().Equal(Enumerable.Range(0, lots).Select(Id));
        Enumerable.Range(0, lots).Select(i => index.Find(log, Id(i))).Should().Equal(written, "a changed lot is written again at its position");

        index.Set(log, Lot(0, remaining: 5));
        index.OpenCount.Should().Be(open.Length + 1);
        index.ReadOpen(log)[0].Should().Match<LedgerLotRecord>(l => l.LotId == Id(0) && l.Remaining == 5, "a lot open again keeps its place");
    }

    [Fact]
    public void A_forgotten_index_drops_its_lots_from_the_log()
    {
        var log = new RecordArena<LedgerLotRecord>();
        var index = new LotIndex();
        var positions = Enumerable.Range(0, 40).Select(i =>
        {
            index.Set(log, Lot(i, remaining: 10));
            return index.Find(log, Id(i));
        }).ToArray();

        index.Forget(log);

        index.OpenCount.Should().Be(0);
        index.ReadOpen(log).Should().BeEmpty();
        index.All.Should().BeEmpty();
        index.Find(log, Id(3)).Should().Be(-1);
        var read = () => log[positions[3]];
        read.Should().Throw<InvalidOperationException>().WithMessage($"The record at position {positions[3]} was forgotten (its member or account was rewritten).");
    }

    private static TransactionId Id(int i) => TransactionId.From("order:" + i);

    private static LedgerLotRecord Lot(int i, long remaining) => new()
    {
        LotId = Id(i), Sequence = i + 1, OriginalAmount = 10, Remaining = remaining, CreatedAt = At, AvailableAt = At,
    };
}
