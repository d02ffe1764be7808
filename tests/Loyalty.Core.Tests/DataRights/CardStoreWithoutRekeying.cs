using Loyalty.Core.Cards;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Tests.DataRights;

/// <summary>A card store of another vendor: every operation of <see cref="ICardStore"/>, without the re-keying capability.</summary>
internal sealed class CardStoreWithoutRekeying(ICardStore inner) : ICardStore
{
    public ValueTask<CardRangeImportResult> ImportRangeAsync(CardRange range, CancellationToken cancellationToken = default) => inner.ImportRangeAsync(range, cancellationToken);

    public ValueTask<IReadOnlyList<CardRange>> ListRangesAsync(ProgramId programId, CancellationToken cancellationToken = default) => inner.ListRangesAsync(programId, cancellationToken);

    public ValueTask<long?> TakeNextSerialAsync(ProgramId programId, string rangeId, CancellationToken cancellationToken = default) => inner.TakeNextSerialAsync(programId, rangeId, cancellationToken);

    public ValueTask<CardRecord?> FindCardAsync(ProgramId programId, CardNumber number, CancellationToken cancellationToken = default) => inner.FindCardAsync(programId, number, cancellationToken);

    public ValueTask<IReadOnlyList<CardRecord>> ListMemberCardsAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) => inner.ListMemberCardsAsync(programId, memberId, cancellationToken);

    public ValueTask<CardWriteStatus> AddCardAsync(CardRecord card, CancellationToken cancellationToken = default) => inner.AddCardAsync(card, cancellationToken);

    public ValueTask<CardWriteStatus> UpdateCardAsync(CardRecord card, long expectedVersion, CancellationToken cancellationToken = default) => inner.UpdateCardAsync(card, expectedVersion, cancellationToken);

    public ValueTask<CardWriteStatus> ReplaceCardAsync(CardRecord blocked, long expectedVersion, CardRecord replacement, CancellationToken cancellationToken = default) => inner.ReplaceCardAsync(blocked, expectedVersion, replacement, cancellationToken);

    public ValueTask<IReadOnlyList<CardRecord>> ExportMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) => inner.ExportMemberAsync(programId, memberId, cancellationToken);

    public ValueTask<int> EraseMemberAsync(ProgramId programId, MemberId memberId, Instant erasedAt, CancellationToken cancellationToken = default) => inner.EraseMemberAsync(programId, memberId, erasedAt, cancellationToken);
}
