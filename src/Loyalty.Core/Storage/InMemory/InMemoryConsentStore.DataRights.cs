using Loyalty.Core.DataRights;
using Loyalty.Core.Engagement;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage.InMemory;

/// <content>The <see cref="IConsentDataStore"/> capability.</content>
public sealed partial class InMemoryConsentStore : IConsentDataStore
{
    /// <inheritdoc />
    public ValueTask<MemberRewriteStatus> RewriteConsentsAsync(ProgramId programId, MemberId from, int expectedCount, IReadOnlyList<ConsentRecord> replacement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!logs.TryGetValue((programId, from), out var log) || log.Count == 0)
            {
                return new(MemberRewriteStatus.NotFound);
            }

            if (log.Count != expectedCount)
            {
                return new(MemberRewriteStatus.Conflict);
            }

            var to = replacement.Count > 0 ? replacement[0].MemberId : from;
            if (to != from && logs.TryGetValue((programId, to), out var existing) && existing.Count > 0)
            {
                return new(MemberRewriteStatus.TargetExists);
            }

            logs.Remove((programId, from));
            logs[(programId, to)] = [.. replacement];
            return new(MemberRewriteStatus.Rewritten);
        }
    }
}
