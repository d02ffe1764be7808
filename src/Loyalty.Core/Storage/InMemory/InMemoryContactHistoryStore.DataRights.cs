using Loyalty.Core.DataRights;
using Loyalty.Core.Engagement;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage.InMemory;

/// <content>The <see cref="IContactHistoryDataStore"/> capability.</content>
public sealed partial class InMemoryContactHistoryStore : IContactHistoryDataStore
{
    /// <inheritdoc />
    public ValueTask<MemberRewriteStatus> RewriteContactsAsync(ProgramId programId, MemberId from, int expectedCount, IReadOnlyList<ContactRecord> replacement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!byMember.TryGetValue((programId, from), out var list) || list.Count == 0)
            {
                return new(MemberRewriteStatus.NotFound);
            }

            if (list.Count != expectedCount)
            {
                return new(MemberRewriteStatus.Conflict);
            }

            var to = replacement.Count > 0 ? replacement[0].MemberId : from;
            if (to != from && byMember.TryGetValue((programId, to), out var existing) && existing.Count > 0)
            {
                return new(MemberRewriteStatus.TargetExists);
            }

            var own = list.Select(c => c.MessageId).ToHashSet(StringComparer.Ordinal);
            if (replacement.Any(c => !own.Contains(c.MessageId) && byId.ContainsKey((programId, c.MessageId))))
            {
                return new(MemberRewriteStatus.TargetExists);
            }

            foreach (var contact in list)
            {
                byId.Remove((programId, contact.MessageId));
            }

            byMember.Remove((programId, from));
            foreach (var contact in replacement)
            {
                byId[(programId, contact.MessageId)] = contact;
            }

            byMember[(programId, to)] = [.. replacement];
            return new(MemberRewriteStatus.Rewritten);
        }
    }
}
