using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.Programs;

/// <summary>
/// The nightly maintenance behind <see cref="LoyaltyProgram.RunMaintenanceAsync(Instant, MaintenanceScope, IProgress{MaintenanceProgress}?, CancellationToken)"/>:
/// pages through one partition of the members in key order and, per page, expires the due
/// accounts, grants birthday points, reports activated and soon-expiring points, re-evaluates the
/// tiers in one <see cref="TierEvaluator.EvaluateInto(ReadOnlySpan{TierMember}, Span{TierBatchResult}, Instant)"/>
/// batch and writes the members back in one batch.
/// </summary>
/// <remarks>
/// Per page: one member read (members and histories), one account read, one batched member write,
/// plus one ledger write per account with due points and one activity write per birthday. The cost
/// of a page never depends on where it is in the partition, so a run is linear in the members.
/// Thread-safe: runs share nothing but the stores.
/// </remarks>
internal sealed class MaintenanceRunner
{
    private const int MaxUpdateAttempts = 16;

    private readonly IClock clock;
    private readonly PointsLedger ledger;
    private readonly ILedgerStore ledgerStore;
    private readonly IMemberStore members;
    private readonly TierLadder tiers;
    private readonly TierEvaluator evaluator;
    private readonly QualificationWeights weights;
    private readonly LoyaltyMetrics metrics;
    private readonly ProgramId programId;
    private readonly Currency currency;
    private readonly DateTimeZone zone;
    private readonly Func<ActivityId, ActivityInput, CancellationToken, Task<Points>> recordBirthday;
    private readonly Func<Instant, MemberPartition, CancellationToken, Task<(int Checked, int Completed, int ReservationsReleased, int StockClaimsReleased, int RedemptionsCompleted)>> completePending;
    private readonly Func<IReadOnlyList<MemberPageEntry>, Instant, CancellationToken, Task<(int Refunds, int Activities)>> completePendingInPage;
    private readonly Func<Func<CancellationToken, Task<long>>, CancellationToken, Task<long>> atomically;

    /// <summary>Creates the runner of one programme (the facade does this).</summary>
    /// <param name="clock">The clock (maintenance never runs ahead of it).</param>
    /// <param name="settings">The programme.</param>
    /// <param name="ledger">Writes the expiries and computes the expiry schedules.</param>
    /// <param name="ledgerStore">Reads a page of accounts at once.</param>
    /// <param name="members">Reads and writes a page of members at once.</param>
    /// <param name="tiers">The tier ladder.</param>
    /// <param name="metrics">Counts the points expired.</param>
    /// <param name="recordBirthday">Records a birthday activity through the programme's activity path and returns the points it earned (zero when none).</param>
    /// <param name="completePending">Completes the steps interrupted calls of the partition's members left undone; returns the orders checked and completed.</param>
    /// <param name="completePendingInPage">Completes the refunds and activities of a page left without their ledger transaction by interrupted calls; returns how many of each.</param>
    /// <param name="atomically">Runs the expiries of one page as the stores' unit of work (one transaction and one commit per page where the stores share a database).</param>
    /// <param name="weights">How much each merchant counts towards tier qualification, as the programme counts it.</param>
    public MaintenanceRunner(
        IClock clock,
        Configuration.ProgramSettings settings,
        PointsLedger ledger,
        ILedgerStore ledgerStore,
        IMemberStore members,
        TierLadder tiers,
        LoyaltyMetrics metrics,
        Func<ActivityId, ActivityInput, CancellationToken, Task<Points>> recordBirthday,
        Func<Instant, MemberPartition, CancellationToken, Task<(int Checked, int Completed, int ReservationsReleased, int StockClaimsReleased, int RedemptionsCompleted)>> completePending,
        Func<IReadOnlyList<MemberPageEntry>, Instant, CancellationToken, Task<(int Refunds, int Activities)>> completePendingInPage,
        Func<Func<CancellationToken, Task<long>>, CancellationToken, Task<long>> atomically,
        QualificationWeights weights)
    {
        this.weights = weights;
        this.atomically = atomically;
        this.completePendingInPage = completePendingInPage;
        this.completePending = completePending;
        this.clock = clock;
        this.ledger = ledger;
        this.ledgerStore = ledgerStore;
        this.members = members;
        this.tiers = tiers;
        this.metrics = metrics;
        this.recordBirthday = recordBirthday;
        evaluator = new TierEvaluator(tiers);
        programId = settings.ProgramId;
        currency = settings.Currency;
        zone = settings.TimeZone;
    }

