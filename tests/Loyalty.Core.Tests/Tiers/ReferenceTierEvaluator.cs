using Loyalty.Core.Tiers;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Tests.Tiers;

/// <summary>
/// The evaluator as it was before the performance work, kept verbatim as the reference the
/// optimised <see cref="TierEvaluator"/> must match on every output. Original summary:
/// <para>
/// The pure tier engine: qualification history, the ladder's policy and an instant in; the
/// member's status out. No clock, no I/O: evaluating "as of" a past instant replays the history
/// up to that instant.
/// </para>
/// </summary>
/// <remarks>
/// Immutable and thread-safe: one evaluator may serve many threads. Semantics are described in
/// <c>docs/tiers.md</c>: upgrade as soon as a threshold is crossed; requalification extends
/// validity; at the end of validity (and grace) the member is re-evaluated and downgraded
/// according to <see cref="TierPolicy.Downgrade"/>; a manual assignment holds until its end.
/// </remarks>
internal sealed class ReferenceTierEvaluator
{
    [ThreadStatic]
    private static Scratch? scratch;

    private readonly TierLadder ladder;
    private readonly TierDefinition[] tiers;
    private readonly ReferenceTierCalendar calendar;
    private readonly int kindMask;
    private readonly Currency? currency;
    private readonly bool revokeOnRefund;
    private readonly bool oneLevel;
    private readonly CompiledTier[] compiled;
    private readonly bool usesSpend;

    /// <summary>Creates an evaluator for a ladder.</summary>
    /// <param name="ladder">The validated ladder.</param>
    /// <exception cref="ArgumentNullException"><paramref name="ladder"/> is null.</exception>
    public ReferenceTierEvaluator(TierLadder ladder)
    {
        ArgumentNullException.ThrowIfNull(ladder);
        this.ladder = ladder;
        tiers = ladder.TierArray;
        calendar = new ReferenceTierCalendar(ladder.Policy);
        kindMask = ladder.QualifyingKindMask;
        currency = ladder.Policy.Currency;
        revokeOnRefund = ladder.Policy.Refunds == RefundPolicy.RevokeUpgrade;
        oneLevel = ladder.Policy.Downgrade == DowngradePolicy.OneLevel;
        compiled = tiers.Select(t => new CompiledTier(t)).ToArray();
        usesSpend = tiers.Any(t => t.Thresholds.Any(th => th.Metric == QualifyingMetric.Spend));
    }

    /// <summary>The ladder evaluated.</summary>
    public TierLadder Ladder => ladder;

    /// <summary>Evaluates one member as of an instant.</summary>
    /// <param name="member">The member, history and optional prior status and manual assignment.</param>
    /// <param name="asOf">The instant; history after it is ignored.</param>
    /// <returns>The evaluation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="member"/> is null.</exception>
    /// <exception cref="ArgumentException">The member's data is inconsistent with the ladder or the instant; the message says what to fix.</exception>
    public TierEvaluation Evaluate(TierMember member, Instant asOf)
    {
        ArgumentNullException.ThrowIfNull(member);
        var s = scratch ??= new Scratch();
        return EvaluateCore(member, asOf, s);
    }

    /// <summary>
    /// Evaluates many members as of one instant, streaming: each result is produced when the
    /// caller asks for it, so a nightly run over millions of members holds one member at a time.
    /// </summary>
    /// <param name="members">The members, in any order.</param>
    /// <param name="asOf">The instant.</param>
    /// <returns>One evaluation per member, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="members"/> is null.</exception>
    public IEnumerable<TierEvaluation> EvaluateMany(IEnumerable<TierMember> members, Instant asOf)
    {
        ArgumentNullException.ThrowIfNull(members);
        return Iterate(members, asOf);
    }

