using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using NodaTime;

namespace Loyalty.Core.Storage;

/// <summary>The outcome of <see cref="IRewardCodeStore.ConsumeCodeAsync"/>.</summary>
public enum RewardCodeConsumeStatus
{
    /// <summary>A use was recorded for the order.</summary>
    Consumed = 1,

    /// <summary>The order had already used the code; nothing changed.</summary>
    AlreadyConsumedByOrder = 2,

    /// <summary>No code with that text; nothing changed.</summary>
    NotFound = 3,

    /// <summary>The code is not usable (used up, expired, cancelled or past its expiry); nothing changed.</summary>
    NotUsable = 4,
}

/// <summary>The result of <see cref="IRewardCodeStore.ConsumeCodeAsync"/>: what happened and the code after the call.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Code">The stored code after the call, or null when not found.</param>
/// <param name="Use">The order's use (new or earlier), or null when none was recorded.</param>
public sealed record RewardCodeConsumption(RewardCodeConsumeStatus Status, RewardCode? Code, RewardCodeUse? Use);

/// <summary>
/// An optional capability of an <see cref="IRewardCatalogStore"/>: the codes of redeemed rewards and
/// their uses by orders, so that a code is used at most its number of uses (also between racing
/// checkouts), expires once, and is voided once. The programme detects it at run time; without it,
/// redemptions still print a code but the code has no lifecycle.
/// </summary>
/// <remarks>
/// Implementations must be thread-safe; every operation is atomic and leaves nothing half-written.
/// Codes and their uses are personal data (they name a member): <see cref="ListMemberCodesAsync"/>
/// exports them and <see cref="EraseMemberCodesAsync"/> erases them. Infrastructure faults throw
/// <see cref="LoyaltyStoreException"/>.
/// </remarks>
public interface IRewardCodeStore
{
    /// <summary>
    /// Inserts a code unless its redemption already has one (then returns that one, unchanged). A code
    /// text already issued to another redemption is not inserted: the other redemption's code is returned.
    /// </summary>
    /// <param name="code">The code, with status <see cref="RewardCodeStatus.Issued"/> and no use.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored code: <paramref name="code"/> when inserted, otherwise the existing one (compare its redemption id).</returns>
    ValueTask<RewardCode> AddCodeAsync(RewardCode code, CancellationToken cancellationToken = default);

    /// <summary>Reads a code by its text.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="code">The code's text (exact).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The code, or null.</returns>
    ValueTask<RewardCode?> GetCodeAsync(ProgramId programId, string code, CancellationToken cancellationToken = default);

    /// <summary>Reads the code a redemption issued.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="redemptionId">The redemption.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The code, or null.</returns>
    ValueTask<RewardCode?> GetCodeForRedemptionAsync(ProgramId programId, RedemptionId redemptionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records one use of a code by an order, atomically: when the order already used it, nothing
    /// changes; otherwise the code must be issued, before its expiry at <paramref name="at"/>, with a use
    /// left. The last use turns it <see cref="RewardCodeStatus.Used"/>.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="code">The code's text.</param>
    /// <param name="orderId">The order, the use's idempotency key.</param>
    /// <param name="at">When.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>What happened, with the code after the call.</returns>
    ValueTask<RewardCodeConsumption> ConsumeCodeAsync(ProgramId programId, string code, OrderId orderId, Instant at, CancellationToken cancellationToken = default);

    /// <summary>Lists the orders that used a code, oldest first.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="code">The code's text.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The uses.</returns>
    ValueTask<IReadOnlyList<RewardCodeUse>> ListUsesAsync(ProgramId programId, string code, CancellationToken cancellationToken = default);

    /// <summary>
    /// Closes an issued code as <see cref="RewardCodeStatus.Expired"/> (only when its expiry is at or
    /// before <paramref name="at"/>) or <see cref="RewardCodeStatus.Cancelled"/> (only when no order used
    /// it), recording <paramref name="pointsReturned"/>. A code in any other state is left as it is.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="code">The code's text.</param>
    /// <param name="status">Expired or cancelled.</param>
    /// <param name="at">When.</param>
    /// <param name="pointsReturned">The points given back (expiry), or zero.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when this call closed it; the code after the call is read with <see cref="GetCodeAsync"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="status"/> is neither expired nor cancelled.</exception>
    ValueTask<bool> CloseCodeAsync(ProgramId programId, string code, RewardCodeStatus status, Instant at, Points pointsReturned, CancellationToken cancellationToken = default);

    /// <summary>Lists issued codes whose expiry is at or before <paramref name="dueBy"/>, in code order, for maintenance.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="dueBy">The instant.</param>
    /// <param name="afterCode">Resume after this code (exclusive), or null from the start.</param>
    /// <param name="maxCount">The page size.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The codes due.</returns>
    ValueTask<IReadOnlyList<RewardCode>> FindCodesDueAsync(ProgramId programId, Instant dueBy, string? afterCode, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Lists every code issued to a member with its uses (a data export), oldest first.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The codes and their uses.</returns>
    ValueTask<IReadOnlyList<(RewardCode Code, IReadOnlyList<RewardCodeUse> Uses)>> ListMemberCodesAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);

    /// <summary>Erases every code issued to a member and their uses.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The number of codes erased.</returns>
    ValueTask<int> EraseMemberCodesAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);
}