    /// <summary>Expires the due reward codes of a partition's members (returning the points of unused ones where the reward says so), or null when the programme keeps no codes.</summary>
    public Func<Instant, MemberPartition, CancellationToken, Task<RewardCodeExpiryReport>>? ExpireCodes { get; init; }

    /// <summary>The household's pooled tier qualification, or null when tiers qualify per member (the default).</summary>
    public PooledQualification? Pooled { get; set; }

    public async Task<MaintenanceReport> RunAsync(Instant asOf, MaintenanceScope scope, IProgress<MaintenanceProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var now = clock.GetCurrentInstant();
        if (asOf > now)
        {
            throw new ArgumentOutOfRangeException(nameof(asOf), asOf, $"asOf ({asOf}) must not be after the current instant ({now}); maintenance cannot run ahead of the clock.");
        }

        scope.Validate();
        var pending = await completePending(asOf, scope.Partition, cancellationToken).ConfigureAwait(false);
        var run = new Run(asOf, scope)
        {
            // The end of the last local day of the warning horizon, as the ledger's expiry schedule computes it.
            WarningHorizon = Internal.LocalCalendar.StartOfDay(asOf.InZone(zone).Date.PlusDays(scope.ExpiryWarningDays + 1), zone),
        };
        var pageSize = scope.PageSize;
        var buffers = new PageBuffers(pageSize);
        var after = scope.ResumeAfter;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await members.ReadMemberPageAsync(programId, scope.Partition, after, pageSize, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            var (refunds, activities) = await completePendingInPage(page, asOf, cancellationToken).ConfigureAwait(false);
            run.PendingRefunds += refunds;
            run.PendingActivities += activities;
            await MaintainPageAsync(run, page, buffers, cancellationToken).ConfigureAwait(false);
            run.Pages++;
            run.MembersRead += page.Count;
            after = page[^1].Member.MemberId;
            progress?.Report(new MaintenanceProgress
            {
                Partition = scope.Partition,
                Page = run.Pages,
                MembersInPage = page.Count,
                MembersRead = run.MembersRead,
                MembersExamined = run.Examined,
                LastMemberId = after.Value,
                PointsExpired = Points.FromInt64(run.Expired),
                TierChanges = run.Changes.Count,
            });
            if (page.Count < pageSize)
            {
                break;
            }
        }

        // Reward codes after the members: a code's points go back into its member's lots, which the pages above have expired.
        var codes = ExpireCodes is null ? null : await ExpireCodes(asOf, scope.Partition, cancellationToken).ConfigureAwait(false);
        return new MaintenanceReport
        {
            RewardCodesExpired = codes?.CodesExpired ?? 0,
            RewardCodePointsReturned = codes?.PointsReturned ?? Points.Zero,
            AsOf = asOf,
            MembersExamined = checked((int)run.Examined),
            PointsExpired = Points.FromInt64(run.Expired),
            ExpiryAccountsSkipped = run.Skipped,
            Activated = run.Activated,
            ExpiringSoon = run.Expiring,
            TierChanges = run.Changes,
            DowngradeWarnings = run.Warnings,
            Birthdays = run.Birthdays,
            PendingOrdersChecked = pending.Checked,
            PendingOrdersCompleted = pending.Completed,
            PendingReservationsReleased = pending.ReservationsReleased,
            PendingStockClaimsReleased = pending.StockClaimsReleased,
            PendingRedemptionsCompleted = pending.RedemptionsCompleted,
            PendingRefundsCompleted = run.PendingRefunds,
            PendingActivitiesCompleted = run.PendingActivities,
        };
    }

