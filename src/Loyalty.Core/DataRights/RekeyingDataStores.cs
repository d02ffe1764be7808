using Loyalty.Core.Cards;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;

namespace Loyalty.Core.DataRights;

/// <summary>
/// The re-keying capability of a card store (<see cref="ICardStore"/>), for a rectification: every card of
/// a member, with its status history, moves to the new id, so a scan of the same card finds the new id. An
/// erasure blocks and unlinks the cards (<see cref="ICardStore.EraseMemberAsync"/>). A store without it lets
/// members with cards be exported and erased, but not rectified.
/// </summary>
public interface ICardDataStore
{
    /// <summary>
    /// Atomically moves every card of <paramref name="from"/> (active and blocked, each with its status history
    /// and its next version) to <paramref name="to"/>. Refused, with nothing moved, when <paramref name="to"/>
    /// already has a card.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="from">The member the cards belong to now.</param>
    /// <param name="to">The member they move to.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The number of cards moved.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="to"/> already has a card.</exception>
    ValueTask<int> RenameMemberCardsAsync(ProgramId programId, MemberId from, MemberId to, CancellationToken cancellationToken = default);
}

/// <summary>
/// The re-keying capability of a household store (<see cref="IHouseholdStore"/>), for a rectification: the
/// member's membership (with its joining date and place) and, when they own the household, its ownership
/// move to the new id. An erasure removes the membership (<see cref="IHouseholdStore.EraseMemberAsync"/>).
/// A store without it lets household members be exported and erased, but not rectified.
/// </summary>
public interface IHouseholdDataStore
{
    /// <summary>
    /// Atomically moves the household membership of <paramref name="from"/>, and the household's ownership
    /// when they own it, to <paramref name="to"/>. Refused, with nothing moved, when <paramref name="to"/>
    /// already belongs to a household.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="from">The member who belongs to the household now.</param>
    /// <param name="to">The member id the membership moves to.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>1 when a membership moved, 0 when <paramref name="from"/> belongs to no household.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="to"/> already belongs to a household.</exception>
    ValueTask<int> RenameMemberAsync(ProgramId programId, MemberId from, MemberId to, CancellationToken cancellationToken = default);
}

/// <summary>
/// The re-keying capability of a points transfer store (<see cref="IPointsTransferStore"/>), for a
/// rectification: every transfer the member gave or received moves to the new id (so the allowance of
/// the period still counts what they gave). An erasure deletes them (<see cref="IPointsTransferStore.EraseMemberTransfersAsync"/>).
/// A store without it lets members with transfers be exported and erased, but not rectified.
/// </summary>
public interface IPointsTransferDataStore
{
    /// <summary>
    /// Atomically moves every transfer of <paramref name="from"/>, as sender and as recipient, to
    /// <paramref name="to"/>. Refused, with nothing moved, when <paramref name="to"/> already gave or received a transfer.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="from">The member the transfers name now.</param>
    /// <param name="to">The member id they move to.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The number of transfers moved.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="to"/> already gave or received a transfer.</exception>
    ValueTask<int> RenameMemberTransfersAsync(ProgramId programId, MemberId from, MemberId to, CancellationToken cancellationToken = default);
}
