using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;

namespace Loyalty.Core.Coalition;

/// <summary>
/// Persists settlement runs: one per programme and period, a draft until it is closed; a closed
/// run is never replaced.
/// </summary>
/// <remarks>
/// <para>Implementations must be thread-safe (or, like EF Core stores, one instance per scope).
/// Infrastructure faults throw <see cref="LoyaltyStoreException"/>. No row is keyed by member: the
/// store holds no personal data.</para>
/// </remarks>
public interface ISettlementStore
{
    /// <summary>Reads the stored run of a period.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="period">The period.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The run (draft or closed), or null.</returns>
    ValueTask<SettlementRun?> GetRunAsync(ProgramId programId, SettlementPeriod period, CancellationToken cancellationToken = default);

    /// <summary>Stores a run: a draft replaces the stored draft; a closed run replaces a draft. Nothing replaces a closed run.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="run">The run.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The stored run after the call: <paramref name="run"/>, or the closed run already stored.</returns>
    ValueTask<SettlementRun> SaveRunAsync(ProgramId programId, SettlementRun run, CancellationToken cancellationToken = default);

    /// <summary>Lists the closed periods of a programme, oldest first.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The periods.</returns>
    ValueTask<IReadOnlyList<SettlementPeriod>> ListClosedPeriodsAsync(ProgramId programId, CancellationToken cancellationToken = default);
}
