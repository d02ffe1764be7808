using Loyalty.Core.Primitives;

namespace Loyalty.Core.DataRights;

/// <summary>The audit's part: the member's own data-rights requests are exported, and re-keyed by an erasure or a rectification.</summary>
internal sealed class AuditParticipant(IDataRightsAuditStore store) : IMemberDataParticipant
{
    public string Section => "dataRightsRequests";

    public async ValueTask<bool> HoldsDataAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        (await store.ListForMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false)).Count > 0;

    public async ValueTask<int> ExportAsync(MemberDataExport export, CancellationToken cancellationToken = default)
    {
        var entries = await store.ListForMemberAsync(export.ProgramId, export.MemberId, cancellationToken).ConfigureAwait(false);
        var w = export.Writer;
        w.WriteStartArray();
        foreach (var entry in entries)
        {
            w.WriteStartObject();
            w.WriteString("requestId", entry.RequestId);
            w.WriteString("action", entry.Action.ToString());
            ExportJson.Instant(w, "at", entry.At);
            w.WriteString("status", entry.Status.ToString());
            w.WriteEndObject();
        }

        w.WriteEndArray();
        return entries.Count;
    }

    public async ValueTask<MemberRewriteOutcome> RewriteAsync(MemberDataRewrite rewrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rewrite);
        var renamed = await store.RenameMemberAsync(rewrite.ProgramId, rewrite.From, rewrite.To, cancellationToken).ConfigureAwait(false);
        return renamed == 0 ? MemberRewriteOutcome.NotFound : new MemberRewriteOutcome(MemberRewriteStatus.Rewritten, renamed);
    }
}
