using System.Runtime.CompilerServices;
using Loyalty.Core.Configuration;
using Loyalty.Core.Internal;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.Engagement;

/// <summary>
/// Plans a programme's messages from its stores and records what the shop's mailer sent and what members
/// consented to. Each page of members is read with its kept state (member store), its balance and expiry
/// schedule (ledger), its tier outlook (tier evaluator), its purchase cycle (<see cref="RfmpSegmenter.PurchaseCycles"/>),
/// its segment, consents and recent contacts, then planned by the <see cref="EngagementPlanner"/>.
/// </summary>
/// <remarks>
/// The library never sends: the shop sends the messages of the plan, due before its next run
/// (<see cref="EngagementPlan.DueBefore"/>), and records each send (<see cref="RecordSentAsync(PlannedMessage, Instant, CancellationToken)"/>),
/// idempotently by message id; a message recorded as sent is never planned again. Thread-safe when its stores are.
/// </remarks>
public sealed class EngagementService
{
    private readonly IClock clock;
    private readonly ProgramSettings settings;
    private readonly Programs.QualificationWeights weights = new();
    private readonly EngagementPlanner planner;
    private readonly IMemberStore members;
    private readonly PointsLedger ledger;
    private readonly TierEvaluator tiers;
    private readonly IRewardCatalogStore rewards;
    private readonly IConsentStore consents;
    private readonly IContactHistoryStore contacts;

