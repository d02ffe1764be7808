using Loyalty.Core.Cards;
using Loyalty.Core.DataRights;
using Loyalty.Core.EntityFrameworkCore.Cards;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// An <see cref="ICardStore"/> on EF Core, in the shop's own <see cref="DbContext"/>: one row per range, per
/// card (the number is the key, so it is unique in the programme) and per entry of a card's status history.
/// Every change of a card is a conditional update at the version read, so of racing writers exactly one wins;
/// a replacement blocks the old card and adds the new one in one transaction. A range import first updates
/// the programme's lock row, so imports of one programme queue there and the overlap check that follows sees
/// every range committed before it (on PostgreSQL under READ COMMITTED, and on SQLite whose writers are serial).
/// </summary>
/// <remarks>Writes run in one database transaction, or behind a savepoint in the shop's transaction.
/// Like its context, an instance is not thread-safe: use one per scope. Provider faults are thrown as
/// <see cref="LoyaltyStoreException"/>.</remarks>
public sealed class EntityFrameworkCardStore : ICardStore, ICardDataStore
{
    private const int Attempts = 16;
    private readonly StoreSession session;

    /// <summary>Creates a store on <paramref name="context"/>.</summary>
    /// <param name="context">The shop's context; its model must include the loyalty model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context's model has no loyalty tables.</exception>
    public EntityFrameworkCardStore(DbContext context)
    {
        session = new StoreSession(context, "card store");
    }