    /// <summary>
    /// Evaluates many members as of one instant on several threads, still streaming and still in
    /// input order: members are taken in chunks of <paramref name="chunkSize"/>, each chunk is
    /// evaluated in parallel, then its results are yielded in order.
    /// </summary>
    /// <param name="members">The members, in any order.</param>
    /// <param name="asOf">The instant.</param>
    /// <param name="maxDegreeOfParallelism">The number of threads, at least 1 (1 evaluates on the caller's thread).</param>
    /// <param name="chunkSize">Members per chunk, between 1 and 1,048,576; 8,192 by default.</param>
    /// <returns>One evaluation per member, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="members"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> or <paramref name="chunkSize"/> is out of range.</exception>
    public IEnumerable<TierEvaluation> EvaluateMany(IEnumerable<TierMember> members, Instant asOf, int maxDegreeOfParallelism, int chunkSize = 8_192)
    {
        ArgumentNullException.ThrowIfNull(members);
        Internal.Preconditions.CheckInRange(maxDegreeOfParallelism, 1, 1_024);
        Internal.Preconditions.CheckInRange(chunkSize, 1, 1_048_576);
        return maxDegreeOfParallelism == 1 ? Iterate(members, asOf) : IterateParallel(members, asOf, maxDegreeOfParallelism, chunkSize);
    }

