using System.Globalization;
using System.Text.Json;
using Loyalty.Core.Configuration;
using Loyalty.Core.Earning;
using Loyalty.Core.Engagement;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using NodaTime;
using NodaTime.Text;

namespace Loyalty.Core.DataRights;

/// <summary>
/// A member's data rights over everything the programme keeps: export (one JSON document, streamed),
/// erasure that keeps the books exact, rectification of the shop's member id, merging two members'
/// balances, and the retention limit. Every request is audited (<see cref="IDataRightsAuditStore"/>).
/// </summary>
/// <remarks>
/// <para>Erasure moves every row of the member, in every store, to a random pseudonym and replaces every
/// id of those rows (order, refund, activity, transaction, redemption, message ids) with random ones;
/// personal fields (birth date, referral code, coupons, free text) are dropped. No table keeps the link
/// from the shop's id to the pseudonym, so the rows are anonymous once the request returns, while every
/// amount stays where it was: other members' balances, campaign budgets, stock and liability do not move
/// by a point. See docs/data-rights.md.</para>
/// <para>Stores take part through <see cref="IMemberDataParticipant"/>: the core stores' parts are built
/// in, further stores register theirs in DI. A request runs through all of them inside one
/// <see cref="ILoyaltyUnitOfWork"/> call when the stores have one.</para>
/// <para>Thread-safe; requests about different members run in parallel.</para>
/// </remarks>
public sealed class DataRightsService
{
    /// <summary>The value of the export document's <c>format</c> property.</summary>
    public const string ExportFormat = "loyalty-core/member-export";

    /// <summary>The version of the export document's shape (its <c>version</c> property).</summary>
    public const int ExportVersion = 1;

    private readonly IClock clock;
    private readonly ProgramSettings settings;
    private readonly PointsLedger ledger;
    private readonly IMemberStore members;
    private readonly IRewardCatalogStore rewards;
    private readonly IDataRightsAuditStore audit;
    private readonly ILoyaltyUnitOfWork? unitOfWork;
    private readonly IReadOnlyList<IMemberDataParticipant> participants;
    private readonly DataRightsOptions options;
    private readonly ErasedMembers? erasedMembers;

    /// <summary>Creates the service over the programme's stores.</summary>
    /// <param name="clock">The clock (audit instants, export instant).</param>
    /// <param name="settings">The programme (id, time zone).</param>
    /// <param name="ledger">The programme's ledger service (merges write through it).</param>
    /// <param name="ledgerStore">The ledger store; must implement <see cref="ILedgerDataStore"/>.</param>
    /// <param name="members">The member store; must implement <see cref="IMemberDataStore"/>.</param>
    /// <param name="rewards">The reward catalogue store; must implement <see cref="IRedemptionDataStore"/>.</param>
    /// <param name="budgets">The campaign budget store; must implement <see cref="ICampaignBudgetDataStore"/>.</param>
    /// <param name="audit">The audit store.</param>
    /// <param name="options">The options (copied).</param>
    /// <param name="consents">The consent store (must implement <see cref="IConsentDataStore"/>), or null when engagement is not used.</param>
    /// <param name="contacts">The contact history store (must implement <see cref="IContactHistoryDataStore"/>), or null when engagement is not used.</param>
    /// <param name="otherParticipants">The parts of further stores (registered in DI), run after the core stores'.</param>
    /// <param name="unitOfWork">The stores' unit of work, or null.</param>
    /// <param name="erasedMembers">The erasure markers, or null to mark nothing (erased ids are then answered as never known).</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range, or two participants share a section name.</exception>
    public DataRightsService(
        IClock clock,
        ProgramSettings settings,
        PointsLedger ledger,
        ILedgerStore ledgerStore,
        IMemberStore members,
        IRewardCatalogStore rewards,
        ICampaignBudgetStore budgets,
        IDataRightsAuditStore audit,
        DataRightsOptions options,
        IConsentStore? consents = null,
        IContactHistoryStore? contacts = null,
        IEnumerable<IMemberDataParticipant>? otherParticipants = null,
        ILoyaltyUnitOfWork? unitOfWork = null,
        ErasedMembers? erasedMembers = null)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(ledgerStore);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(rewards);
        ArgumentNullException.ThrowIfNull(budgets);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.clock = clock;
        this.settings = settings;
        this.ledger = ledger;
        this.members = members;
        this.rewards = rewards;
        this.audit = audit;
        this.unitOfWork = unitOfWork;
        this.erasedMembers = erasedMembers;
        this.options = new DataRightsOptions { RetentionPeriod = options.RetentionPeriod, MaxAttempts = options.MaxAttempts, ErasureMarkerKey = options.ErasureMarkerKey };