    /// <inheritdoc />
    public async ValueTask<CardRangeImportResult> ImportRangeAsync(CardRange range, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(range);
        var program = range.ProgramId.Value;
        var what = $"import card range '{range.RangeId}'";
        var row = new CardRangeRow
        {
            ProgramId = program,
            RangeId = range.RangeId,
            Kind = (int)range.Kind,
            FirstSerial = range.FirstSerial,
            LastSerial = range.LastSerial,
            ImportedAt = LedgerMapping.Ticks(range.ImportedAt),
        };
        for (var attempt = 1; ; attempt++)
        {
            var retry = attempt < Attempts;
            var (done, result) = await session.WriteAsync(
                async (tx, ct) =>
                {
                    // The lock row first: a racing import of the programme waits here until this one ends.
                    var locked = await session.Context.Set<CardRangeLockRow>().Where(l => l.ProgramId == program)
                        .ExecuteUpdateAsync(s => s.SetProperty(l => l.Imports, l => l.Imports + 1), ct).ConfigureAwait(false);
                    if (locked == 0)
                    {
                        await session.ExecuteAsync(tx, w => w.Insert(new CardRangeLockRow { ProgramId = program, Imports = 1 }), ct).ConfigureAwait(false);
                    }

                    if (await CheckAsync(range, ct).ConfigureAwait(false) is { } refused)
                    {
                        return ((true, refused), false);
                    }

                    await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false);
                    return ((true, new CardRangeImportResult(CardRangeImportStatus.Added)), true);
                },
                async ct => await CheckAsync(range, ct).ConfigureAwait(false) is { } raced ? (true, (true, raced))
                    : retry ? (true, (false, default(CardRangeImportResult)!))
                    : (false, default),
                what,
                cancellationToken).ConfigureAwait(false);
            if (done)
            {
                return result;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<CardRange>> ListRangesAsync(ProgramId programId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var rows = await session.ReadAsync(
            ct => session.Rows<CardRangeRow>().Where(r => r.ProgramId == program).OrderBy(r => r.FirstSerial).ToListAsync(ct),
            "list the card ranges",
            cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(ToRange);
    }

    /// <inheritdoc />
    public async ValueTask<long?> TakeNextSerialAsync(ProgramId programId, string rangeId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rangeId);
        var program = programId.Value;
        var what = $"take a serial of card range '{rangeId}'";
        for (var attempt = 1; ; attempt++)
        {
            var retry = attempt < Attempts;
            var (done, serial) = await session.WriteAsync(
                async (tx, ct) =>
                {
                    // One conditional increment: racing takers queue on the row and each gets the next serial.
                    var virtualKind = (int)CardKind.Virtual;
                    var taken = await session.Context.Set<CardRangeRow>()
                        .Where(r => r.ProgramId == program && r.RangeId == rangeId && r.Kind == virtualKind && r.Taken < r.LastSerial - r.FirstSerial + 1)
                        .ExecuteUpdateAsync(s => s.SetProperty(r => r.Taken, r => r.Taken + 1), ct).ConfigureAwait(false);
                    if (taken == 0)
                    {
                        return ((true, (long?)null), false);
                    }

                    var range = await session.Rows<CardRangeRow>().Where(r => r.ProgramId == program && r.RangeId == rangeId)
                        .Select(r => new { r.FirstSerial, r.Taken }).SingleAsync(ct).ConfigureAwait(false);
                    return ((true, (long?)(range.FirstSerial + range.Taken - 1)), true);
                },
                _ => Task.FromResult(retry ? (true, (false, (long?)null)) : (false, default((bool, long?)))),
                what,
                cancellationToken).ConfigureAwait(false);
            if (done)
            {
                return serial;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<CardRecord?> FindCardAsync(ProgramId programId, CardNumber number, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var digits = number.Value;
        return await session.ReadAsync(
            async ct =>
            {
                var row = await session.Rows<CardRow>().FirstOrDefaultAsync(c => c.ProgramId == program && c.Number == digits, ct).ConfigureAwait(false);
                return row is null ? null : (await ReadCardsAsync(program, [row], ct).ConfigureAwait(false))[0];
            },
            "find a card by number",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<CardRecord>> ListMemberCardsAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        await MemberCardsAsync(programId, memberId, $"list the cards of member '{memberId}'", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<CardWriteStatus> AddCardAsync(CardRecord card, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(card);
        var program = card.ProgramId.Value;
        var number = card.Number.Value;
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                if (await session.Rows<CardRow>().AnyAsync(c => c.ProgramId == program && c.Number == number, ct).ConfigureAwait(false))
                {
                    return (CardWriteStatus.NumberTaken, false);
                }

                await InsertAsync(tx, card, ct).ConfigureAwait(false);
                return (CardWriteStatus.Written, true);
            },
            async ct => await session.Rows<CardRow>().AnyAsync(c => c.ProgramId == program && c.Number == number, ct).ConfigureAwait(false)
                ? (true, CardWriteStatus.NumberTaken)
                : (false, default),
            "add a card",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<CardWriteStatus> UpdateCardAsync(CardRecord card, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(card);
        return await session.WriteAsync(
            async (tx, ct) => await ChangeAsync(tx, card, expectedVersion, ct).ConfigureAwait(false)
                ? (CardWriteStatus.Written, true)
                : (CardWriteStatus.VersionConflict, false),
            _ => Task.FromResult((false, default(CardWriteStatus))),
            "update a card",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<CardWriteStatus> ReplaceCardAsync(CardRecord blocked, long expectedVersion, CardRecord replacement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blocked);
        ArgumentNullException.ThrowIfNull(replacement);
        var program = replacement.ProgramId.Value;
        var number = replacement.Number.Value;
        var old = blocked.Number.Value;
        var oldProgram = blocked.ProgramId.Value;
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                // The conditional update first: of racing replacements, the others wait on the row and then find its version moved on.
                if (!await ChangeAsync(tx, blocked, expectedVersion, ct).ConfigureAwait(false))
                {
                    return (CardWriteStatus.VersionConflict, false);
                }

                if (await session.Rows<CardRow>().AnyAsync(c => c.ProgramId == program && c.Number == number, ct).ConfigureAwait(false))
                {
                    return (CardWriteStatus.NumberTaken, false);
                }

                await InsertAsync(tx, replacement, ct).ConfigureAwait(false);
                return (CardWriteStatus.Written, true);
            },
            async ct =>
            {
                var version = await session.Rows<CardRow>().Where(c => c.ProgramId == oldProgram && c.Number == old).Select(c => (long?)c.Version).FirstOrDefaultAsync(ct).ConfigureAwait(false);
                if (version != expectedVersion)
                {
                    return (true, CardWriteStatus.VersionConflict);
                }

                return await session.Rows<CardRow>().AnyAsync(c => c.ProgramId == program && c.Number == number, ct).ConfigureAwait(false)
                    ? (true, CardWriteStatus.NumberTaken)
                    : (false, default);
            },
            "replace a card",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<CardRecord>> ExportMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        await MemberCardsAsync(programId, memberId, $"export the cards of member '{memberId}'", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<int> EraseMemberAsync(ProgramId programId, MemberId memberId, Instant erasedAt, CancellationToken cancellationToken = default)
    {
        if (memberId.IsDefault)
        {
            return 0;
        }

        var program = programId.Value;
        var member = memberId.Value;
        for (var attempt = 1; ; attempt++)
        {
            var retry = attempt < Attempts;
            var (done, erased) = await session.WriteAsync(
                async (tx, ct) =>
                {
                    var rows = await session.Rows<CardRow>().Where(c => c.ProgramId == program && c.MemberId == member).ToListAsync(ct).ConfigureAwait(false);
                    foreach (var card in await ReadCardsAsync(program, rows, ct).ConfigureAwait(false))
                    {
                        if (!await ChangeAsync(tx, CardTombstone.Of(card, erasedAt), card.Version, ct).ConfigureAwait(false))
                        {
                            // The card changed since it was read: undo and start again.
                            return ((false, 0), false);
                        }
                    }

                    return ((true, rows.Count), true);
                },
                _ => Task.FromResult(retry ? (true, (false, 0)) : (false, default((bool, int)))),
                $"erase the cards of member '{memberId}'",
                cancellationToken).ConfigureAwait(false);
            if (done)
            {
                return erased;
            }

            if (!retry)
            {
                throw session.Fault($"erase the cards of member '{memberId}'", new InvalidOperationException($"the cards kept changing over {Attempts} attempts"));
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>One conditional update of the member's card rows (the status history is keyed by the number and stays as it is), each at its next version, so a racing change of a card finds its version moved on.</remarks>
    public async ValueTask<int> RenameMemberCardsAsync(ProgramId programId, MemberId from, MemberId to, CancellationToken cancellationToken = default)
    {
        if (from.IsDefault || to.IsDefault || from == to)
        {
            return 0;
        }

        var program = programId.Value;
        var source = from.Value;
        var target = to.Value;
        var moved = await session.WriteAsync(
            async (tx, ct) =>
            {
                if (await session.Rows<CardRow>().AnyAsync(c => c.ProgramId == program && c.MemberId == target, ct).ConfigureAwait(false))
                {
                    return (-1, false);
                }

                var count = await session.Context.Set<CardRow>().Where(c => c.ProgramId == program && c.MemberId == source)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.MemberId, target).SetProperty(c => c.Version, c => c.Version + 1), ct).ConfigureAwait(false);
                return (count, count > 0);
            },
            _ => Task.FromResult((false, 0)),
            $"move the cards of member '{from}' to '{to}'",
            cancellationToken).ConfigureAwait(false);
        return moved < 0 ? throw new InvalidOperationException($"Member '{to}' already has a card; the cards of member '{from}' were not moved. Choose an unused id, or block and erase the other member's cards first.") : moved;
    }

    /// <summary>Writes <paramref name="card"/> over the stored card at <paramref name="expectedVersion"/>, history included; false when the version moved on.</summary>
    private async Task<bool> ChangeAsync(System.Data.Common.DbTransaction tx, CardRecord card, long expectedVersion, CancellationToken ct)
    {
        var program = card.ProgramId.Value;
        var number = card.Number.Value;
        var row = ToRow(card);
        var changed = await session.Context.Set<CardRow>().Where(c => c.ProgramId == program && c.Number == number && c.Version == expectedVersion)
            .ExecuteUpdateAsync(
                s => s.SetProperty(c => c.MemberId, row.MemberId).SetProperty(c => c.Status, row.Status).SetProperty(c => c.Version, row.Version).SetProperty(c => c.IssuedAt, row.IssuedAt),
                ct).ConfigureAwait(false);
        if (changed == 0)
        {
            return false;
        }

        // The row is locked by the update until the end of the transaction: the history is rewritten whole.
        await session.Context.Set<CardStatusRow>().Where(s => s.ProgramId == program && s.Number == number).ExecuteDeleteAsync(ct).ConfigureAwait(false);
        await session.ExecuteAsync(tx, w => InsertHistory(w, card), ct).ConfigureAwait(false);
        return true;
    }

    private async Task<IReadOnlyList<CardRecord>> MemberCardsAsync(ProgramId programId, MemberId memberId, string what, CancellationToken cancellationToken)
    {
        if (memberId.IsDefault)
        {
            return [];
        }

        var program = programId.Value;
        var member = memberId.Value;
        return await session.ReadAsync(
            async ct =>
            {
                var rows = await session.Rows<CardRow>().Where(c => c.ProgramId == program && c.MemberId == member)
                    .OrderBy(c => c.IssuedAt).ThenBy(c => c.MemberOrdinal).ThenBy(c => c.Number).ToListAsync(ct).ConfigureAwait(false);
                return await ReadCardsAsync(program, rows, ct).ConfigureAwait(false);
            },
            what,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<CardRecord>> ReadCardsAsync(string program, List<CardRow> rows, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        var numbers = rows.ConvertAll(r => r.Number);
        var history = (await session.Rows<CardStatusRow>().Where(s => s.ProgramId == program && numbers.Contains(s.Number)).ToListAsync(ct).ConfigureAwait(false))
            .ToLookup(s => s.Number);
        return rows.ConvertAll(r => new CardRecord
        {
            ProgramId = ProgramId.From(r.ProgramId),
            Number = CardNumber.FromDigits(r.Number),
            MemberId = r.MemberId.Length == 0 ? default : MemberId.From(r.MemberId),
            Kind = (CardKind)r.Kind,
            Status = (CardStatus)r.Status,
            Version = r.Version,
            History = history[r.Number].OrderBy(s => s.Sequence)
                .Select(s => new CardStatusChange((CardEvent)s.Event, LedgerMapping.Instant(s.At), s.Reason, s.Related is null ? default : CardNumber.FromDigits(s.Related)))
                .ToArray(),
        });
    }

    /// <summary>Why a range cannot be added (a repeat, an id taken, an overlap), or null when it can.</summary>
    private async Task<CardRangeImportResult?> CheckAsync(CardRange range, CancellationToken ct)
    {
        var program = range.ProgramId.Value;
        var id = range.RangeId;
        var same = await session.Rows<CardRangeRow>().FirstOrDefaultAsync(r => r.ProgramId == program && r.RangeId == id, ct).ConfigureAwait(false);
        if (same is not null)
        {
            var existing = ToRange(same);
            return new CardRangeImportResult(existing.SameDefinition(range) ? CardRangeImportStatus.Exists : CardRangeImportStatus.Overlaps, existing);
        }

        var first = range.FirstSerial;
        var last = range.LastSerial;
        var overlap = await session.Rows<CardRangeRow>().Where(r => r.ProgramId == program && r.FirstSerial <= last && first <= r.LastSerial)
            .OrderBy(r => r.FirstSerial).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        return overlap is null ? null : new CardRangeImportResult(CardRangeImportStatus.Overlaps, ToRange(overlap));
    }

    private static CardRange ToRange(CardRangeRow r) => new()
    {
        ProgramId = ProgramId.From(r.ProgramId),
        RangeId = r.RangeId,
        Kind = (CardKind)r.Kind,
        FirstSerial = r.FirstSerial,
        LastSerial = r.LastSerial,
        ImportedAt = LedgerMapping.Instant(r.ImportedAt),
        Taken = r.Taken,
    };

    private static CardRow ToRow(CardRecord card) => new()
    {
        ProgramId = card.ProgramId.Value,
        Number = card.Number.Value,
        MemberId = card.MemberId.Value,
        Kind = (int)card.Kind,
        Status = (int)card.Status,
        Version = card.Version,
        IssuedAt = LedgerMapping.Ticks(card.IssuedAt),
    };

    /// <summary>Adds a card and its history, numbered after the member's other cards (so a member's cards list in the order added).</summary>
    private async Task InsertAsync(System.Data.Common.DbTransaction tx, CardRecord card, CancellationToken ct)
    {
        var row = ToRow(card);
        if (!card.MemberId.IsDefault)
        {
            row.MemberOrdinal = await session.Rows<CardRow>().CountAsync(c => c.ProgramId == row.ProgramId && c.MemberId == row.MemberId, ct).ConfigureAwait(false);
        }

        await session.ExecuteAsync(
            tx,
            w =>
            {
                w.Insert(row);
                InsertHistory(w, card);
            },
            ct).ConfigureAwait(false);
    }

    private static void InsertHistory(LedgerWriteCommand write, CardRecord card)
    {
        for (var i = 0; i < card.History.Count; i++)
        {
            var change = card.History[i];
            write.Insert(new CardStatusRow
            {
                ProgramId = card.ProgramId.Value,
                Number = card.Number.Value,
                Sequence = i,
                Event = (int)change.Event,
                At = LedgerMapping.Ticks(change.At),
                Reason = change.Reason,
                Related = change.Related.IsDefault ? null : change.Related.Value,
            });
        }
    }
}