    private IEnumerable<TierEvaluation> IterateParallel(IEnumerable<TierMember> members, Instant asOf, int degree, int chunkSize)
    {
        var chunk = new TierMember[chunkSize];
        var results = new TierEvaluation[chunkSize];
        var options = new ParallelOptions { MaxDegreeOfParallelism = degree };
        using var e = members.GetEnumerator();
        while (true)
        {
            var n = 0;
            while (n < chunkSize && e.MoveNext())
            {
                chunk[n++] = e.Current ?? throw new ArgumentException("members must not contain null.", nameof(members));
            }

            if (n == 0)
            {
                yield break;
            }

            try
            {
                Parallel.For(0, n, options, i => results[i] = EvaluateCore(chunk[i], asOf, scratch ??= new Scratch()));
            }
            catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
            }

            for (var i = 0; i < n; i++)
            {
                yield return results[i];
            }

            if (n < chunkSize)
            {
                yield break;
            }
        }
    }

    private IEnumerable<TierEvaluation> Iterate(IEnumerable<TierMember> members, Instant asOf)
    {
        foreach (var member in members)
        {
            if (member is null)
            {
                throw new ArgumentException("members must not contain null.", nameof(members));
            }

            yield return EvaluateCore(member, asOf, scratch ??= new Scratch());
        }
    }

    private TierEvaluation EvaluateCore(TierMember member, Instant asOf, Scratch s)
    {
        if (member.MemberId.IsDefault)
        {
            throw new ArgumentException("TierMember.MemberId must not be default; create one with MemberId.From(...).", nameof(member));
        }

        if (asOf < member.EnrolledAt)
        {
            throw new ArgumentException($"Cannot evaluate member '{member.MemberId}' as of {asOf}: it is before the member's enrolment at {member.EnrolledAt}.", nameof(asOf));
        }

        var prior = member.PriorStatus;
        if (prior is not null && prior.EvaluatedAt > asOf)
        {
            throw new ArgumentException($"Cannot evaluate member '{member.MemberId}' as of {asOf}: the prior status was evaluated later, at {prior.EvaluatedAt}; evaluate without the prior status to look at the past.", nameof(asOf));
        }

        if (prior is not null && prior.EvaluatedAt < member.EnrolledAt)
        {
            throw new ArgumentException($"The prior status of member '{member.MemberId}' was evaluated at {prior.EvaluatedAt}, before the member's enrolment at {member.EnrolledAt}.", nameof(member));
        }

        var manual = member.ManualAssignment;
        var manualRank = -1;
        if (manual is not null)
        {
            manualRank = RankOrThrow(manual.Tier, "manual assignment", member.MemberId);
        }

        var n = Load(member, asOf, s);
        var enrolment = calendar.IsAnniversary ? calendar.LocalDateOf(member.EnrolledAt) : default;
        var replay = new Replay(this, s, n, member.EnrolledAt, enrolment, manual, manualRank);
        if (prior is null)
        {
            replay.StartFresh();
        }
        else
        {
            replay.StartFrom(prior, RankOrThrow(prior.AutomaticTier, "prior status", member.MemberId), prior.FallbackTier is { } fb ? RankOrThrow(fb, "prior status fallback", member.MemberId) : -1, RankOrThrow(prior.Tier, "prior status", member.MemberId));
        }

        replay.RunUntil(asOf, record: true);

        var projection = replay;
        Instant? projectedAt = null;
        if (!calendar.IsLifetime)
        {
            var horizon = calendar.PeriodEnd(asOf, replay.Enrolment);
            projectedAt = horizon;
            projection.RunUntil(horizon, record: false);
        }

        var windowStart = calendar.WindowStart(asOf, replay.Enrolment);
        var totals = replay.Totals(windowStart, asOf);
        var status = replay.ToStatus(asOf);
        return new TierEvaluation(
            ladder,
            member.MemberId,
            asOf,
            status,
            replay.ReportedRank,
            replay.AutoRank,
            projection.ReportedRank,
            projectedAt,
            totals,
            calendar.IsLifetime ? null : windowStart,
            replay.TakeChanges());
    }

    private int RankOrThrow(TierId tier, string what, MemberId member)
    {
        if (!ladder.Contains(tier))
        {
            throw new ArgumentException($"The {what} of member '{member}' names tier '{tier}', which is not in the ladder; known tiers are {string.Join(", ", tiers.Select(t => $"'{t.Id}'"))}.", nameof(member));
        }

        return ladder.RankOf(tier);
    }

    /// <summary>Copies the history into scratch, sorted by instant, and builds prefix sums of the entries up to <paramref name="asOf"/>.</summary>
    private int Load(TierMember member, Instant asOf, Scratch s)
    {
        var span = member.History.Span;
        s.Ensure(span.Length);
        var entries = s.Entries;
        var count = 0;
        var sorted = true;
        foreach (ref readonly var e in span)
        {
            if (e.At > asOf)
            {
                continue;
            }

            if (currency is { } c && !e.SpendCurrency.IsDefault && e.SpendCurrency != c)
            {
                throw new ArgumentException($"Member '{member.MemberId}' has spend in {e.SpendCurrency} at {e.At} but the programme currency is {c}; convert it before recording.", nameof(member));
            }

            if (count > 0 && e.At < entries[count - 1].At)
            {
                sorted = false;
            }

            entries[count++] = e;
        }

        if (!sorted)
        {
            if (count <= 16)
            {
                // Insertion sort: histories are short, and this beats a comparer-based sort.
                for (var i = 1; i < count; i++)
                {
                    var item = entries[i];
                    var j = i - 1;
                    while (j >= 0 && entries[j].At > item.At)
                    {
                        entries[j + 1] = entries[j];
                        j--;
                    }

                    entries[j + 1] = item;
                }
            }
            else
            {
                Array.Sort(entries, 0, count, EntryByInstant.Instance);
            }
        }

        var times = s.Times;
        var points = s.Points;
        var spend = s.Spend;
        var orders = s.Orders;
        long p = 0, o = 0;
        var sp = 0m;
        points[0] = 0;
        spend[0] = 0m;
        orders[0] = 0;
        for (var i = 0; i < count; i++)
        {
            ref readonly var e = ref entries[i];
            times[i] = e.At;
            if ((kindMask & (1 << (int)e.Kind)) != 0)
            {
                p = checked(p + e.Points);
            }

            sp += e.Spend;
            o += e.Orders;
            points[i + 1] = p;
            spend[i + 1] = sp;
            orders[i + 1] = o;
        }

        return count;
    }

    /// <summary>A tier's requirement flattened for the hot path: integer comparisons, decimal only for spend.</summary>
    private readonly struct CompiledTier
    {
        private readonly bool anyOf;
        private readonly bool hasPoints;
        private readonly bool hasOrders;
        private readonly bool hasSpend;
        private readonly long minPoints;
        private readonly long minOrders;
        private readonly decimal minSpend;

        public CompiledTier(TierDefinition tier)
        {
            anyOf = tier.Combination == ThresholdCombination.AnyOf;
            foreach (var t in tier.Thresholds)
            {
                switch (t.Metric)
                {
                    case QualifyingMetric.Points:
                        hasPoints = true;
                        minPoints = (long)t.Minimum;
                        break;
                    case QualifyingMetric.Orders:
                        hasOrders = true;
                        minOrders = (long)t.Minimum;
                        break;
                    default:
                        hasSpend = true;
                        minSpend = t.Minimum;
                        break;
                }
            }
        }

        public bool IsMetBy(long points, decimal spend, long orders)
        {
            if (anyOf)
            {
                return (hasPoints && points >= minPoints) || (hasOrders && orders >= minOrders) || (hasSpend && spend >= minSpend);
            }

            return (!hasPoints || points >= minPoints) && (!hasOrders || orders >= minOrders) && (!hasSpend || spend >= minSpend);
        }
    }

    private sealed class EntryByInstant : IComparer<QualificationEntry>
    {
        public static readonly EntryByInstant Instance = new();

        public int Compare(QualificationEntry x, QualificationEntry y) => x.At.CompareTo(y.At);
    }

    private sealed class Scratch
    {
        public QualificationEntry[] Entries = new QualificationEntry[16];
        public Instant[] Times = new Instant[16];
        public long[] Points = new long[17];
        public decimal[] Spend = new decimal[17];
        public long[] Orders = new long[17];
        public TierChange[] Changes = new TierChange[8];

        public void Ensure(int n)
        {
            if (Entries.Length >= n)
            {
                return;
            }

            var size = Math.Max(n, Entries.Length * 2);
            Entries = new QualificationEntry[size];
            Times = new Instant[size];
            Points = new long[size + 1];
            Spend = new decimal[size + 1];
            Orders = new long[size + 1];
        }
    }

    /// <summary>The state machine of one member; a struct so the projection is a copy.</summary>
    private struct Replay
    {
        private static readonly Instant None = ReferenceTierCalendar.None;

        private readonly ReferenceTierEvaluator owner;
        private readonly Scratch s;
        private readonly int count;
        private readonly Instant enrolledAt;
        private readonly ManualTierAssignment? manual;
        private readonly int manualRank;

        private int cursor;
        private int autoRank;
        private Instant autoSince;
        private Instant validUntil;
        private Instant graceUntil;
        private Instant lastQualifiedAt;
        private Instant undoValidUntil;
        private int fallbackRank;
        private Instant fallbackValidUntil;
        private bool manualActive;
        private Instant manualStart;
        private Instant manualEnd;
        private Instant reportedSince;
        private int changeCount;

        public Replay(ReferenceTierEvaluator owner, Scratch s, int count, Instant enrolledAt, LocalDate enrolment, ManualTierAssignment? manual, int manualRank)
        {
            this.owner = owner;
            this.s = s;
            this.count = count;
            this.enrolledAt = enrolledAt;
            Enrolment = enrolment;
            this.manual = manual;
            this.manualRank = manualRank;
            manualStart = None;
            manualEnd = None;
            validUntil = None;
            graceUntil = None;
            lastQualifiedAt = None;
            undoValidUntil = None;
            fallbackRank = -1;
            fallbackValidUntil = None;
            ReportedRank = 0;
        }

        public LocalDate Enrolment { get; }

        public int ReportedRank { get; private set; }

        public readonly int AutoRank => autoRank;

        public void StartFresh()
        {
            cursor = 0;
            autoRank = 0;
            autoSince = enrolledAt;
            reportedSince = enrolledAt;
            if (manual is not null)
            {
                var start = manual.From > enrolledAt ? manual.From : enrolledAt;
                if (manual.Until is not { } end || end > start)
                {
                    manualStart = start;
                    manualEnd = manual.Until ?? None;
                }
            }
        }

        public void StartFrom(TierStatus prior, int auto, int fallback, int reported)
        {
            var after = prior.EvaluatedAt;
            cursor = UpperBound(after);
            autoRank = auto;
            autoSince = prior.AutomaticSince;
            validUntil = prior.AutomaticValidUntil ?? None;
            graceUntil = prior.GraceUntil ?? None;
            lastQualifiedAt = prior.LastQualifiedAt ?? None;
            undoValidUntil = prior.ValidUntilBeforeLastQualification ?? None;
            fallbackRank = fallback;
            fallbackValidUntil = prior.FallbackValidUntil ?? None;
            ReportedRank = reported;
            reportedSince = prior.Since;
            if (manual is not null)
            {
                manualActive = manual.IsActiveAt(after) && after >= enrolledAt;
                var start = manual.From > enrolledAt ? manual.From : enrolledAt;
                if (start > after && (manual.Until is not { } e || e > start))
                {
                    manualStart = start;
                }

                if (manual.Until is { } end && end > after && end > start)
                {
                    manualEnd = end;
                }
            }

            // A manual assignment recorded after the prior run but already in force applies now.
            Report(after, manualActive ? TierChangeReason.ManualAssignmentStarted : TierChangeReason.ManualAssignmentEnded, record: true);
        }

        /// <summary>Processes every event at or before <paramref name="until"/>, in time order.</summary>
        public void RunUntil(Instant until, bool record)
        {
            var times = s.Times;
            while (true)
            {
                var expiry = graceUntil != None ? graceUntil : validUntil;
                var entryAt = None;
                if (cursor < count && record)
                {
                    entryAt = times[cursor] < enrolledAt ? enrolledAt : times[cursor];
                }

                var next = expiry;
                if (manualEnd < next)
                {
                    next = manualEnd;
                }

                if (manualStart < next)
                {
                    next = manualStart;
                }

                if (entryAt < next)
                {
                    next = entryAt;
                }

                if (next == None || next > until)
                {
                    return;
                }

                if (expiry == next)
                {
                    if (graceUntil != None)
                    {
                        GraceEnds(next);
                        Report(next, TierChangeReason.DowngradedAfterGrace, record);
                    }
                    else
                    {
                        ValidityEnds(next);
                        Report(next, TierChangeReason.DowngradedAtValidityEnd, record);
                    }
                }
                else if (manualEnd == next)
                {
                    manualEnd = None;
                    manualActive = false;
                    Report(next, TierChangeReason.ManualAssignmentEnded, record);
                }
                else if (manualStart == next)
                {
                    manualStart = None;
                    manualActive = true;
                    Report(next, TierChangeReason.ManualAssignmentStarted, record);
                }
                else
                {
                    var reason = Entries(next);
                    Report(next, reason, record);
                }
            }
        }

        public readonly QualifyingTotals Totals(Instant from, Instant to)
        {
            var lo = from == Instant.MinValue ? 0 : LowerBound(from);
            var hi = UpperBound(to);
            if (hi <= lo)
            {
                return default;
            }

            return new QualifyingTotals(s.Points[hi] - s.Points[lo], s.Spend[hi] - s.Spend[lo], s.Orders[hi] - s.Orders[lo]);
        }

        public readonly TierStatus ToStatus(Instant asOf)
        {
            var valid = validUntil;
            if (manualActive && manualRank >= autoRank)
            {
                var manualValid = manual!.Until ?? None;
                valid = manualRank > autoRank ? manualValid : (manualValid > valid ? manualValid : valid);
            }

            var tiers = owner.tiers;
            return new TierStatus
            {
                Tier = tiers[ReportedRank].Id,
                Since = reportedSince,
                ValidUntil = valid == None ? null : valid,
                GraceUntil = graceUntil == None ? null : graceUntil,
                AutomaticTier = tiers[autoRank].Id,
                AutomaticSince = autoSince,
                AutomaticValidUntil = validUntil == None ? null : validUntil,
                LastQualifiedAt = lastQualifiedAt == None ? null : lastQualifiedAt,
                ValidUntilBeforeLastQualification = lastQualifiedAt == None || undoValidUntil == None ? null : undoValidUntil,
                FallbackTier = fallbackRank < 0 ? null : tiers[fallbackRank].Id,
                FallbackValidUntil = fallbackRank < 0 || fallbackValidUntil == None ? null : fallbackValidUntil,
                EvaluatedAt = asOf,
            };
        }

        public readonly IReadOnlyList<TierChange> TakeChanges() =>
            changeCount == 0 ? Array.Empty<TierChange>() : s.Changes.AsSpan(0, changeCount).ToArray();

        private TierChangeReason Entries(Instant at)
        {
            var entries = s.Entries;
            var times = s.Times;
            var reduction = false;
            while (cursor < count && (times[cursor] < enrolledAt ? enrolledAt : times[cursor]) == at)
            {
                reduction |= entries[cursor].IsReduction;
                cursor++;
            }

            var calendar = owner.calendar;
            var windowStart = calendar.WindowStart(at, Enrolment);
            var computed = ComputedRank(windowStart, at);
            if (computed > autoRank)
            {
                fallbackRank = autoRank;
                fallbackValidUntil = validUntil;
                autoRank = computed;
                autoSince = at;
                validUntil = calendar.ValidityAfterQualification(at, Enrolment);
                graceUntil = None;
                lastQualifiedAt = at;
                undoValidUntil = None;
                return TierChangeReason.Upgraded;
            }

            if (computed == autoRank)
            {
                if (autoRank > 0)
                {
                    var v = calendar.ValidityAfterQualification(at, Enrolment);
                    if (graceUntil != None)
                    {
                        // Requalified during grace: a fresh validity, not undone by later refunds.
                        validUntil = v;
                        graceUntil = None;
                        lastQualifiedAt = None;
                    }
                    else if (v > validUntil)
                    {
                        // An extension a refund in the same window may undo.
                        undoValidUntil = validUntil;
                        validUntil = v;
                        lastQualifiedAt = at;
                    }
                }

                return TierChangeReason.Upgraded;
            }

            if (owner.revokeOnRefund && reduction && lastQualifiedAt != None && windowStart <= lastQualifiedAt && undoValidUntil != None)
            {
                // The refund takes back the extension of validity: the tier stays, its end returns.
                if (undoValidUntil > at)
                {
                    validUntil = undoValidUntil;
                }

                lastQualifiedAt = None;
                undoValidUntil = None;
            }
            else if (owner.revokeOnRefund && reduction && lastQualifiedAt != None && windowStart <= lastQualifiedAt)
            {
                if (fallbackRank > computed && fallbackValidUntil > at)
                {
                    autoRank = fallbackRank;
                    validUntil = fallbackValidUntil;
                    lastQualifiedAt = None;
                    fallbackRank = -1;
                    fallbackValidUntil = None;
                }
                else
                {
                    // The member keeps what the window still supports; an earlier status of the
                    // same tier stays underneath in case a further refund undoes this one too.
                    autoRank = computed;
                    validUntil = computed == 0 ? None : calendar.ValidityAfterQualification(at, Enrolment);
                    lastQualifiedAt = computed == 0 ? None : at;
                    if (!(fallbackRank > 0 && fallbackRank <= computed && fallbackValidUntil > at))
                    {
                        fallbackRank = -1;
                        fallbackValidUntil = None;
                    }
                }

                autoSince = at;
                graceUntil = None;
                undoValidUntil = None;
                return TierChangeReason.UpgradeRevokedByRefund;
            }

            if (computed > 0)
            {
                // Qualifying for a lower tier while holding a higher one: remember it, so the
                // member falls back to it (not below) when the higher tier ends.
                var v = calendar.ValidityAfterQualification(at, Enrolment);
                if (computed > fallbackRank || fallbackValidUntil <= at)
                {
                    fallbackRank = computed;
                    fallbackValidUntil = v;
                }
                else if (computed == fallbackRank && v > fallbackValidUntil)
                {
                    fallbackValidUntil = v;
                }
            }

            return TierChangeReason.Upgraded;
        }

        private void ValidityEnds(Instant at)
        {
            var calendar = owner.calendar;
            var before = at - Duration.Epsilon;
            var computed = ComputedRank(calendar.WindowStart(before, Enrolment), before);
            if (computed >= autoRank)
            {
                Requalify(before, at);
            }
            else if (calendar.HasGrace)
            {
                graceUntil = calendar.GraceEnd(at);
            }
            else
            {
                Downgrade(at, computed);
            }
        }

        private void GraceEnds(Instant at)
        {
            var calendar = owner.calendar;
            var endOfValidity = validUntil - Duration.Epsilon;
            var before = at - Duration.Epsilon;
            var computed = Math.Max(
                ComputedRank(calendar.WindowStart(endOfValidity, Enrolment), endOfValidity),
                ComputedRank(calendar.WindowStart(before, Enrolment), before));
            if (computed >= autoRank)
            {
                Requalify(before, at);
            }
            else
            {
                Downgrade(at, computed);
            }
        }

        private void Requalify(Instant qualifiedAt, Instant now)
        {
            var calendar = owner.calendar;
            var v = calendar.ValidityAfterQualification(qualifiedAt, Enrolment);
            validUntil = v > now ? v : calendar.ValidityAfterDowngrade(now, Enrolment);
            graceUntil = None;
            lastQualifiedAt = None;
            undoValidUntil = None;
        }

        private void Downgrade(Instant at, int computed)
        {
            var target = owner.oneLevel ? Math.Max(autoRank - 1, computed) : computed;
            var valid = target == 0 ? None : owner.calendar.ValidityAfterDowngrade(at, Enrolment);
            if (fallbackRank >= target && fallbackRank > 0 && fallbackValidUntil > at)
            {
                // A lower tier qualified for while holding this one is still valid.
                valid = fallbackRank > target || fallbackValidUntil > valid ? fallbackValidUntil : valid;
                target = fallbackRank;
            }

            autoRank = target;
            autoSince = at;
            validUntil = valid;
            graceUntil = None;
            lastQualifiedAt = None;
            fallbackRank = -1;
            fallbackValidUntil = None;
        }

        private void Report(Instant at, TierChangeReason reason, bool record)
        {
            var reported = manualActive && manualRank > autoRank ? manualRank : autoRank;
            if (reported == ReportedRank)
            {
                return;
            }

            if (record)
            {
                var tiers = owner.tiers;
                if (changeCount == s.Changes.Length)
                {
                    Array.Resize(ref s.Changes, changeCount * 2);
                }

                s.Changes[changeCount++] = new TierChange(at, tiers[ReportedRank].Id, tiers[reported].Id, reason);
            }

            ReportedRank = reported;
            reportedSince = at;
        }

        private readonly int ComputedRank(Instant windowStart, Instant at)
        {
            var lo = windowStart == Instant.MinValue ? 0 : LowerBound(windowStart);
            var hi = UpperBound(at);
            if (hi <= lo)
            {
                return 0;
            }

            var points = s.Points[hi] - s.Points[lo];
            var orders = s.Orders[hi] - s.Orders[lo];
            var compiled = owner.compiled;
            var usesSpend = owner.usesSpend;
            var spend = usesSpend ? s.Spend[hi] - s.Spend[lo] : 0m;
            for (var r = compiled.Length - 1; r > 0; r--)
            {
                if (compiled[r].IsMetBy(points, spend, orders))
                {
                    return r;
                }
            }

            return 0;
        }

        private readonly int LowerBound(Instant t)
        {
            var times = s.Times;
            int lo = 0, hi = count;
            while (lo < hi)
            {
                var mid = (lo + hi) >> 1;
                if (times[mid] < t)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }

        private readonly int UpperBound(Instant t)
        {
            var times = s.Times;
            int lo = 0, hi = count;
            while (lo < hi)
            {
                var mid = (lo + hi) >> 1;
                if (times[mid] <= t)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            return lo;
        }
    }
}
