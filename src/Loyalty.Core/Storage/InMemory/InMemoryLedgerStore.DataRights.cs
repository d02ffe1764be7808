using Loyalty.Core.DataRights;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage.InMemory;

/// <content>The <see cref="ILedgerDataStore"/> capability: whole-account reads and re-keying for members' data rights.</content>
public sealed partial class InMemoryLedgerStore : ILedgerDataStore
{
    /// <inheritdoc />
    public ValueTask<LedgerAccountContents> ReadAccountContentsAsync(LedgerAccountKey account, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!accounts.TryGetValue(account, out var data))
        {
            return new(new LedgerAccountContents(null, [], []));
        }

        lock (data)
        {
            return new(new LedgerAccountContents(
                data.Head,
                data.Lots.All.Select(p => lotLog[p]).OrderBy(l => l.Sequence).ToArray(),
                (data.HoldsIfAny?.Values ?? Enumerable.Empty<LedgerHoldRecord>()).OrderBy(h => h.CreatedAt).ThenBy(h => h.HoldId.Value, StringComparer.Ordinal).ToArray()));
        }
    }

    /// <inheritdoc />
    public ValueTask<MemberRewriteStatus> RewriteAccountAsync(LedgerAccountRewrite rewrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rewrite);
        cancellationToken.ThrowIfCancellationRequested();
        if (!accounts.TryGetValue(rewrite.From, out var source))
        {
            return new(MemberRewriteStatus.NotFound);
        }

        var sameKey = rewrite.From == rewrite.To;
        var occupant = sameKey ? source : accounts.GetOrAdd(rewrite.To, static _ => new Account());
        var first = string.CompareOrdinal(rewrite.From.MemberId.Value, rewrite.To.MemberId.Value) <= 0 ? source : occupant;
        var second = ReferenceEquals(first, source) ? occupant : source;
        lock (first)
        {
            lock (second)
            {
                if (source.Retired || !source.HasHead)
                {
                    return new(MemberRewriteStatus.NotFound);
                }

                if (source.Version != rewrite.ExpectedVersion)
                {
                    return new(MemberRewriteStatus.Conflict);
                }

                if (!sameKey && (occupant.Retired || occupant.HasHead))
                {
                    return new(MemberRewriteStatus.TargetExists);
                }

                var programId = rewrite.From.ProgramId;
                var own = source.Log.Select(p => log[p].Id).ToHashSet();
                foreach (var tx in rewrite.Transactions)
                {
                    if (!own.Contains(tx.Id) && transactions.Contains((programId, tx.Id)))
                    {
                        return new(MemberRewriteStatus.TargetExists);
                    }
                }

                foreach (var id in own)
                {
                    transactions.Remove((programId, id));
                }

                // A new account object takes the key; the old one is retired, so that a writer holding it re-reads.
                var target = new Account();
                lock (target)
                {
                    foreach (var tx in rewrite.Transactions)
                    {
                        var position = log.Add(tx);
                        transactions.Set((programId, tx.Id), position);
                        target.Log.Add(position);
                        if (tx.RelatedId is { } related)
                        {
                            if (!target.Related.TryGetValue(related, out var list))
                            {
                                target.Related[related] = list = [];
                            }

                            list.Add(position);
                        }
                    }

                    foreach (var lot in rewrite.Lots)
                    {
                        target.Lots.Set(lotLog, lot);
                    }

                    foreach (var hold in rewrite.Holds)
                    {
                        target.Holds[hold.HoldId] = hold;
                        if (hold.Status == LedgerHoldStatus.Open)
                        {
                            target.OpenHolds.Add(hold.HoldId);
                        }
                    }

                    target.Head = rewrite.Head;

                    // A new incarnation even under the same key: a state decided before the rewrite is stale.
                    target.Incarnation = new object();
                }

                var hadExpiry = source.Indexed;

                // The old account's transactions leave the log: nothing keeps the records of the old key alive.
                foreach (var position in source.Log)
                {
                    log.Forget(position);
                }

                source.Log.Clear();
                source.Lots.Forget(lotLog);
                TakeKept(source);
                TakeKept(occupant);
                source.Retired = true;
                occupant.Retired = true;
                accounts.TryRemove(new KeyValuePair<LedgerAccountKey, Account>(rewrite.From, source));
                if (!sameKey)
                {
                    accounts.TryRemove(new KeyValuePair<LedgerAccountKey, Account>(rewrite.To, occupant));
                }

                accounts[rewrite.To] = target;
                var index = expiring.GetOrAdd(programId, static _ => new OrderedIndex<string>(StringComparer.Ordinal));
                lock (index)
                {
                    if (hadExpiry)
                    {
                        index.Remove(rewrite.From.MemberId.Value);
                    }

                    if (rewrite.Head.NextExpiryAt is not null)
                    {
                        index.Add(rewrite.To.MemberId.Value);
                        target.Indexed = true;
                    }
                }

                return new(MemberRewriteStatus.Rewritten);
            }
        }
    }
}
