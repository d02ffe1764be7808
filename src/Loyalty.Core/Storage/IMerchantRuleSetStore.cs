using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage;

/// <summary>
/// Persists each merchant's own earning rule sets in a programme shared by several merchants (a
/// coalition): every version of every merchant, each with the instant it takes effect, beside the
/// programme-wide versions of <see cref="IRuleSetStore"/>. An order at a merchant is earned under the
/// programme-wide version in force plus that merchant's version in force.
/// </summary>
/// <remarks>
/// The rule-set stores of the library (<c>InMemoryRuleSetStore</c>, <c>EntityFrameworkRuleSetStore</c>)
/// implement it. Each merchant's history is separate from the programme's and from every other
/// merchant's: version labels and effective instants are unique within one merchant's history only.
/// Implementations must be thread-safe. Infrastructure faults throw <see cref="LoyaltyStoreException"/>.
/// </remarks>
public interface IMerchantRuleSetStore
{
    /// <summary>Reads every version of one merchant's rule set.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="merchant">The merchant.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The history; <see cref="EarningRuleSetHistory.Empty"/> when the merchant published nothing.</returns>
    ValueTask<EarningRuleSetHistory> GetMerchantHistoryAsync(ProgramId programId, MerchantId merchant, CancellationToken cancellationToken = default);

    /// <summary>Adds a version to one merchant's history; adding the same rule set again changes nothing.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="merchant">The merchant.</param>
    /// <param name="ruleSet">The rule set.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>True when added; false when this very rule set was already in the merchant's history (nothing changed).</returns>
    /// <exception cref="ArgumentException">Another rule set of the merchant has the same version string or takes effect at the same instant.</exception>
    ValueTask<bool> AddMerchantAsync(ProgramId programId, MerchantId merchant, EarningRuleSet ruleSet, CancellationToken cancellationToken = default);
}
