using Loyalty.Core.Earning;
using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>A thread-safe, in-process <see cref="IRuleSetStore"/> and <see cref="IMerchantRuleSetStore"/>.</summary>
/// <remarks>Reads are lock-free (an immutable history is swapped atomically); every member completes synchronously.</remarks>
public sealed class InMemoryRuleSetStore : IRuleSetStore, IMerchantRuleSetStore
{
    private readonly object gate = new();
    private readonly Dictionary<ProgramId, EarningRuleSetHistory> histories = [];
    private readonly Dictionary<(ProgramId, MerchantId), EarningRuleSetHistory> merchantHistories = [];

    /// <inheritdoc />
    public ValueTask<EarningRuleSetHistory> GetHistoryAsync(ProgramId programId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(histories.GetValueOrDefault(programId) ?? EarningRuleSetHistory.Empty);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> AddAsync(ProgramId programId, EarningRuleSet ruleSet, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(ruleSet);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var history = histories.GetValueOrDefault(programId) ?? EarningRuleSetHistory.Empty;
            if (history.Versions.Any(v => v.Equals(ruleSet)))
            {
                return new(false);
            }

            histories[programId] = history.Add(ruleSet);
            return new(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<EarningRuleSetHistory> GetMerchantHistoryAsync(ProgramId programId, MerchantId merchant, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(merchantHistories.GetValueOrDefault((programId, merchant)) ?? EarningRuleSetHistory.Empty);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> AddMerchantAsync(ProgramId programId, MerchantId merchant, EarningRuleSet ruleSet, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(ruleSet);
        Preconditions.CheckNotDefault(merchant.IsDefault, nameof(MerchantId), nameof(merchant));
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var history = merchantHistories.GetValueOrDefault((programId, merchant)) ?? EarningRuleSetHistory.Empty;
            if (history.Versions.Any(v => v.Equals(ruleSet)))
            {
                return new(false);
            }

            merchantHistories[(programId, merchant)] = history.Add(ruleSet);
            return new(true);
        }
    }
}
