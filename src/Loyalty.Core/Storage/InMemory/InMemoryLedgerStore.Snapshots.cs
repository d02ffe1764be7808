using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage.InMemory;

/// <content>The <see cref="ILedgerSnapshotSource"/> read: all accounts of a programme, paged by member id.</content>
public sealed partial class InMemoryLedgerStore : ILedgerSnapshotSource
{
    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<LedgerAccountSnapshot>> ReadAccountSnapshotsAsync(ProgramId programId, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        cancellationToken.ThrowIfCancellationRequested();

        // One pass keeping the maxCount smallest member ids after the cursor (a max-heap): O(n log maxCount).
        var page = new PriorityQueue<LedgerAccountKey, MemberId>(Comparer<MemberId>.Create((a, b) => b.CompareTo(a)));
        foreach (var key in accounts.Keys)
        {
            if (key.ProgramId != programId || (afterMember is { } after && key.MemberId.CompareTo(after) <= 0))
            {
                continue;
            }

            if (page.Count < maxCount)
            {
                page.Enqueue(key, key.MemberId);
            }
            else if (page.TryPeek(out _, out var largest) && key.MemberId.CompareTo(largest) < 0)
            {
                page.EnqueueDequeue(key, key.MemberId);
            }
        }

        var keys = new LedgerAccountKey[page.Count];
        for (var i = keys.Length - 1; i >= 0; i--)
        {
            keys[i] = page.Dequeue();
        }

        var snapshots = new List<LedgerAccountSnapshot>(keys.Length);
        foreach (var key in keys)
        {
            var snapshot = await GetAccountAsync(key, cancellationToken).ConfigureAwait(false);
            if (snapshot.Head is not null)
            {
                snapshots.Add(snapshot);
            }
        }

        return snapshots;
    }
}
