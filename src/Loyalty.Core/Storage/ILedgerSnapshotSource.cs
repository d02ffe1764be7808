using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage;

/// <summary>
/// An optional read capability of a ledger store: every account of a programme with its head,
/// open lots and open holds, paged by member id — what the programme economics (liability,
/// breakage) read. Detected at run time (<c>store as ILedgerSnapshotSource</c>); the in-memory and
/// EF Core ledger stores implement it.
/// </summary>
/// <remarks>Each snapshot is consistent on its own; a page is not a consistent view of several accounts.</remarks>
public interface ILedgerSnapshotSource
{
    /// <summary>
    /// Reads a page of account snapshots (accounts with at least one transaction), ordered by member
    /// id in the store's order (ordinal in memory, the database collation in a relational store);
    /// passing the page's last member as <paramref name="afterMember"/> reads the next page.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="afterMember">Return members after this one (in the store's order), or null from the start.</param>
    /// <param name="maxCount">At most this many, at least 1.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The snapshots; fewer than <paramref name="maxCount"/> at the end.</returns>
    ValueTask<IReadOnlyList<LedgerAccountSnapshot>> ReadAccountSnapshotsAsync(ProgramId programId, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default);
}