    private async Task MaintainPageAsync(Run run, IReadOnlyList<MemberPageEntry> page, PageBuffers buffers, CancellationToken cancellationToken)
    {
        var asOf = run.AsOf;
        var count = page.Count;
        var (tierMembers, tierResults, histories, slots) = (buffers.TierMembers, buffers.TierResults, buffers.Histories, buffers.Slots);
        var ids = count == buffers.Ids.Length ? buffers.Ids : new MemberId[count];
        buffers.Entries.Reset();
        for (var i = 0; i < count; i++)
        {
            ids[i] = page[i].Member.MemberId;
            histories[i] = page[i].History;
        }

        // 1. Expiry, by the due instant each account's head keeps: only accounts with points due are written.
        var accounts = await ledgerStore.GetAccountsAsync(programId, ids, cancellationToken).ConfigureAwait(false);
        List<int>? reread = null;
        long expiredInPage = 0;
        var skipped = 0;
        var firstDue = FirstDue(accounts, asOf);
        if (firstDue < count)
        {
            // One unit of work for the page's expiries: one commit per page, not one per account, where the
            // stores share a database. Each append keeps its own version check; a retried page finds its
            // expiries written (the ids derive from the account's version) and writes nothing twice.
            expiredInPage = await atomically(
                async ct =>
                {
                    long points = 0;
                    skipped = 0;
                    reread = null;
                    for (var i = firstDue; i < count; i++)
                    {
                        if (accounts[i].Head?.NextExpiryAt is { } due && due <= asOf)
                        {
                            ct.ThrowIfCancellationRequested();
                            var (written, expired, gaveUp) = await ledger.ExpireAccountAsync(new LedgerAccountKey(programId, ids[i]), asOf, accounts[i], buffers.Expiry, ct).ConfigureAwait(false);
                            points += expired;
                            skipped += gaveUp ? 1 : 0;
                            if (written > 0 || gaveUp)
                            {
                                (reread ??= []).Add(i);
                            }
                        }
                    }

                    return points;
                },
                cancellationToken).ConfigureAwait(false);
        }

        run.Skipped += skipped;
        run.Expired += expiredInPage;
        metrics.Expired(Points.FromInt64(expiredInPage));

        // 2. Birthdays: the activity id is derived from the member and the year, so a re-run finds it in the history.
        for (var i = 0; i < count; i++)
        {
            var member = page[i].Member;
            if (member.EnrolledAt > asOf || BirthdayDue(member, histories[i], asOf) is not { } birthday)
            {
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var (activityId, date, startsAt) = birthday;
            var points = await recordBirthday(activityId, new ActivityInput(ActivityKind.Birthday, member.MemberId, startsAt), cancellationToken).ConfigureAwait(false);
            if (points.IsPositive)
            {
                run.Birthdays.Add(new BirthdayGrant(member.MemberId, date, points));
                histories[i] = await members.GetHistoryAsync(programId, member.MemberId, cancellationToken).ConfigureAwait(false);
                (reread ??= []).Add(i);
            }
        }

        if (reread is not null)
        {
            var rereadIds = new MemberId[reread.Count];
            for (var k = 0; k < rereadIds.Length; k++)
            {
                rereadIds[k] = ids[reread[k]];
            }

            var again = await ledgerStore.GetAccountsAsync(programId, rereadIds, cancellationToken).ConfigureAwait(false);
            var copy = new LedgerAccountSnapshot[count];
            for (var i = 0; i < count; i++)
            {
                copy[i] = accounts[i];
            }

            for (var k = 0; k < reread.Count; k++)
            {
                copy[reread[k]] = again[k];
            }

            accounts = copy;
        }

        // 3. Activated and soon-expiring points, from the accounts read; 4. tiers, in one batch
        // (a member sharing a household with pooled qualification is evaluated on the pooled entries).
        var pooled = Pooled is null ? null : await PooledMembersAsync(page, histories, asOf, cancellationToken).ConfigureAwait(false);
        var examined = 0;
        for (var i = 0; i < count; i++)
        {
            var member = page[i].Member;
            if (member.EnrolledAt > asOf)
            {
                continue;
            }

            var account = accounts[i];
            var since = member.LastMaintainedAt;
            if (account.Head is not null && (since is null || since < asOf))
            {
                long becameAvailable = 0;
                var lots = account.OpenLots;
                for (var l = 0; l < lots.Count; l++)
                {
                    var lot = lots[l];
                    if (lot.AvailableAt > lot.CreatedAt && lot.AvailableAt <= asOf && (since is null || lot.AvailableAt > since))
                    {
                        becameAvailable += lot.Remaining;
                    }
                }

                if (becameAvailable > 0)
                {
                    run.Activated.Add(new PointsActivated(member.MemberId, Points.FromInt64(becameAvailable)));
                }
            }

            // The head's next expiry says whether any lot expires within the horizon: only those accounts are decoded.
            if (account.Head?.NextExpiryAt is { } nextExpiry && nextExpiry <= run.WarningHorizon)
            {
                var schedule = ledger.ExpirySchedule(new LedgerAccountKey(programId, member.MemberId), account, run.Scope.ExpiryWarningDays, asOf);
                if (schedule.Count > 0)
                {
                    run.Expiring.Add(new ExpiryWarning(member.MemberId, schedule));
                }
            }

            tierMembers[examined] = pooled?[i] ?? TierInputs.Member(member, histories[i], currency, weights, buffers.Entries);
            slots[examined++] = i;
        }

        evaluator.EvaluateInto(tierMembers.AsSpan(0, examined), tierResults.AsSpan(0, examined), asOf);
        Array.Clear(tierMembers, 0, examined);

        var updates = new List<MemberUpdate>(examined);
        List<TierStatus>? statuses = null;
        for (var k = 0; k < examined; k++)
        {
            var member = page[slots[k]].Member;
            var result = tierResults[k];
            var tier = result.Tier.Id;
            var previous = member.TierStatus?.Tier ?? tiers.EntryTier.Id;
            if (previous != tier)
            {
                run.Changes.Add(new MemberTierChange(member.MemberId, previous, tier, ChangeReason(result.Changes, tier)));
            }

            var status = result.Status;
            if (result.DowngradeWarning)
            {
                // The batch result carries no window value: the few members warned are evaluated again, continuing
                // from the status the batch has just computed as of the same instant (no replay from enrolment);
                // the evaluator gives the same evaluation as a replay.
                var evaluation = evaluator.Evaluate(pooled?[slots[k]] is { } pooledMember ? pooledMember with { PriorStatus = status } : TierInputs.Member(member, histories[slots[k]], currency, weights, buffers.Entries, status), asOf);
                run.Warnings.Add(new DowngradeWarning(member.MemberId, evaluation.Tier.Id, evaluation.ProjectedTier.Id, evaluation.ValidUntil ?? evaluation.ProjectedAt, evaluation.RequalificationProgress));
            }

            if (Maintained(member, status, asOf) is { } updated)
            {
                updates.Add(new MemberUpdate(updated, member.Version));
                (statuses ??= new List<TierStatus>(examined)).Add(status);
            }
        }

        tierResults.AsSpan(0, examined).Clear();
        Array.Clear(histories, 0, count);
        run.Examined += examined;
        if (updates.Count == 0)
        {
            return;
        }

        // A member written meanwhile (an order, a birthday) is re-read and changed again, one by one.
        var refusedMembers = await members.UpdateMembersAsync(updates, cancellationToken).ConfigureAwait(false);
        if (refusedMembers.Count == 0)
        {
            return;
        }

        var statusOf = new Dictionary<MemberId, TierStatus>(refusedMembers.Count);
        for (var u = 0; u < updates.Count; u++)
        {
            statusOf[updates[u].Member.MemberId] = statuses![u];
        }

        foreach (var refused in refusedMembers)
        {
            var status = statusOf[refused];
            await UpdateMemberAsync(refused, m => Maintained(m, status, asOf), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The pooled tier input of each page member sharing a household (null for the others); the page's histories are reused.</summary>
    private async Task<TierMember?[]> PooledMembersAsync(IReadOnlyList<MemberPageEntry> page, MemberHistory[] histories, Instant asOf, CancellationToken cancellationToken)
    {
        var inputs = new TierMember?[page.Count];
        Dictionary<MemberId, MemberPageEntry>? read = null;
        for (var i = 0; i < page.Count; i++)
        {
            var member = page[i].Member;
            if (member.EnrolledAt > asOf || await Pooled!.SharedHouseholdAsync(member.MemberId, cancellationToken).ConfigureAwait(false) is not { } household)
            {
                continue;
            }

            if (read is null)
            {
                read = new Dictionary<MemberId, MemberPageEntry>(page.Count);
                for (var j = 0; j < page.Count; j++)
                {
                    read[page[j].Member.MemberId] = new MemberPageEntry(page[j].Member, histories[j]);
                }
            }

            inputs[i] = await Pooled.MemberAsync(member, histories[i], household, read, cancellationToken).ConfigureAwait(false);
        }

        return inputs;
    }

    /// <summary>
    /// The member's next version (<see cref="MemberRecord.Version"/> + 1) with its status and maintenance
    /// instant moved to <paramref name="asOf"/> (newer values are kept), or null when that changes nothing.
    /// </summary>
    private static MemberRecord? Maintained(MemberRecord m, TierStatus status, Instant asOf)
    {
        var tierStatus = m.TierStatus is { } s && s.EvaluatedAt > asOf ? s : status;
        var maintainedAt = m.LastMaintainedAt is { } last && last > asOf ? last : asOf;
        if (m.LastMaintainedAt == maintainedAt && EqualityComparer<TierStatus>.Default.Equals(m.TierStatus, tierStatus))
        {
            return null;
        }

        return m with { TierStatus = tierStatus, LastMaintainedAt = maintainedAt, Version = m.Version + 1 };
    }

    /// <summary>The reason of the last change to <paramref name="tier"/> (the batch lists changes oldest first).</summary>
    private static TierChangeReason ChangeReason(IReadOnlyList<TierChange> changes, TierId tier)
    {
        for (var i = changes.Count - 1; i >= 0; i--)
        {
            if (changes[i].To == tier)
            {
                return changes[i].Reason;
            }
        }

        return default;
    }

    /// <summary>The first account of the page with points due by <paramref name="asOf"/>, or the page's length when none is.</summary>
    private static int FirstDue(IReadOnlyList<LedgerAccountSnapshot> accounts, Instant asOf)
    {
        for (var i = 0; i < accounts.Count; i++)
        {
            if (accounts[i].Head?.NextExpiryAt is { } due && due <= asOf)
            {
                return i;
            }
        }

        return accounts.Count;
    }

    private (ActivityId Id, LocalDate Date, Instant StartsAt)? BirthdayDue(MemberRecord member, MemberHistory history, Instant asOf)
    {
        if (member.BirthDate is not { } birthDate)
        {
            return null;
        }

        var year = asOf.InZone(zone).Year;
        var birthday = new AnnualDate(birthDate.Month, birthDate.Day).InYear(year);
        var startsAt = Internal.LocalCalendar.StartOfDay(birthday, zone);
        if (startsAt > asOf || birthday < member.EnrolledAt.InZone(zone).Date)
        {
            return null;
        }

        var activityId = DerivedIds.Birthday(member.MemberId, year);
        foreach (var activity in history.Activities)
        {
            if (activity.ActivityId == activityId)
            {
                return null;
            }
        }

        return (activityId, birthday, startsAt);
    }

    private async Task UpdateMemberAsync(MemberId memberId, Func<MemberRecord, MemberRecord?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxUpdateAttempts; attempt++)
        {
            var current = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Member '{memberId}' disappeared from the member store while being updated.");
            if (change(current) is not { } next)
            {
                return;
            }

            if (await members.UpdateMemberAsync(next with { Version = current.Version + 1 }, current.Version, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        throw new LoyaltyStoreException($"Member '{memberId}' could not be updated after {MaxUpdateAttempts} attempts because of concurrent updates; retry the call.", isTransient: true);
    }

    /// <summary>The buffers a run reuses from page to page (a page's members, histories and tier inputs and results).</summary>
    private sealed class PageBuffers(int pageSize)
    {
        public MemberId[] Ids { get; } = new MemberId[pageSize];

        public MemberHistory[] Histories { get; } = new MemberHistory[pageSize];

        public int[] Slots { get; } = new int[pageSize];

        public TierMember[] TierMembers { get; } = new TierMember[pageSize];

        public TierBatchResult[] TierResults { get; } = new TierBatchResult[pageSize];

        /// <summary>The account state the page's expiries are decoded into, account after account.</summary>
        public PointsLedger.ExpiryScratch Expiry { get; } = new();

        /// <summary>The page's tier entries (each member's inputs are a slice of it; read only until the next page).</summary>
        public TierInputs.EntryBuffer Entries { get; } = new();
    }

    /// <summary>What a run gathers across its pages.</summary>
    private sealed class Run(Instant asOf, MaintenanceScope scope)
    {
        public Instant AsOf { get; } = asOf;

        public MaintenanceScope Scope { get; } = scope;

        public Instant WarningHorizon { get; init; }

        public int Pages { get; set; }

        public int PendingRefunds { get; set; }

        public int PendingActivities { get; set; }

        public long MembersRead { get; set; }

        public long Examined { get; set; }

        public long Expired { get; set; }

        public int Skipped { get; set; }

        public List<PointsActivated> Activated { get; } = [];

        public List<ExpiryWarning> Expiring { get; } = [];

        public List<MemberTierChange> Changes { get; } = [];

        public List<DowngradeWarning> Warnings { get; } = [];

        public List<BirthdayGrant> Birthdays { get; } = [];
    }
}
