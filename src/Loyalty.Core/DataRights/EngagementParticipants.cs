using Loyalty.Core.Engagement;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.DataRights;

/// <summary>The consent store's part: the member's consent history per channel. An erasure drops the sources (free text).</summary>
internal sealed class ConsentParticipant(IConsentStore store) : IMemberDataParticipant
{
    private IConsentDataStore DataStore => store as IConsentDataStore
        ?? throw new InvalidOperationException($"The consent store {store.GetType().Name} does not implement {nameof(IConsentDataStore)}; implement it so that members can be exported, erased and rectified.");

    public string Section => "consents";

    public async ValueTask<bool> HoldsDataAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        (await store.GetHistoryAsync(programId, memberId, cancellationToken).ConfigureAwait(false)).Count > 0;

    public async ValueTask<int> ExportAsync(MemberDataExport export, CancellationToken cancellationToken = default)
    {
        var history = await store.GetHistoryAsync(export.ProgramId, export.MemberId, cancellationToken).ConfigureAwait(false);
        export.Writer.WriteStartArray();
        foreach (var record in history)
        {
            ExportJson.Consent(export, record);
        }

        export.Writer.WriteEndArray();
        return history.Count;
    }

    public async ValueTask<MemberRewriteOutcome> RewriteAsync(MemberDataRewrite rewrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rewrite);
        var history = await store.GetHistoryAsync(rewrite.ProgramId, rewrite.From, cancellationToken).ConfigureAwait(false);
        if (history.Count == 0)
        {
            return MemberRewriteOutcome.NotFound;
        }

        var replacement = history.Select(r => r with { MemberId = rewrite.To, Source = rewrite.Scrub(r.Source)! }).ToArray();
        var status = await DataStore.RewriteConsentsAsync(rewrite.ProgramId, rewrite.From, history.Count, replacement, cancellationToken).ConfigureAwait(false);
        return new MemberRewriteOutcome(status, status == MemberRewriteStatus.Rewritten ? replacement.Length : 0);
    }
}

/// <summary>The contact history's part: the messages sent to the member. An erasure replaces the message ids (the shop's, often naming the member).</summary>
internal sealed class ContactHistoryParticipant(IContactHistoryStore store) : IMemberDataParticipant
{
    private IContactHistoryDataStore DataStore => store as IContactHistoryDataStore
        ?? throw new InvalidOperationException($"The contact history store {store.GetType().Name} does not implement {nameof(IContactHistoryDataStore)}; implement it so that members can be exported, erased and rectified.");

    public string Section => "contacts";

    public async ValueTask<bool> HoldsDataAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        (await store.ListAsync(programId, memberId, Instant.MinValue, cancellationToken).ConfigureAwait(false)).Count > 0;

    public async ValueTask<int> ExportAsync(MemberDataExport export, CancellationToken cancellationToken = default)
    {
        var contacts = await store.ListAsync(export.ProgramId, export.MemberId, Instant.MinValue, cancellationToken).ConfigureAwait(false);
        export.Writer.WriteStartArray();
        foreach (var record in contacts)
        {
            ExportJson.Contact(export, record);
        }

        export.Writer.WriteEndArray();
        return contacts.Count;
    }

    public async ValueTask<MemberRewriteOutcome> RewriteAsync(MemberDataRewrite rewrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rewrite);
        var contacts = await store.ListAsync(rewrite.ProgramId, rewrite.From, Instant.MinValue, cancellationToken).ConfigureAwait(false);
        if (contacts.Count == 0)
        {
            return MemberRewriteOutcome.NotFound;
        }

        var replacement = contacts.Select(r => r with { MemberId = rewrite.To, MessageId = rewrite.IsErasure ? rewrite.MapId(r.MessageId) : r.MessageId }).ToArray();
        var status = await DataStore.RewriteContactsAsync(rewrite.ProgramId, rewrite.From, contacts.Count, replacement, cancellationToken).ConfigureAwait(false);
        return new MemberRewriteOutcome(status, status == MemberRewriteStatus.Rewritten ? replacement.Length : 0);
    }
}