        // Order matters for a rewrite: stores whose rows are found through the member's records run
        // before the member store; the campaign budgets, keyed by the transaction ids the member and
        // ledger stores' rewrites map, run after it, last.
        var budgetParticipant = new CampaignBudgetParticipant(budgets, members);
        var list = new List<IMemberDataParticipant>
        {
            new RedemptionParticipant(rewards),
            new LedgerParticipant(ledgerStore),
        };
        if (consents is not null)
        {
            list.Add(new ConsentParticipant(consents));
        }

        if (contacts is not null)
        {
            list.Add(new ContactHistoryParticipant(contacts));
        }

        if (rewards is IRewardCodeStore codes)
        {
            list.Add(new RewardCodeParticipant(codes));
        }

        if (otherParticipants is not null)
        {
            list.AddRange(otherParticipants.Select(p => p ?? throw new ArgumentException("A registered IMemberDataParticipant is null.", nameof(otherParticipants))));
        }

        list.Add(new AuditParticipant(audit));
        list.Add(new MemberStoreParticipant(members));
        list.Add(budgetParticipant);
        var duplicate = list.GroupBy(p => p.Section, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two member data participants use the export section '{duplicate.Key}'; give each store its own section name.", nameof(otherParticipants));
        }

        participants = list;
    }

    /// <summary>The export sections, in the order they are written and rewritten.</summary>
    public IReadOnlyList<string> Sections => participants.Select(p => p.Section).ToArray();

    // ------------------------------------------------------------------------------------------- export

    /// <summary>
    /// Writes everything the programme holds about a member to <paramref name="destination"/> as one JSON
    /// document (UTF-8; shape in docs/data-rights.md and docs/member-export.schema.json), store by store,
    /// flushing page by page so that memory stays flat for a long history.
    /// </summary>
    /// <param name="memberId">The member.</param>
    /// <param name="destination">A writable stream; left open.</param>
    /// <param name="request">The request id and requester (audited).</param>
    /// <param name="cancellationToken">Cancels the export (the stream then holds an incomplete document).</param>
    /// <returns>Completed with the records per section; <see cref="DataRightsStatus.UnknownMember"/> (nothing written) when no store holds the member.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default, <paramref name="destination"/> is not writable, or the request is invalid.</exception>
    public async Task<DataRightsResult> ExportAsync(MemberId memberId, Stream destination, DataRightsRequest request, CancellationToken cancellationToken = default)
    {
        CheckMember(memberId, nameof(memberId));
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The export destination stream must be writable.", nameof(destination));
        }

        CheckRequest(request);
        var earlier = await audit.FindAsync(settings.ProgramId, request.RequestId, cancellationToken).ConfigureAwait(false);
        if (earlier is not null && (earlier.Action != DataRightsAction.Export || earlier.MemberId != memberId))
        {
            return RequestIdInUse(earlier);
        }

        if (!await HoldsDataAsync(memberId, cancellationToken).ConfigureAwait(false))
        {
            return await RecordAsync(request, DataRightsAction.Export, null, DataRightsStatus.UnknownMember, 0, Unknown(memberId), new Dictionary<string, int>(), earlier, cancellationToken).ConfigureAwait(false);
        }

        var sections = new Dictionary<string, int>(StringComparer.Ordinal);
        var writer = new Utf8JsonWriter(destination, new JsonWriterOptions { Indented = false });
        await using (writer.ConfigureAwait(false))
        {
            var export = new MemberDataExport(settings.ProgramId, memberId, writer, destination, await RedactionsAsync(memberId, cancellationToken).ConfigureAwait(false));
            writer.WriteStartObject();
            writer.WriteString("format", ExportFormat);
            writer.WriteNumber("version", ExportVersion);
            writer.WriteString("programId", settings.ProgramId.Value);
            writer.WriteString("memberId", memberId.Value);
            writer.WriteString("exportedAt", InstantPattern.ExtendedIso.Format(clock.GetCurrentInstant()));
            writer.WriteStartObject("sections");
            foreach (var participant in participants)
            {
                writer.WritePropertyName(participant.Section);
                sections[participant.Section] = await participant.ExportAsync(export, cancellationToken).ConfigureAwait(false);
                await export.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("counts");
            foreach (var (section, count) in sections)
            {
                writer.WriteNumber(section, count);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            await export.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        var records = sections.Values.Sum();
        return await RecordAsync(
            request,
            DataRightsAction.Export,
            memberId,
            DataRightsStatus.Completed,
            records,
            string.Create(CultureInfo.InvariantCulture, $"Exported {records} records of member '{memberId}'."),
            sections,
            earlier,
            cancellationToken).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------------------------------- erasure

    /// <summary>
    /// Erases a member: every row in every store moves to a random pseudonym with random ids and without
    /// personal fields, in one unit of work; nothing links the shop's id to them afterwards. Balances of
    /// other members, budgets, stock and liability stay exact. A later call for the same member id finds
    /// nothing (<see cref="DataRightsStatus.UnknownMember"/>) and a later order or summary for it is
    /// refused as not enrolled; enrolling the id again starts a new, empty member.
    /// </summary>
    /// <param name="memberId">The member.</param>
    /// <param name="request">The request id (idempotency key: the same id again returns <see cref="DataRightsStatus.AlreadyCompleted"/>) and requester.</param>
    /// <param name="cancellationToken">Cancels the request before its commit.</param>
    /// <returns>Completed with the records rewritten per store, or why nothing was done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default, or the request is invalid.</exception>
    public Task<DataRightsResult> EraseAsync(MemberId memberId, DataRightsRequest request, CancellationToken cancellationToken = default)
    {
        CheckMember(memberId, nameof(memberId));
        CheckRequest(request);
        return EraseAsync(memberId, request, DataRightsAction.Erasure, cancellationToken);
    }

    private async Task<DataRightsResult> EraseAsync(MemberId memberId, DataRightsRequest request, DataRightsAction action, CancellationToken cancellationToken)
    {
        var earlier = await audit.FindAsync(settings.ProgramId, request.RequestId, cancellationToken).ConfigureAwait(false);
        if (earlier is not null)
        {
            return earlier.Action == action ? AlreadyCompleted(earlier) : RequestIdInUse(earlier);
        }

        if (!await HoldsDataAsync(memberId, cancellationToken).ConfigureAwait(false))
        {
            if (erasedMembers is not null && await erasedMembers.WasErasedAsync(settings.ProgramId, memberId, cancellationToken).ConfigureAwait(false))
            {
                return await RecordAsync(request, action, null, DataRightsStatus.AlreadyErased, 0, $"Member '{memberId}' was already erased from programme '{settings.ProgramId}'; nothing of it is left.", new Dictionary<string, int>(), null, cancellationToken).ConfigureAwait(false);
            }

            return await RecordAsync(request, action, null, DataRightsStatus.UnknownMember, 0, Unknown(memberId), new Dictionary<string, int>(), null, cancellationToken).ConfigureAwait(false);
        }

        var referrer = (await members.GetMemberAsync(settings.ProgramId, memberId, cancellationToken).ConfigureAwait(false))?.ReferredBy;
        var sections = new Dictionary<string, int>(StringComparer.Ordinal);
        var rewrite = MemberDataRewrite.ForErasure(settings.ProgramId, memberId);
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await RewriteAllAsync(rewrite, cancellationToken).ConfigureAwait(false);
            if (outcome.Status == MemberRewriteStatus.TargetExists)
            {
                throw new InvalidOperationException($"A store already holds the random pseudonym '{rewrite.To}'; the store's rewrite is wrong.");
            }

            if (outcome.Status == MemberRewriteStatus.Rewritten)
            {
                foreach (var (section, count) in outcome.Sections)
                {
                    sections[section] = sections.GetValueOrDefault(section) + count;
                }
            }

            if (!await HoldsDataAsync(memberId, cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            // A write of the member landed after its store was rewritten (an order's ledger step after
            // the order was erased), or a store refused for a concurrent change: go again under another
            // member pseudonym (rows already rewritten keep theirs) with the same id map, so that a late
            // transaction keeps the id its order record now names, and is never written twice.
            rewrite = rewrite.WithNewPseudonym();

            if (attempt >= options.MaxAttempts)
            {
                return await RecordAsync(request, action, null, DataRightsStatus.Conflict, sections.Values.Sum(), Conflict(memberId), sections, null, cancellationToken).ConfigureAwait(false);
            }
        }

        if (referrer is { } by)
        {
            var label = MemberDataRewrite.NewPseudonym();
            if (!await RenameReferralAsync(by, memberId, ActivityId.From(label), cancellationToken).ConfigureAwait(false))
            {
                return await RecordAsync(request, action, null, DataRightsStatus.Conflict, sections.Values.Sum(), Conflict(memberId), sections, null, cancellationToken).ConfigureAwait(false);
            }
        }

        var records = sections.Values.Sum();
        return await RecordAsync(
            request,
            action,
            null,
            DataRightsStatus.Completed,
            records,
            string.Create(CultureInfo.InvariantCulture, $"Erased member '{memberId}': {records} records now under a random pseudonym, with no link to the id."),
            sections,
            null,
            cancellationToken).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------------------------- rectification

    /// <summary>
    /// Changes a member's shop id (an e-mail used as id changed, two shop accounts were merged into the
    /// other id): every row in every store moves to <paramref name="newId"/> with its history, and the
    /// ids the programme derived from the old id (sign-up, birthday and referral activities and their
    /// transactions) follow, so that a later birthday or webhook is still recognised.
    /// </summary>
    /// <param name="memberId">The member's current id.</param>
    /// <param name="newId">The new id; must not be used by any store.</param>
    /// <param name="request">The request id and requester (audited; the old id is not kept).</param>
    /// <param name="cancellationToken">Cancels the request before its commit.</param>
    /// <returns>Completed, or <see cref="DataRightsStatus.UnknownMember"/>, <see cref="DataRightsStatus.TargetInUse"/>, <see cref="DataRightsStatus.SameMember"/>, …</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    /// <exception cref="ArgumentException">An id is default, or the request is invalid.</exception>
    /// <exception cref="NotSupportedException">The member has rows in a store that can erase but not re-key a member (a reward code, card, household or points transfer store that does not implement its re-keying interface, such as <see cref="ICardDataStore"/>); nothing is changed.</exception>
    public async Task<DataRightsResult> RectifyAsync(MemberId memberId, MemberId newId, DataRightsRequest request, CancellationToken cancellationToken = default)
    {
        CheckMember(memberId, nameof(memberId));
        CheckMember(newId, nameof(newId));
        CheckRequest(request);
        var earlier = await audit.FindAsync(settings.ProgramId, request.RequestId, cancellationToken).ConfigureAwait(false);
        if (earlier is not null)
        {
            return earlier.Action == DataRightsAction.Rectification && earlier.MemberId == newId ? AlreadyCompleted(earlier) : RequestIdInUse(earlier);
        }

        if (memberId == newId)
        {
            return new DataRightsResult { Status = DataRightsStatus.SameMember, Message = $"Member '{memberId}' already has this id; nothing to rectify." };
        }

        if (!await HoldsDataAsync(memberId, cancellationToken).ConfigureAwait(false))
        {
            return new DataRightsResult { Status = DataRightsStatus.UnknownMember, Message = Unknown(memberId) };
        }

        if (await HoldsDataAsync(newId, cancellationToken).ConfigureAwait(false))
        {
            return TargetInUse(newId);
        }

        foreach (var participant in participants.OfType<ErasureOnlyParticipant>().Where(p => !p.CanRekey))
        {
            if (await participant.HoldsDataAsync(settings.ProgramId, memberId, cancellationToken).ConfigureAwait(false))
            {
                throw new NotSupportedException($"Member '{memberId}' has rows in the {participant.StoreName} (section '{participant.Section}'), which can export and erase a member but not move one to another id; nothing was changed. Erase those rows first (or keep the old id).");
            }
        }

        var referrer = (await members.GetMemberAsync(settings.ProgramId, memberId, cancellationToken).ConfigureAwait(false))?.ReferredBy;
        var history = await members.GetHistoryAsync(settings.ProgramId, memberId, cancellationToken).ConfigureAwait(false);
        var rewrite = MemberDataRewrite.ForRectification(settings.ProgramId, memberId, newId, DerivedIdRenames(memberId, newId, history));
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await RewriteAllAsync(rewrite, cancellationToken).ConfigureAwait(false);
            if (outcome.Status == MemberRewriteStatus.TargetExists)
            {
                return TargetInUse(newId);
            }

            if (outcome.Status == MemberRewriteStatus.Rewritten && !await HoldsDataAsync(memberId, cancellationToken).ConfigureAwait(false))
            {
                if (referrer is { } by && !await RenameReferralAsync(by, memberId, DerivedIds.ReferralCompleted(newId), cancellationToken).ConfigureAwait(false))
                {
                    return new DataRightsResult { Status = DataRightsStatus.Conflict, Message = Conflict(memberId) };
                }

                var records = outcome.Sections.Values.Sum();
                return await RecordAsync(
                    request,
                    DataRightsAction.Rectification,
                    newId,
                    DataRightsStatus.Completed,
                    records,
                    string.Create(CultureInfo.InvariantCulture, $"Member '{memberId}' is now '{newId}': {records} records moved with their history."),
                    outcome.Sections,
                    null,
                    cancellationToken).ConfigureAwait(false);
            }

            if (attempt >= options.MaxAttempts)
            {
                return new DataRightsResult { Status = DataRightsStatus.Conflict, Message = Conflict(memberId) };
            }
        }
    }

    // ------------------------------------------------------------------------------------------- merge

    /// <summary>
    /// Moves a member's available points to another member, with a ledger trail: a debit on
    /// <paramref name="memberId"/> and a credit on <paramref name="intoId"/>, both ids derived from the request
    /// id (<c>merge-out:</c> / <c>merge-in:</c>) with the reason <c>merge:{request id}</c>, in one unit of work.
    /// Pending and held points stay with the source (merge again once they are available); each member
    /// keeps its own orders and history. Erase or keep the source afterwards as the shop decides.
    /// </summary>
    /// <param name="memberId">The member whose available points move.</param>
    /// <param name="intoId">The member who receives them.</param>
    /// <param name="request">The request id (idempotency key) and requester (the actor of the adjustments).</param>
    /// <param name="cancellationToken">Cancels the request before its commit.</param>
    /// <returns>Completed with <see cref="DataRightsResult.PointsMoved"/>, or why nothing was done.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    /// <exception cref="ArgumentException">An id is default, or the request is invalid.</exception>
    public async Task<DataRightsResult> MergeBalancesAsync(MemberId memberId, MemberId intoId, DataRightsRequest request, CancellationToken cancellationToken = default)
    {
        CheckMember(memberId, nameof(memberId));
        CheckMember(intoId, nameof(intoId));
        CheckRequest(request);
        var earlier = await audit.FindAsync(settings.ProgramId, request.RequestId, cancellationToken).ConfigureAwait(false);
        if (earlier is not null)
        {
            return earlier.Action == DataRightsAction.Merge && earlier.MemberId == intoId ? AlreadyCompleted(earlier) : RequestIdInUse(earlier);
        }

        if (memberId == intoId)
        {
            return new DataRightsResult { Status = DataRightsStatus.SameMember, Message = $"A member's points cannot be merged into the same member ('{memberId}')." };
        }

        if (await members.GetMemberAsync(settings.ProgramId, memberId, cancellationToken).ConfigureAwait(false) is null)
        {
            return new DataRightsResult { Status = DataRightsStatus.UnknownMember, Message = $"Member '{memberId}' is not enrolled in programme '{settings.ProgramId}'; there is nothing to merge." };
        }

        if (await members.GetMemberAsync(settings.ProgramId, intoId, cancellationToken).ConfigureAwait(false) is null)
        {
            return new DataRightsResult { Status = DataRightsStatus.TargetUnknown, Message = $"Member '{intoId}' is not enrolled in programme '{settings.ProgramId}'; enrol it before merging points into it." };
        }

        var outId = TransactionId.From("merge-out:" + request.RequestId);
        var inId = TransactionId.From("merge-in:" + request.RequestId);
        var reason = "merge:" + request.RequestId;
        var moved = await AtomicallyAsync(
            async ct =>
            {
                var recorded = await ledger.FindTransactionAsync(outId, ct).ConfigureAwait(false);
                var points = recorded is not null ? Points.FromInt64(-recorded.Amount) : (await ledger.GetBalanceAsync(memberId, ct).ConfigureAwait(false)).Available;
                if (points <= Points.Zero)
                {
                    return Points.Zero;
                }

                var debit = await ledger.AdjustAsync(new AdjustPoints(outId, memberId, AdjustmentDirection.Debit, points, reason, request.RequestedBy), ct).ConfigureAwait(false);
                if (!debit.Succeeded)
                {
                    throw new InvalidOperationException($"The merge's debit of {points} points from member '{memberId}' was refused: {debit.Error}.");
                }

                var credit = await ledger.AdjustAsync(new AdjustPoints(inId, intoId, AdjustmentDirection.Credit, points, reason, request.RequestedBy), ct).ConfigureAwait(false);
                if (!credit.Succeeded)
                {
                    throw new InvalidOperationException($"The merge's credit of {points} points to member '{intoId}' was refused: {credit.Error}.");
                }

                return points;
            },
            cancellationToken).ConfigureAwait(false);
        var result = await RecordAsync(
            request,
            DataRightsAction.Merge,
            intoId,
            DataRightsStatus.Completed,
            moved.Value,
            string.Create(CultureInfo.InvariantCulture, $"Moved {moved} available points from member '{memberId}' to member '{intoId}' (transactions '{outId}' and '{inId}')."),
            new Dictionary<string, int>(),
            null,
            cancellationToken).ConfigureAwait(false);
        return result with { PointsMoved = moved };
    }

    // ------------------------------------------------------------------------------------------- retention

    /// <summary>
    /// The retention cut-off at <paramref name="asOf"/>: the retention period before it, counted in
    /// calendar units in the programme's time zone (a local time that does not exist in the zone, in a
    /// spring-forward gap, moves forward by the gap; an ambiguous one takes the earlier instant).
    /// </summary>
    /// <param name="asOf">The instant of the run.</param>
    /// <returns>Members last active before it are past the limit.</returns>
    public Instant RetentionCutoff(Instant asOf)
    {
        var local = asOf.InZone(settings.TimeZone).LocalDateTime;
        return (local - options.RetentionPeriod).InZoneLeniently(settings.TimeZone).ToInstant();
    }

    /// <summary>
    /// Lists, page by page, the members whose last purchase, own activity (sign-up, review, survey,
    /// custom event), redemption or enrolment is before the <see cref="RetentionCutoff">retention cut-off</see>.
    /// Contacts the shop sent and automatic grants (birthdays, a referee's order) do not count as activity.
    /// </summary>
    /// <param name="asOf">The instant of the run.</param>
    /// <param name="partition">The partition of members to examine (<see cref="MemberPartition.All"/> for all).</param>
    /// <param name="after">The previous page's <see cref="RetentionPage.ContinueAfter"/>, or null from the start.</param>
    /// <param name="maxCount">Members examined per page, 1 or more.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The page.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxCount"/> is less than 1.</exception>
    public async Task<RetentionPage> ListInactiveAsync(Instant asOf, MemberPartition partition, MemberId? after, int maxCount, CancellationToken cancellationToken = default)
    {
        if (maxCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxCount), maxCount, "maxCount must be at least 1 (members examined per page).");
        }

        var cutoff = RetentionCutoff(asOf);
        var page = await members.ReadMemberPageAsync(settings.ProgramId, partition, after, maxCount, cancellationToken).ConfigureAwait(false);
        var inactive = new List<InactiveMember>();
        var examined = 0;
        foreach (var entry in page)
        {
            if (entry.Member.MemberId.Value.StartsWith(MemberDataRewrite.ErasedPrefix, StringComparison.Ordinal))
            {
                // Already erased: the rows are anonymous and kept for the books.
                continue;
            }

            examined++;
            var last = LastActive(entry);
            if (last >= cutoff)
            {
                continue;
            }

            // Redemptions are in another store: read them only for members otherwise inactive.
            var redemptions = await rewards.ListRedemptionsAsync(settings.ProgramId, entry.Member.MemberId, cancellationToken).ConfigureAwait(false);
            foreach (var redemption in redemptions)
            {
                last = Max(last, redemption.RedeemedAt);
            }

            if (last < cutoff)
            {
                inactive.Add(new InactiveMember(entry.Member.MemberId, last));
            }
        }

        return new RetentionPage(cutoff, inactive, page.Count < maxCount ? null : page[^1].Member.MemberId, examined);
    }

    /// <summary>
    /// Erases every member past the retention limit (as <see cref="EraseAsync(MemberId, DataRightsRequest, CancellationToken)"/>
    /// does, audited as <see cref="DataRightsAction.RetentionErasure"/> with request ids <c>{request id}/{n}</c>):
    /// the maintenance step a shop runs nightly or monthly. Partitionable like every batch run.
    /// </summary>
    /// <param name="asOf">The instant of the run.</param>
    /// <param name="partition">The partition (<see cref="MemberPartition.All"/> for all).</param>
    /// <param name="request">The run's request id and requester.</param>
    /// <param name="pageSize">Members examined per page, 1 or more.</param>
    /// <param name="cancellationToken">Cancels the run between members.</param>
    /// <returns>What was examined and erased.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    /// <exception cref="ArgumentException">The request is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pageSize"/> is less than 1.</exception>
    public async Task<RetentionRunResult> EraseInactiveAsync(Instant asOf, MemberPartition partition, DataRightsRequest request, int pageSize = 500, CancellationToken cancellationToken = default)
    {
        CheckRequest(request);
        if (pageSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, "pageSize must be at least 1 (members examined per page).");
        }

        int examined = 0, erased = 0, failed = 0;
        var cutoff = RetentionCutoff(asOf);
        for (MemberId? after = null; ;)
        {
            var page = await ListInactiveAsync(asOf, partition, after, pageSize, cancellationToken).ConfigureAwait(false);
            examined += page.Examined;
            foreach (var member in page.Members)
            {
                var id = request with { RequestId = request.RequestId + "/" + MemberDataRewrite.NewPseudonym()[MemberDataRewrite.ErasedPrefix.Length..] };
                var result = await EraseAsync(member.MemberId, id, DataRightsAction.RetentionErasure, cancellationToken).ConfigureAwait(false);
                if (result.Status == DataRightsStatus.Completed)
                {
                    erased++;
                }
                else
                {
                    failed++;
                }
            }

            if (page.ContinueAfter is not { } next)
            {
                break;
            }

            after = next;
        }

        return new RetentionRunResult(cutoff, examined, erased, failed);
    }

    // ------------------------------------------------------------------------------------------- helpers

    /// <summary>Whether any store holds anything under the member's id (the audit aside).</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>True when some store holds a row naming the member.</returns>
    public async Task<bool> HoldsDataAsync(MemberId memberId, CancellationToken cancellationToken = default)
    {
        CheckMember(memberId, nameof(memberId));
        foreach (var participant in participants)
        {
            if (participant is AuditParticipant)
            {
                continue;
            }

            if (await participant.HoldsDataAsync(settings.ProgramId, memberId, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Renames, in the referrer's rows, the referral activity the programme named after the referee (and
    /// its transaction), so that no row of the referrer names a referee erased or rectified away.
    /// </summary>
    private async Task<bool> RenameReferralAsync(MemberId referrer, MemberId referee, ActivityId renamed, CancellationToken cancellationToken)
    {
        var old = DerivedIds.ReferralCompleted(referee);
        var history = await members.GetHistoryAsync(settings.ProgramId, referrer, cancellationToken).ConfigureAwait(false);
        if (!history.Activities.Any(a => a.ActivityId == old))
        {
            return true;
        }

        var rewrite = MemberDataRewrite.ForRenames(
            settings.ProgramId,
            referrer,
            new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [old.Value] = renamed.Value,
                [DerivedIds.Activity(old).Value] = DerivedIds.Activity(renamed).Value,
            });
        for (var attempt = 1; attempt <= options.MaxAttempts; attempt++)
        {
            if ((await RewriteAllAsync(rewrite, cancellationToken).ConfigureAwait(false)).Status == MemberRewriteStatus.Rewritten)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The ids in a member's rows that name another member, and the neutral labels the export writes instead.</summary>
    private async Task<IReadOnlyDictionary<string, string>> RedactionsAsync(MemberId memberId, CancellationToken cancellationToken)
    {
        var redactions = new Dictionary<string, string>(StringComparer.Ordinal);
        if (members is not IMemberDataStore data)
        {
            return redactions;
        }

        var referees = await data.ListReferredMembersAsync(settings.ProgramId, memberId, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < referees.Count; i++)
        {
            var activity = DerivedIds.ReferralCompleted(referees[i].MemberId);
            var label = ActivityId.From("referral:#" + (i + 1).ToString(CultureInfo.InvariantCulture));
            redactions[activity.Value] = label.Value;
            redactions[DerivedIds.Activity(activity).Value] = DerivedIds.Activity(label).Value;
        }

        return redactions;
    }

    private async Task<(MemberRewriteStatus Status, Dictionary<string, int> Sections)> RewriteAllAsync(MemberDataRewrite rewrite, CancellationToken cancellationToken)
    {
        try
        {
            return await AtomicallyAsync(
                async ct =>
                {
                    var sections = new Dictionary<string, int>(StringComparer.Ordinal);
                    var any = false;
                    foreach (var participant in participants)
                    {
                        var outcome = await participant.RewriteAsync(rewrite, ct).ConfigureAwait(false);
                        switch (outcome.Status)
                        {
                            case MemberRewriteStatus.Rewritten:
                                sections[participant.Section] = outcome.Records;
                                any = true;
                                break;
                            case MemberRewriteStatus.NotFound:
                                break;
                            default:
                                // Undo what the unit of work can; the caller retries with a fresh read.
                                throw new RewriteRefusedException(outcome.Status);
                        }
                    }

                    if (any && rewrite.IsErasure && erasedMembers is not null)
                    {
                        // In the same unit of work as the rewrite: a call that finds the member gone finds the marker.
                        await erasedMembers.MarkAsync(rewrite.ProgramId, rewrite.From, ct).ConfigureAwait(false);
                    }

                    return (any ? MemberRewriteStatus.Rewritten : MemberRewriteStatus.NotFound, sections);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (RewriteRefusedException refused)
        {
            return (refused.Status, new Dictionary<string, int>());
        }
        catch (LoyaltyStoreException fault) when (fault.IsTransient && unitOfWork is not null)
        {
            // The database gave up on the transaction (a deadlock with a concurrent write of the member, a
            // serialization failure): nothing of it was kept, so the request goes again like after a conflict.
            return (MemberRewriteStatus.Conflict, new Dictionary<string, int>());
        }
        finally
        {
            // Cached ledger states of the old id (or of one rolled back) must not serve a later write.
            ledger.ForgetCachedAccounts();
        }
    }

    private async Task<T> AtomicallyAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (unitOfWork is null)
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await unitOfWork.RunAsync(ledger.ForgettingOnRerun(work), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ledger.ForgetCachedAccounts();
            throw;
        }
    }

    private static Dictionary<string, string> DerivedIdRenames(MemberId from, MemberId to, MemberHistory history)
    {
        var renames = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(ActivityId old, ActivityId @new)
        {
            renames[old.Value] = @new.Value;
            renames[DerivedIds.Activity(old).Value] = DerivedIds.Activity(@new).Value;
        }

        Add(DerivedIds.SignUp(from), DerivedIds.SignUp(to));
        Add(DerivedIds.ReferralCompleted(from), DerivedIds.ReferralCompleted(to));
        renames[DerivedIds.RefereeBonus(from).Value] = DerivedIds.RefereeBonus(to).Value;
        foreach (var activity in history.Activities.Where(a => a.Activity.Kind == ActivityKind.Birthday))
        {
            var year = activity.Activity.OccurredAt.InUtc().Year;
            for (var y = year - 1; y <= year + 1; y++)
            {
                Add(DerivedIds.Birthday(from, y), DerivedIds.Birthday(to, y));
            }
        }

        return renames;
    }

    private static Instant LastActive(MemberPageEntry entry)
    {
        var last = entry.Member.EnrolledAt;
        foreach (var order in entry.History.Orders)
        {
            last = Max(last, order.Order.PlacedAt);
        }

        foreach (var activity in entry.History.Activities)
        {
            if (activity.Activity.Kind is not (ActivityKind.Birthday or ActivityKind.ReferralCompleted))
            {
                last = Max(last, activity.Activity.OccurredAt);
            }
        }

        return last;
    }

    private static Instant Max(Instant a, Instant b) => a > b ? a : b;

    private async Task<DataRightsResult> RecordAsync(
        DataRightsRequest request,
        DataRightsAction action,
        MemberId? memberId,
        DataRightsStatus status,
        long records,
        string message,
        IReadOnlyDictionary<string, int> sections,
        DataRightsAuditEntry? earlier,
        CancellationToken cancellationToken)
    {
        var entry = earlier ?? new DataRightsAuditEntry
        {
            ProgramId = settings.ProgramId,
            RequestId = request.RequestId,
            Action = action,
            At = clock.GetCurrentInstant(),
            RequestedBy = request.RequestedBy,
            MemberId = memberId,
            Status = status,
            Records = records,
        };
        if (earlier is null && !await audit.AppendAsync(entry, cancellationToken).ConfigureAwait(false))
        {
            entry = await audit.FindAsync(settings.ProgramId, request.RequestId, cancellationToken).ConfigureAwait(false) ?? entry;
        }

        return new DataRightsResult { Status = status, Message = message, Sections = sections, Audit = entry };
    }

    private static DataRightsResult AlreadyCompleted(DataRightsAuditEntry earlier) => new()
    {
        Status = DataRightsStatus.AlreadyCompleted,
        Message = string.Create(CultureInfo.InvariantCulture, $"Request '{earlier.RequestId}' was already handled at {earlier.At} ({earlier.Action}: {earlier.Status}); nothing was done again."),
        Audit = earlier,
    };

    private static DataRightsResult RequestIdInUse(DataRightsAuditEntry earlier) => new()
    {
        Status = DataRightsStatus.RequestIdInUse,
        Message = string.Create(CultureInfo.InvariantCulture, $"Request id '{earlier.RequestId}' was already used at {earlier.At} for another request ({earlier.Action}); give each request its own id."),
        Audit = earlier,
    };

    private DataRightsResult TargetInUse(MemberId newId) => new()
    {
        Status = DataRightsStatus.TargetInUse,
        Message = $"Member id '{newId}' is already used in programme '{settings.ProgramId}'; to combine two members, merge the points with MergeBalancesAsync and erase the other member, or choose another id.",
    };

    private string Unknown(MemberId memberId) =>
        $"No store holds anything of member '{memberId}' in programme '{settings.ProgramId}': it was never enrolled, or it was already erased or rectified to another id.";

    private static string Conflict(MemberId memberId) =>
        $"Member '{memberId}' kept changing during the request (concurrent orders or updates); nothing inconsistent was kept; retry the request.";

    private static void CheckMember(MemberId memberId, string paramName)
    {
        if (memberId.IsDefault)
        {
            throw new ArgumentException("The member id must not be default(MemberId); use MemberId.From(\"…\").", paramName);
        }
    }

    private static void CheckRequest(DataRightsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate(nameof(request));
    }

    private sealed class RewriteRefusedException(MemberRewriteStatus status) : Exception($"A store refused the rewrite: {status}.")
    {
        public MemberRewriteStatus Status { get; } = status;
    }
}
