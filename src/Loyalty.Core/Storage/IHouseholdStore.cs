using Loyalty.Core.Households;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Storage;

/// <summary>The outcome of a household store write.</summary>
public enum HouseholdWriteStatus
{
    /// <summary>Written.</summary>
    Done = 1,

    /// <summary>Nothing to do: the household exists as asked, or the member already belongs to it.</summary>
    Unchanged = 2,

    /// <summary>The household id is taken by another household (create), or unknown (join, leave).</summary>
    HouseholdConflict = 3,

    /// <summary>The member belongs to another household.</summary>
    InAnotherHousehold = 4,

    /// <summary>The household has its most members.</summary>
    Full = 5,

    /// <summary>The member does not belong to the household.</summary>
    NotAMember = 6,
}

/// <summary>
/// Persists households: each member in at most one household of a programme, never more members than
/// the limit (also between racing joins). Small and atomic.
/// </summary>
/// <remarks>
/// Implementations must be thread-safe; every operation is atomic. Households are personal data (they
/// name members): <see cref="FindByMemberAsync"/> exports a member's and <see cref="EraseMemberAsync"/>
/// erases them. Infrastructure faults throw <see cref="LoyaltyStoreException"/>.
/// </remarks>
public interface IHouseholdStore
{
    /// <summary>Creates a household with its owner as first member.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="householdId">The household.</param>
    /// <param name="owner">The owner.</param>
    /// <param name="createdAt">When.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Done; unchanged when the same owner created it before; household conflict; or in another household.</returns>
    ValueTask<HouseholdWriteStatus> CreateAsync(ProgramId programId, HouseholdId householdId, MemberId owner, Instant createdAt, CancellationToken cancellationToken = default);

    /// <summary>Adds a member when the household has fewer than <paramref name="maxMembers"/>.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="householdId">The household.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="joinedAt">When.</param>
    /// <param name="maxMembers">The most members allowed.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Done; unchanged (already a member); household conflict (unknown); in another household; or full.</returns>
    ValueTask<HouseholdWriteStatus> AddMemberAsync(ProgramId programId, HouseholdId householdId, MemberId memberId, Instant joinedAt, int maxMembers, CancellationToken cancellationToken = default);

    /// <summary>Removes a member; removing the last member removes the household.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="householdId">The household.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Done; household conflict (unknown); or not a member.</returns>
    ValueTask<HouseholdWriteStatus> RemoveMemberAsync(ProgramId programId, HouseholdId householdId, MemberId memberId, CancellationToken cancellationToken = default);

    /// <summary>Reads a household.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="householdId">The household.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The household, or null.</returns>
    ValueTask<Household?> GetAsync(ProgramId programId, HouseholdId householdId, CancellationToken cancellationToken = default);

    /// <summary>Reads the household a member belongs to (also a member's data export).</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The household, or null.</returns>
    ValueTask<Household?> FindByMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);

    /// <summary>Erases a member's membership (a household they own passes to the earliest other member, or is removed when none is left).</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The number of rows erased (0 or 1 membership, plus 1 when the household was removed).</returns>
    ValueTask<int> EraseMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);
}
