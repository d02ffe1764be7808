using System.Collections.Concurrent;
using Loyalty.Core.Cards;
using Loyalty.Core.DataRights;
using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>A thread-safe, in-process <see cref="ICardStore"/>: the default store.</summary>
/// <remarks>Reads are lock-free (a scan is one dictionary look-up); writes take one lock, so a replacement blocks the old card and adds the new one together.</remarks>
public sealed class InMemoryCardStore : ICardStore, ICardDataStore
{
    private readonly object gate = new();
    private readonly ConcurrentDictionary<(ProgramId, CardNumber), CardRecord> cards = new();
    private readonly Dictionary<(ProgramId, MemberId), List<CardNumber>> byMember = [];
    private readonly Dictionary<ProgramId, List<CardRange>> ranges = [];

    /// <inheritdoc />
    public ValueTask<CardRangeImportResult> ImportRangeAsync(CardRange range, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(range);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!ranges.TryGetValue(range.ProgramId, out var list))
            {
                ranges[range.ProgramId] = list = [];
            }

            foreach (var existing in list)
            {
                if (string.Equals(existing.RangeId, range.RangeId, StringComparison.Ordinal))
                {
                    return new(new CardRangeImportResult(existing.SameDefinition(range) ? CardRangeImportStatus.Exists : CardRangeImportStatus.Overlaps, existing));
                }
            }

            foreach (var existing in list)
            {
                if (existing.Overlaps(range))
                {
                    return new(new CardRangeImportResult(CardRangeImportStatus.Overlaps, existing));
                }
            }

            list.Add(range with { Taken = 0 });
            list.Sort((a, b) => a.FirstSerial.CompareTo(b.FirstSerial));
            return new(new CardRangeImportResult(CardRangeImportStatus.Added));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<CardRange>> ListRangesAsync(ProgramId programId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return new(ranges.TryGetValue(programId, out var list) ? list.ToArray() : []);
        }
    }

    /// <inheritdoc />
    public ValueTask<long?> TakeNextSerialAsync(ProgramId programId, string rangeId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!ranges.TryGetValue(programId, out var list))
            {
                return new((long?)null);
            }

            var at = list.FindIndex(r => string.Equals(r.RangeId, rangeId, StringComparison.Ordinal));
            if (at < 0 || list[at].Kind != CardKind.Virtual || list[at].Taken >= list[at].Count)
            {
                return new((long?)null);
            }

            var range = list[at];
            list[at] = range with { Taken = range.Taken + 1 };
            return new(range.FirstSerial + range.Taken);
        }
    }

    /// <inheritdoc />
    public ValueTask<CardRecord?> FindCardAsync(ProgramId programId, CardNumber number, CancellationToken cancellationToken = default) =>
        new(cards.TryGetValue((programId, number), out var card) ? card : null);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<CardRecord>> ListMemberCardsAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return new(byMember.TryGetValue((programId, memberId), out var numbers)
                ? numbers.Select(n => cards[(programId, n)]).ToArray()
                : []);
        }
    }

    /// <inheritdoc />
    public ValueTask<CardWriteStatus> AddCardAsync(CardRecord card, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(card);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(AddLocked(card));
        }
    }

    /// <inheritdoc />
    public ValueTask<CardWriteStatus> UpdateCardAsync(CardRecord card, long expectedVersion, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(card);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!cards.TryGetValue((card.ProgramId, card.Number), out var stored) || stored.Version != expectedVersion)
            {
                return new(CardWriteStatus.VersionConflict);
            }

            cards[(card.ProgramId, card.Number)] = card;
            return new(CardWriteStatus.Written);
        }
    }

    /// <inheritdoc />
    public ValueTask<CardWriteStatus> ReplaceCardAsync(CardRecord blocked, long expectedVersion, CardRecord replacement, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(blocked);
        Preconditions.CheckNotNull(replacement);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!cards.TryGetValue((blocked.ProgramId, blocked.Number), out var stored) || stored.Version != expectedVersion)
            {
                return new(CardWriteStatus.VersionConflict);
            }

            if (cards.ContainsKey((replacement.ProgramId, replacement.Number)))
            {
                return new(CardWriteStatus.NumberTaken);
            }

            // Both under the lock: a reader sees the old card blocked no later than the new one exists.
            cards[(blocked.ProgramId, blocked.Number)] = blocked;
            AddLocked(replacement);
            return new(CardWriteStatus.Written);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<CardRecord>> ExportMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        ListMemberCardsAsync(programId, memberId, cancellationToken);

    /// <inheritdoc />
    public ValueTask<int> EraseMemberAsync(ProgramId programId, MemberId memberId, Instant erasedAt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!byMember.Remove((programId, memberId), out var numbers))
            {
                return new(0);
            }

            foreach (var number in numbers)
            {
                var card = cards[(programId, number)];
                cards[(programId, number)] = CardTombstone.Of(card, erasedAt);
            }

            return new(numbers.Count);
        }
    }

    /// <inheritdoc />
    public ValueTask<int> RenameMemberCardsAsync(ProgramId programId, MemberId from, MemberId to, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (from.IsDefault || to.IsDefault || from == to)
        {
            return new(0);
        }

        lock (gate)
        {
            if (!byMember.TryGetValue((programId, from), out var numbers))
            {
                return new(0);
            }

            if (byMember.ContainsKey((programId, to)))
            {
                throw new InvalidOperationException($"Member '{to}' already has a card; the cards of member '{from}' were not moved. Choose an unused id, or block and erase the other member's cards first.");
            }

            foreach (var number in numbers)
            {
                var card = cards[(programId, number)];
                cards[(programId, number)] = card with { MemberId = to, Version = card.Version + 1 };
            }

            byMember.Remove((programId, from));
            byMember[(programId, to)] = numbers;
            return new(numbers.Count);
        }
    }

    private CardWriteStatus AddLocked(CardRecord card)
    {
        if (!cards.TryAdd((card.ProgramId, card.Number), card))
        {
            return CardWriteStatus.NumberTaken;
        }

        if (!card.MemberId.IsDefault)
        {
            if (!byMember.TryGetValue((card.ProgramId, card.MemberId), out var numbers))
            {
                byMember[(card.ProgramId, card.MemberId)] = numbers = [];
            }

            numbers.Add(card.Number);
        }

        return CardWriteStatus.Written;
    }
}
