using Loyalty.Core.Primitives;

namespace Loyalty.Core.Achievements;

/// <summary>
/// Persists each member's <see cref="MemberAchievements"/>. Small and atomic: <see cref="UpdateAsync"/> is one
/// read-modify-write, so parallel orders of one member never lose a count or unlock twice. Holds personal data
/// (display names, activity): <see cref="ExportMemberAsync"/> and <see cref="EraseMemberAsync"/> serve data-rights requests.
/// </summary>
/// <remarks>Implementations must be thread-safe (or one per scope, joining the scope's unit of work). Infrastructure faults throw <see cref="Storage.LoyaltyStoreException"/>.</remarks>
public interface IAchievementStore
{
    /// <summary>Reads a member's state.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The state, or null when nothing was recorded.</returns>
    ValueTask<MemberAchievements?> GetAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Atomically applies <paramref name="change"/> to the member's state (an empty state of version 0 when none
    /// is stored) and writes the state it returns; nothing is written when it returns null. The change may run
    /// more than once under contention, each time on the latest state.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="change">The pure change; returns the next state (version one on) with what it unlocked or revoked, or null.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The change written, or null.</returns>
    ValueTask<AchievementChange?> UpdateAsync(ProgramId programId, MemberId memberId, Func<MemberAchievements, AchievementChange?> change, CancellationToken cancellationToken = default);

    /// <summary>Reads a page of members' states in ordinal member order, for leaderboards.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="afterMember">Members after this one, or null from the start.</param>
    /// <param name="maxCount">At most this many, at least 1.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The states.</returns>
    ValueTask<IReadOnlyList<MemberAchievements>> ReadPageAsync(ProgramId programId, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Data rights: the member's state (progress, unlocks, tallies, display name), or null.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The state, or null.</returns>
    ValueTask<MemberAchievements?> ExportMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);

    /// <summary>Data rights: deletes the member's state.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when a state was deleted.</returns>
    ValueTask<bool> EraseMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);
}