    /// <summary>Creates the service.</summary>
    /// <param name="clock">The clock, for consents recorded "now".</param>
    /// <param name="settings">The programme.</param>
    /// <param name="planner">The planner.</param>
    /// <param name="members">The member store.</param>
    /// <param name="ledger">The points ledger.</param>
    /// <param name="ladder">The tier ladder.</param>
    /// <param name="rewards">The rewards catalogue store.</param>
    /// <param name="consents">The consent store.</param>
    /// <param name="contacts">The contact history store.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public EngagementService(IClock clock, ProgramSettings settings, EngagementPlanner planner, IMemberStore members, PointsLedger ledger, TierLadder ladder,
        IRewardCatalogStore rewards, IConsentStore consents, IContactHistoryStore contacts)
    {
        this.clock = Preconditions.CheckNotNull(clock);
        this.settings = Preconditions.CheckNotNull(settings);
        this.planner = Preconditions.CheckNotNull(planner);
        this.members = Preconditions.CheckNotNull(members);
        this.ledger = Preconditions.CheckNotNull(ledger);
        tiers = new TierEvaluator(Preconditions.CheckNotNull(ladder));
        this.rewards = Preconditions.CheckNotNull(rewards);
        this.consents = Preconditions.CheckNotNull(consents);
        this.contacts = Preconditions.CheckNotNull(contacts);
    }

    /// <summary>Plans every member of the scope as of an instant, page by page, and returns the whole plan.</summary>
    /// <param name="asOf">The planning instant.</param>
    /// <param name="scope">The partition, page size and resume point; the whole programme when null.</param>
    /// <param name="segments">The members' segments, for the win-back trigger; none when null.</param>
    /// <param name="cancellationToken">Cancels the run between pages.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="ArgumentException">The scope is invalid.</exception>
    public async Task<EngagementPlan> PlanAsync(Instant asOf, EngagementScope? scope = null, EngagementSegments? segments = null, CancellationToken cancellationToken = default)
    {
        var messages = new List<PlannedMessage>();
        var held = new List<HeldMessage>();
        long planned = 0;
        await foreach (var page in PlanPagesAsync(asOf, scope, segments, cancellationToken).ConfigureAwait(false))
        {
            messages.AddRange(page.Plan.Messages);
            held.AddRange(page.Plan.Held);
            planned += page.Plan.MembersPlanned;
        }

        return new EngagementPlan(asOf, messages, held, planned);
    }

    /// <summary>Plans the members of the scope as of an instant, one page at a time (in partition-key order), so a long run can stream and resume.</summary>
    /// <param name="asOf">The planning instant.</param>
    /// <param name="scope">The partition, page size and resume point; the whole programme when null.</param>
    /// <param name="segments">The members' segments, for the win-back trigger; none when null.</param>
    /// <param name="cancellationToken">Cancels the run between pages.</param>
    /// <returns>The pages.</returns>
    /// <exception cref="ArgumentException">The scope is invalid.</exception>
    public async IAsyncEnumerable<EngagementPage> PlanPagesAsync(Instant asOf, EngagementScope? scope = null, EngagementSegments? segments = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        scope ??= EngagementScope.Whole;
        scope.Validate();
        segments ??= EngagementSegments.None;
        var programId = settings.ProgramId;
        var catalog = await rewards.GetCatalogAsync(programId, cancellationToken).ConfigureAwait(false);
        var after = scope.ResumeAfter;
        var number = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await members.ReadMemberPageAsync(programId, scope.Partition, after, scope.PageSize, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                yield break;
            }

            var states = await ReadStatesAsync(asOf, page, segments, cancellationToken).ConfigureAwait(false);
            after = page[^1].Member.MemberId;
            yield return new EngagementPage(++number, after.Value, planner.Plan(asOf, states, catalog));
            if (page.Count < scope.PageSize)
            {
                yield break;
            }
        }
    }

    /// <summary>Records that the shop sent a planned message. Idempotent: recording it again returns <see cref="ContactRecordStatus.Exists"/>.</summary>
    /// <param name="message">The planned message.</param>
    /// <param name="sentAt">When it was sent.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Added, exists, or conflict (another send has the id).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public async Task<ContactRecordResult> RecordSentAsync(PlannedMessage message, Instant sentAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return await RecordContactAsync(new ContactRecord
        {
            ProgramId = settings.ProgramId,
            MessageId = message.MessageId,
            MemberId = message.MemberId,
            Channel = message.Channel,
            Category = message.Category,
            MessageType = message.MessageType,
            SentAt = sentAt,
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records a send (one the shop sent by itself, e.g. a receipt, or a planned one). Idempotent by message id.</summary>
    /// <param name="record">The send, in this programme.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Added, exists, or conflict (another send has the id).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="record"/> is null.</exception>
    /// <exception cref="ArgumentException">The record is invalid or of another programme.</exception>
    public async Task<ContactRecordResult> RecordContactAsync(ContactRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        CheckProgramme(record.ProgramId, nameof(record));
        return await contacts.RecordAsync(record, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records a consent or an opt-out on a channel, taking effect at <paramref name="at"/> (now when null).</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="status">Granted or withdrawn.</param>
    /// <param name="source">Where it came from, e.g. <c>unsubscribe-link</c>.</param>
    /// <param name="at">When it was given, or null for the clock's current instant.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Added, exists (a repeat) or conflict.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public async Task<ConsentRecordResult> RecordConsentAsync(MemberId memberId, EngagementChannel channel, ConsentStatus status, string source, Instant? at = null, CancellationToken cancellationToken = default)
    {
        var record = new ConsentRecord
        {
            ProgramId = settings.ProgramId,
            MemberId = memberId,
            Channel = channel,
            Status = status,
            At = at ?? clock.GetCurrentInstant(),
            Source = source,
        };
        record.Validate();
        return await consents.RecordAsync(record, cancellationToken).ConfigureAwait(false);
    }

    private void CheckProgramme(ProgramId programId, string paramName)
    {
        if (programId != settings.ProgramId)
        {
            throw new ArgumentException($"The record is of programme '{programId}', not of this programme '{settings.ProgramId}'.", paramName);
        }
    }

    private async Task<EngagementMember[]> ReadStatesAsync(Instant asOf, IReadOnlyList<MemberPageEntry> page, EngagementSegments segments, CancellationToken cancellationToken)
    {
        var programId = settings.ProgramId;
        var options = planner.Options;
        var ids = page.Select(p => p.Member.MemberId).ToArray();
        var consentLogs = await consents.GetHistoriesAsync(programId, ids, cancellationToken).ConfigureAwait(false);
        var sent = await contacts.ListManyAsync(programId, ids, asOf - planner.ContactHistoryWindow, cancellationToken).ConfigureAwait(false);

        // Purchase cycles of the page, through the segmenter (orders placed by the planning instant).
        var purchases = new List<Purchase>();
        foreach (var entry in page)
        {
            foreach (var order in entry.History.Orders)
            {
                if (order.Order.PlacedAt <= asOf)
                {
                    purchases.Add(new Purchase(order.MemberId, order.OrderId, order.Order.PlacedAt, Money.FromDecimal(Math.Max(0m, order.Order.NetSubtotal), settings.Currency)));
                }
            }
        }

        var cycles = new RfmpSegmenter(new RfmpOptions { AsOf = asOf, TimeZone = settings.TimeZone, Currency = settings.Currency })
            .PurchaseCycles(purchases).Cycles.ToDictionary(c => c.Customer);
        var reviewHorizon = asOf - Duration.FromDays(options.ReviewInvitation.DaysAfterOrder + options.ReviewInvitation.ValidForDays + 2);
        var states = new EngagementMember[page.Count];
        for (var i = 0; i < page.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (member, history) = (page[i].Member, page[i].History);
            EngagementTierState? tier = null;
            List<ExpiringPoints> expiring = [];
            var available = Points.Zero;
            if (member.EnrolledAt <= asOf)
            {
                tier = EngagementTierState.From(tiers.Evaluate(TierMemberOf(member, history, asOf), asOf));
                available = (await ledger.GetBalanceAsOfAsync(member.MemberId, asOf, cancellationToken).ConfigureAwait(false)).Available;
                expiring = [.. await ledger.GetExpiryScheduleAsOfAsync(member.MemberId, options.PointsExpiring.WithinDays, asOf, cancellationToken).ConfigureAwait(false)];
            }

            var (segment, entered) = segments.Of(member.MemberId);
            states[i] = new EngagementMember
            {
                MemberId = member.MemberId,
                EnrolledAt = member.EnrolledAt,
                BirthDate = member.BirthDate,
                AvailablePoints = available,
                ExpiringSoon = expiring,
                Tier = tier,
                PurchaseCycle = cycles.GetValueOrDefault(member.MemberId),
                Segment = segment,
                SegmentEnteredOn = entered,
                RecentOrders = history.Orders.Where(o => o.Order.PlacedAt >= reviewHorizon && o.Order.PlacedAt <= asOf)
                    .Select(o => new RecentOrder(o.OrderId, o.Order.PlacedAt)).ToArray(),
                Consents = consentLogs[i],
                Contacts = sent[i],
            };
        }

        return states;
    }

    /// <summary>Sets how much each merchant counts towards tier qualification, as the programme does (DI does this for a coalition).</summary>
    internal EngagementService WithQualificationWeights(IReadOnlyDictionary<MerchantId, decimal>? configured)
    {
        if (configured is not null)
        {
            weights.Set(configured);
        }

        return this;
    }

    /// <summary>
    /// The member as the tier evaluator takes it: from the kept state when it is not ahead of the planning
    /// instant and, with a rolling window (which can start inside a day), holds no sum of several entries;
    /// else replayed from the history.
    /// </summary>
    private TierMember TierMemberOf(MemberRecord member, MemberHistory history, Instant asOf)
    {
        if (member.Evaluation is { } state && (state.TierCheckpoint is null || state.TierCheckpoint.EvaluatedAt <= asOf)
            && state.Qualification.All(q => q.At <= asOf && (!q.IsSum || tiers.Ladder.Policy.Window.Kind != QualificationWindowKind.RollingMonths)))
        {
            return new TierMember
            {
                MemberId = member.MemberId,
                EnrolledAt = member.EnrolledAt,
                History = state.Qualification as QualificationEntry[] ?? state.Qualification.ToArray(),
                PriorStatus = state.TierCheckpoint,
            };
        }

        var replayed = Programs.TierInputs.Member(member, history, settings.Currency, weights);
        var entries = replayed.History.ToArray().Where(e => e.At <= asOf).ToArray();
        return replayed with { History = entries };
    }
}
