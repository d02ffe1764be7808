using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage;

/// <summary>
/// Persists a programme's earning rule sets: every version, each with the instant it takes
/// effect, so that an order is always earned under the rules in force when it was placed.
/// </summary>
/// <remarks>Implementations must be thread-safe. Infrastructure faults throw <see cref="LoyaltyStoreException"/>.</remarks>
public interface IRuleSetStore
{
    /// <summary>Reads every version.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The history; <see cref="EarningRuleSetHistory.Empty"/> when nothing was published.</returns>
    ValueTask<EarningRuleSetHistory> GetHistoryAsync(ProgramId programId, CancellationToken cancellationToken = default);

    /// <summary>Adds a version; adding the same rule set again changes nothing.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="ruleSet">The rule set.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when added; false when this very rule set was already there (nothing changed).</returns>
    /// <exception cref="ArgumentException">Another rule set has the same version string or takes effect at the same instant.</exception>
    ValueTask<bool> AddAsync(ProgramId programId, EarningRuleSet ruleSet, CancellationToken cancellationToken = default);
}
