using Loyalty.Core.Earning;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// An <see cref="IRuleSetStore"/> and <see cref="IMerchantRuleSetStore"/> on EF Core, in the shop's own
/// <see cref="DbContext"/>: one row per version (its label, effective instant and canonical JSON
/// definition), the programme's versions in the <c>rule_sets</c> table and each merchant's in
/// <c>merchant_rule_sets</c>.
/// </summary>
/// <remarks>
/// The version label and the effective instant are unique keys of a programme (of a merchant in a
/// programme, for merchant rule sets), so two writers racing
/// to publish clashing versions cannot both succeed; the loser gets the same
/// <see cref="ArgumentException"/> as a sequential caller. A history is read in one query. Like its
/// context, an instance is not thread-safe: use one per scope. Provider faults are thrown as
/// <see cref="LoyaltyStoreException"/>.
/// </remarks>
public sealed class EntityFrameworkRuleSetStore : IRuleSetStore, IMerchantRuleSetStore
{
    private readonly StoreSession session;

    /// <summary>Creates a store on <paramref name="context"/>.</summary>
    /// <param name="context">The shop's context; its model must include the loyalty model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context's model has no loyalty tables.</exception>
    public EntityFrameworkRuleSetStore(DbContext context)
    {
        session = new StoreSession(context, "rule set store");
    }

    /// <inheritdoc />
    public async ValueTask<EarningRuleSetHistory> GetHistoryAsync(ProgramId programId, CancellationToken cancellationToken = default)
        => await session.ReadAsync(ct => ReadAsync(programId, ct), "read the rule sets of programme " + programId, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<bool> AddAsync(ProgramId programId, EarningRuleSet ruleSet, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        var what = $"add rule set \"{ruleSet.Version}\" to programme {programId}";
        var history = await GetHistoryAsync(programId, cancellationToken).ConfigureAwait(false);
        if (!Check(history, ruleSet))
        {
            return false;
        }

        var row = new RuleSetRow
        {
            ProgramId = programId.Value,
            Version = ruleSet.Version,
            EffectiveFrom = LedgerMapping.Ticks(ruleSet.EffectiveFrom),
            Definition = ruleSet.ToJson(),
        };
        return await session.WriteAsync(
            async (tx, ct) => (await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false) == 1, true),
            async ct =>
            {
                // A racing writer published first: the same rule set (nothing to do) or a clash (refused).
                var now = await ReadAsync(programId, ct).ConfigureAwait(false);
                return Check(now, ruleSet) ? (false, false) : (true, false);
            },
            what,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<EarningRuleSetHistory> GetMerchantHistoryAsync(ProgramId programId, MerchantId merchant, CancellationToken cancellationToken = default)
        => await session.ReadAsync(ct => ReadMerchantAsync(programId, merchant, ct), $"read the rule sets of merchant {merchant} in programme {programId}", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<bool> AddMerchantAsync(ProgramId programId, MerchantId merchant, EarningRuleSet ruleSet, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ruleSet);
        if (merchant.IsDefault)
        {
            throw new ArgumentException("MerchantId must not be default; create one with MerchantId.From(...).", nameof(merchant));
        }

        var what = $"add rule set \"{ruleSet.Version}\" to merchant {merchant} in programme {programId}";
        var history = await GetMerchantHistoryAsync(programId, merchant, cancellationToken).ConfigureAwait(false);
        if (!Check(history, ruleSet))
        {
            return false;
        }

        var row = new MerchantRuleSetRow
        {
            ProgramId = programId.Value,
            MerchantId = merchant.Value,
            Version = ruleSet.Version,
            EffectiveFrom = LedgerMapping.Ticks(ruleSet.EffectiveFrom),
            Definition = ruleSet.ToJson(),
        };
        return await session.WriteAsync(
            async (tx, ct) => (await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false) == 1, true),
            async ct =>
            {
                // A racing writer published first: the same rule set (nothing to do) or a clash (refused).
                var now = await ReadMerchantAsync(programId, merchant, ct).ConfigureAwait(false);
                return Check(now, ruleSet) ? (false, false) : (true, false);
            },
            what,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>False when <paramref name="ruleSet"/> is already in <paramref name="history"/>; throws when it clashes with a version there.</summary>
    private static bool Check(EarningRuleSetHistory history, EarningRuleSet ruleSet)
    {
        if (history.Versions.Any(v => v.Equals(ruleSet)))
        {
            return false;
        }

        history.Add(ruleSet);
        return true;
    }

    private async Task<EarningRuleSetHistory> ReadAsync(ProgramId programId, CancellationToken cancellationToken)
    {
        var program = programId.Value;
        var rows = await session.Rows<RuleSetRow>().Where(r => r.ProgramId == program).OrderBy(r => r.EffectiveFrom)
            .Select(r => r.Definition).ToListAsync(cancellationToken).ConfigureAwait(false);
        var history = EarningRuleSetHistory.Empty;
        foreach (var json in rows)
        {
            history = history.Add(EarningRuleSet.FromJson(json));
        }

        return history;
    }

    private async Task<EarningRuleSetHistory> ReadMerchantAsync(ProgramId programId, MerchantId merchant, CancellationToken cancellationToken)
    {
        var program = programId.Value;
        var id = merchant.Value;
        var rows = await session.Rows<MerchantRuleSetRow>().Where(r => r.ProgramId == program && r.MerchantId == id).OrderBy(r => r.EffectiveFrom)
            .Select(r => r.Definition).ToListAsync(cancellationToken).ConfigureAwait(false);
        var history = EarningRuleSetHistory.Empty;
        foreach (var json in rows)
        {
            history = history.Add(EarningRuleSet.FromJson(json));
        }

        return history;
    }
}
