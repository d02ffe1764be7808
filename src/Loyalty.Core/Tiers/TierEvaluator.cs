using System.Runtime.CompilerServices;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Tiers;

/// <summary>
/// The pure tier engine: qualification history, the ladder's policy and an instant in; the
/// member's status out. No clock, no I/O: evaluating "as of" a past instant replays the history
/// up to that instant.
/// </summary>
/// <remarks>
/// Immutable and thread-safe: one evaluator may serve many threads. Semantics are described in
/// <c>docs/tiers.md</c>: upgrade as soon as a threshold is crossed; requalification extends
/// validity; at the end of validity (and grace) the member is re-evaluated and downgraded
/// according to <see cref="TierPolicy.Downgrade"/>; a manual assignment holds until its end.
/// </remarks>
public sealed class TierEvaluator
{
    [ThreadStatic]
    private static Scratch? scratch;

    private readonly TierLadder ladder;
    private readonly TierDefinition[] tiers;
    private readonly TierCalendar calendar;
    private readonly int kindMask;
    private readonly QualificationTimeline emptyTimeline;
    private readonly Currency? currency;
    private readonly bool revokeOnRefund;
    private readonly bool oneLevel;
    private readonly CompiledTier[] compiled;
    private readonly bool usesSpend;

    /// <summary>A bound on the magnitude of a spend total that keeps every partial sum of a decimal in range.</summary>
    private const decimal SpendLimit = 1e28m;

    /// <summary>Creates an evaluator for a ladder.</summary>
    /// <param name="ladder">The validated ladder.</param>
    /// <exception cref="ArgumentNullException"><paramref name="ladder"/> is null.</exception>
    public TierEvaluator(TierLadder ladder)
    {
        ArgumentNullException.ThrowIfNull(ladder);
        this.ladder = ladder;
        tiers = ladder.TierArray;
        calendar = new TierCalendar(ladder.Policy);
        kindMask = ladder.QualifyingKindMask;
        emptyTimeline = QualificationTimeline.Empty(kindMask);
        currency = ladder.Policy.Currency;
        revokeOnRefund = ladder.Policy.Refunds == RefundPolicy.RevokeUpgrade;
        oneLevel = ladder.Policy.Downgrade == DowngradePolicy.OneLevel;
        compiled = tiers.Select(t => new CompiledTier(t)).ToArray();
        usesSpend = tiers.Any(t => t.Thresholds.Any(th => th.Metric == QualifyingMetric.Spend));
    }

    /// <summary>The ladder evaluated.</summary>
    public TierLadder Ladder => ladder;

    /// <summary>
    /// The earliest instant an entry must have to count in any evaluation at or after
    /// <paramref name="asOf"/>: the start of the window ending at <paramref name="asOf"/> (window starts
    /// never move back), or <see cref="Instant.MinValue"/> for a lifetime window.
    /// </summary>
    internal Instant WindowStart(Instant asOf, Instant enrolledAt) =>
        calendar.WindowStart(asOf, calendar.IsAnniversary ? calendar.LocalDateOf(enrolledAt) : default);

    /// <summary>
    /// The earliest instant an entry must have to count in any evaluation that continues from
    /// <paramref name="checkpoint"/>: the start of the window ending at its evaluation instant, or, while
    /// the automatic tier is in grace, the start of the window that ended with its validity when that is
    /// earlier (the end of grace reads that window again to choose the tier to land on);
    /// <see cref="Instant.MinValue"/> for a lifetime window.
    /// </summary>
    internal Instant RetainFrom(TierStatus checkpoint, Instant enrolledAt)
    {
        var start = WindowStart(checkpoint.EvaluatedAt, enrolledAt);
        if (checkpoint.GraceUntil is not null && checkpoint.AutomaticValidUntil is { } validUntil)
        {
            // As GraceEnds reads it: the window ending just before the end of validity.
            var ended = WindowStart(validUntil - Duration.Epsilon, enrolledAt);
            if (ended < start)
            {
                start = ended;
            }
        }

        return start;
    }

    /// <summary>
    /// The period a member's kept state sums entries by: the qualification period (calendar or anniversary
    /// year, whose starts are the only window starts), the local day for a rolling window, one period for a
    /// lifetime window. Entries of the same period get the same number; later periods get larger ones.
    /// </summary>
    internal long FoldPeriod(Instant t, Instant enrolledAt) => calendar.FoldPeriod(t, enrolledAt);

    /// <summary>Whether points of <paramref name="kind"/> count towards qualification.</summary>
    internal bool Counts(EarnKind kind) => (kindMask & (1 << (int)kind)) != 0;

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
    /// <param name="chunkSize">Members per chunk, between 1 and 1,048,576; 1,024 by default (small chunks keep few results alive when a garbage collection runs).</param>
    /// <returns>One evaluation per member, in input order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="members"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> or <paramref name="chunkSize"/> is out of range.</exception>
    public IEnumerable<TierEvaluation> EvaluateMany(IEnumerable<TierMember> members, Instant asOf, int maxDegreeOfParallelism, int chunkSize = 1_024)
    {
        ArgumentNullException.ThrowIfNull(members);
        Internal.Preconditions.CheckInRange(maxDegreeOfParallelism, 1, 1_024);
        Internal.Preconditions.CheckInRange(chunkSize, 1, 1_048_576);
        return maxDegreeOfParallelism == 1 ? Iterate(members, asOf) : IterateParallel(members, asOf, maxDegreeOfParallelism, chunkSize);
    }

    /// <summary>
    /// The nightly batch: evaluates members as of one instant into a buffer the caller owns, on the
    /// caller's thread, keeping only what a nightly run stores and acts on (see
    /// <see cref="TierBatchResult"/>). A member whose status did not change is evaluated without
    /// allocating.
    /// </summary>
    /// <param name="members">The members, in any order.</param>
    /// <param name="results">Receives one result per member at the member's index; at least as long as <paramref name="members"/> (later elements are left untouched).</param>
    /// <param name="asOf">The instant.</param>
    /// <exception cref="ArgumentException"><paramref name="results"/> is shorter than <paramref name="members"/>, a member is null, or a member's data is inconsistent with the ladder or the instant (the message says what to fix). Results before the failing member are filled.</exception>
    public void EvaluateInto(ReadOnlySpan<TierMember> members, Span<TierBatchResult> results, Instant asOf)
    {
        CheckRoom(members.Length, results.Length);
        EvaluateRange(members, results, asOf, 0);
    }

    /// <summary>
    /// The nightly batch on several threads: the members are split into one contiguous slice per
    /// thread, each evaluated into its part of the caller's buffer (no queue, no results held between
    /// slices). The results, and the exception when one is thrown, are the same as
    /// <see cref="EvaluateInto(ReadOnlySpan{TierMember}, Span{TierBatchResult}, Instant)"/> gives.
    /// </summary>
    /// <param name="members">The members, in any order.</param>
    /// <param name="results">Receives one result per member at the member's index; at least as long as <paramref name="members"/> (later elements are left untouched).</param>
    /// <param name="asOf">The instant.</param>
    /// <param name="maxDegreeOfParallelism">The number of threads, between 1 and 1,024 (1 evaluates on the caller's thread; the caller's thread always takes the first slice).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxDegreeOfParallelism"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="results"/> is shorter than <paramref name="members"/>, a member is null, or a member's data is inconsistent with the ladder or the instant; when several members fail, the exception is the one of the first failing member in input order. Other results may or may not be filled.</exception>
    public void EvaluateInto(ReadOnlyMemory<TierMember> members, Memory<TierBatchResult> results, Instant asOf, int maxDegreeOfParallelism)
    {
        Internal.Preconditions.CheckInRange(maxDegreeOfParallelism, 1, 1_024);
        CheckRoom(members.Length, results.Length);
        var count = members.Length;
        var slices = Math.Min(maxDegreeOfParallelism, count);
        if (slices <= 1)
        {
            EvaluateRange(members.Span, results.Span, asOf, 0);
            return;
        }

        // Each slice stops at its first failure; the first failing slice holds the first failing member.
        var failures = new Exception?[slices];
        var options = new ParallelOptions { MaxDegreeOfParallelism = slices };
        Parallel.For(0, slices, options, slice =>
        {
            var start = (int)((long)count * slice / slices);
            var end = (int)((long)count * (slice + 1) / slices);
            try
            {
                EvaluateRange(members.Span[start..end], results.Span[start..end], asOf, start);
            }
            catch (Exception ex)
            {
                failures[slice] = ex;
            }
        });

        foreach (var failure in failures)
        {
            if (failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            }
        }
    }

    /// <summary>
    /// The tier <paramref name="member"/> holds as of <paramref name="asOf"/>: the tier
    /// <see cref="EvaluateInto(ReadOnlySpan{TierMember}, Span{TierBatchResult}, Instant)"/> reports for
    /// the member (the same replay), without the projection, the changes or a new status — for a
    /// caller that reads only the tier (a backtest's order).
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="EvaluateInto(ReadOnlySpan{TierMember}, Span{TierBatchResult}, Instant)"/>.</exception>
    internal TierDefinition TierAt(TierMember member, Instant asOf)
    {
        ArgumentNullException.ThrowIfNull(member);
        var s = scratch ??= new Scratch();
        Instant? horizon = calendar.IsAnniversary ? null : BatchHorizon(asOf, default);
        Begin(member, asOf, s, batch: true, horizon, out var replay, out _, out _, out _);
        return ladder.TierArray[replay.ReportedRank];
    }

    private static void CheckRoom(int members, int results)
    {
        if (results < members)
        {
            throw new ArgumentException($"results has room for {results} results but there are {members} members; pass a buffer at least as long as members.", nameof(results));
        }
    }

    private void EvaluateRange(ReadOnlySpan<TierMember> members, Span<TierBatchResult> results, Instant asOf, int offset)
    {
        var s = scratch ??= new Scratch();
        // Every member shares the end of the current period, except with anniversary years.
        Instant? horizon = calendar.IsAnniversary ? null : BatchHorizon(asOf, default);
        for (var i = 0; i < members.Length; i++)
        {
            results[i] = EvaluateCompact(members[i] ?? throw NullMember(offset + i), asOf, horizon, s);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ArgumentException NullMember(int index) =>
        new($"members must not contain null; members[{index}] is null.", "members");

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
                // One contiguous slice per thread: no per-member scheduling, each slice on its own scratch.
                var slices = Math.Min(degree, n);
                var count = n;
                Parallel.For(0, slices, options, slice =>
                {
                    var s = scratch ??= new Scratch();
                    var end = (int)((long)count * (slice + 1) / slices);
                    for (var i = (int)((long)count * slice / slices); i < end; i++)
                    {
                        results[i] = EvaluateCore(chunk[i], asOf, s);
                    }
                });
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
        Begin(member, asOf, s, batch: false, sharedHorizon: null, out var replay, out _, out _, out _);
        return Complete(ref replay, member.MemberId, asOf, member.History.Span, nullWhenInexact: false)!;
    }

    /// <summary>
    /// The evaluation of a replay that has reached <paramref name="asOf"/>: the projection to the end of
    /// the period, the window's totals and the status. With <paramref name="nullWhenInexact"/>, null when
    /// the replay or the projection read a window bound inside an entry that sums several.
    /// </summary>
    private TierEvaluation? Complete(ref Replay replay, MemberId memberId, Instant asOf, ReadOnlySpan<QualificationEntry> history, bool nullWhenInexact)
    {
        var projection = replay;
        Instant? projectedAt = null;
        if (!calendar.IsLifetime)
        {
            var horizon = calendar.PeriodEnd(asOf, replay.Enrolment);
            projectedAt = horizon;
            projection.RunUntil(horizon, record: false);
        }

        var windowStart = calendar.WindowStart(asOf, replay.Enrolment);
        var totals = replay.Totals(windowStart, asOf, history);
        if (nullWhenInexact && (replay.Split || projection.Split))
        {
            return null;
        }

        var status = replay.ToStatus(asOf);
        return new TierEvaluation(
            ladder,
            memberId,
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

    /// <summary>
    /// Evaluates a member from a kept timeline (the entries in time order with their running totals) and
    /// a prior status, as <see cref="Evaluate"/> does for the same entries, prior status and no manual
    /// assignment, in O(log n + events since the prior status): nothing is loaded, sorted or summed.
    /// Null when a window the evaluation reads starts or ends inside an entry that sums several
    /// (<see cref="QualificationEntry.IsSum"/>): only the full history answers that exactly.
    /// </summary>
    internal TierEvaluation? EvaluateKept(MemberId memberId, Instant enrolledAt, TierStatus? prior, QualificationTimeline timeline, Instant asOf)
    {
        var replay = StartKept(memberId, enrolledAt, prior, timeline, asOf);
        replay.RunUntil(asOf, record: true);
        return Complete(ref replay, memberId, asOf, default, nullWhenInexact: true);
    }

    /// <summary>
    /// The tier <see cref="EvaluateKept"/> reports as of <paramref name="asOf"/> (the same replay), without
    /// the projection, the window totals, the changes or a new status: for a caller that reads only the
    /// tier (the tier an order, an activity or a quote is evaluated under). Null when the replay to
    /// <paramref name="asOf"/> reads a window bound inside an entry that sums several (replay the history).
    /// Where this gives a tier, it is the tier of <see cref="EvaluateKept"/> and of a full replay.
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="EvaluateKept"/>.</exception>
    internal TierDefinition? KeptTierAt(MemberId memberId, Instant enrolledAt, TierStatus? prior, QualificationTimeline timeline, Instant asOf)
    {
        var replay = StartKept(memberId, enrolledAt, prior, timeline, asOf);
        replay.RunUntil(asOf, record: true);
        return replay.Split ? null : ladder.TierArray[replay.ReportedRank];
    }

    /// <summary>
    /// The status <see cref="EvaluateKept"/> reports as of <paramref name="asOf"/> (the same replay), without
    /// the projection, the window totals or the changes: for a caller that keeps only the status (the
    /// checkpoint a member's kept state moves to). Null when the replay to <paramref name="asOf"/> reads a
    /// window bound inside an entry that sums several (replay the history).
    /// </summary>
    /// <exception cref="ArgumentException">As <see cref="EvaluateKept"/>.</exception>
    internal TierStatus? KeptStatusAt(MemberId memberId, Instant enrolledAt, TierStatus? prior, QualificationTimeline timeline, Instant asOf)
    {
        var replay = StartKept(memberId, enrolledAt, prior, timeline, asOf);
        replay.RunUntil(asOf, record: true);
        return replay.Split ? null : replay.ToStatus(asOf);
    }

    /// <summary>The checks of a kept evaluation and its replay started from <paramref name="prior"/> (or afresh), before any event.</summary>
    private Replay StartKept(MemberId memberId, Instant enrolledAt, TierStatus? prior, QualificationTimeline timeline, Instant asOf)
    {
        if (timeline.KindMask != kindMask)
        {
            throw new ArgumentException("The timeline was summed for another ladder's qualifying kinds; build it with this evaluator's Timeline.", nameof(timeline));
        }

        var s = scratch ??= new Scratch();
        if (memberId.IsDefault)
        {
            throw new ArgumentException("TierMember.MemberId must not be default; create one with MemberId.From(...).", nameof(memberId));
        }

        if (asOf < enrolledAt)
        {
            throw BeforeEnrolment(new TierMember { MemberId = memberId, EnrolledAt = enrolledAt }, asOf);
        }

        if (prior is not null && prior.EvaluatedAt > asOf)
        {
            throw PriorAfterInstant(new TierMember { MemberId = memberId, EnrolledAt = enrolledAt }, prior, asOf);
        }

        if (prior is not null && prior.EvaluatedAt < enrolledAt)
        {
            throw PriorBeforeEnrolment(new TierMember { MemberId = memberId, EnrolledAt = enrolledAt }, prior);
        }

        var enrolment = calendar.IsAnniversary ? calendar.LocalDateOf(enrolledAt) : default;
        var replay = new Replay(this, s, timeline, timeline.UpperBound(asOf), enrolledAt, enrolment);
        if (prior is null)
        {
            replay.StartFresh();
        }
        else
        {
            var automatic = RankOrThrow(prior.AutomaticTier, "prior status", memberId);
            var fallback = prior.FallbackTier is { } fb ? RankOrThrow(fb, "prior status fallback", memberId) : -1;
            var reported = RankOrThrow(prior.Tier, "prior status", memberId);
            replay.StartFrom(prior, automatic, fallback, reported);
        }

        return replay;
    }

    /// <summary>A kept timeline of <paramref name="sorted"/> (entries in time order) for this evaluator's qualifying kinds; checks each entry's currency.</summary>
    /// <param name="sorted">The entries.</param>
    /// <param name="memberId">The member, for the error naming an entry in another currency.</param>
    /// <param name="capacity">Room for this many entries before appending copies them (at least the count; 0 for the default of twice the count).</param>
    internal QualificationTimeline Timeline(IReadOnlyList<QualificationEntry> sorted, MemberId memberId, int capacity = 0)
    {
        if (sorted is QualificationTimeline kept && kept.KindMask == kindMask)
        {
            return kept;
        }

        if (sorted.Count == 0)
        {
            // A member without entries yet (a new member's first order reads its tier, then appends to it).
            return emptyTimeline;
        }

        for (var i = 0; i < sorted.Count; i++)
        {
            CheckCurrency(sorted[i], memberId);
        }

        return QualificationTimeline.From(sorted, kindMask, capacity);
    }

    /// <summary>The timeline with one more entry after its newest (its currency checked), or null when the entry is not later than the newest.</summary>
    internal QualificationTimeline? Append(QualificationTimeline timeline, QualificationEntry entry, MemberId memberId)
    {
        CheckCurrency(entry, memberId);
        return timeline.Append(entry);
    }

    private void CheckCurrency(in QualificationEntry e, MemberId memberId)
    {
        if (currency is { } c && !e.SpendCurrency.IsDefault && e.SpendCurrency != c)
        {
            throw ForeignCurrency(new TierMember { MemberId = memberId, EnrolledAt = e.At }, e, c);
        }
    }

    /// <summary>
    /// The batch output of one member: no window value, and a new status only when it differs from
    /// the prior one in more than its evaluation instant.
    /// </summary>
    private TierBatchResult EvaluateCompact(TierMember member, Instant asOf, Instant? sharedHorizon, Scratch s)
    {
        Begin(member, asOf, s, batch: true, sharedHorizon, out var replay, out var priorRanks, out var horizon, out var quiet);

        var projectedRank = replay.ReportedRank;
        if (!calendar.IsLifetime && !quiet)
        {
            var projection = replay;
            projection.RunUntil(horizon, record: false);
            projectedRank = projection.ReportedRank;
        }

        var prior = member.PriorStatus;
        var status = prior is not null && replay.Matches(prior, priorRanks) ? null : replay.ToStatus(asOf);
        return new TierBatchResult(
            ladder,
            member.MemberId,
            asOf,
            status,
            prior,
            replay.ReportedRank,
            projectedRank,
            replay.InGrace,
            replay.TakeChanges());
    }

    /// <summary>
    /// Validates the member, loads its history and replays it up to <paramref name="asOf"/>, recording
    /// changes. For the batch, <paramref name="horizon"/> is the end of the projection (the end of the
    /// current period, or <paramref name="asOf"/> for a lifetime window), and a quiet member (see
    /// <see cref="IsQuiet"/>) skips sorting and summing its history: nothing in its replay or its
    /// projection reads the window's value.
    /// </summary>
    /// <param name="member">The member.</param>
    /// <param name="asOf">The instant.</param>
    /// <param name="s">This thread's scratch.</param>
    /// <param name="batch">True for the batch.</param>
    /// <param name="sharedHorizon">The batch's horizon when it is the same for every member (any window but the anniversary year).</param>
    /// <param name="replay">The replay, as of <paramref name="asOf"/>.</param>
    /// <param name="priorRanks">The ranks of the prior status's tiers.</param>
    /// <param name="horizon">The end of the projection.</param>
    /// <param name="quiet">True when the replay met no event and meets none before <paramref name="horizon"/>: the projection is the current tier.</param>
    private void Begin(TierMember member, Instant asOf, Scratch s, bool batch, Instant? sharedHorizon, out Replay replay, out PriorRanks priorRanks, out Instant horizon, out bool quiet)
    {
        if (member.MemberId.IsDefault)
        {
            throw new ArgumentException("TierMember.MemberId must not be default; create one with MemberId.From(...).", nameof(member));
        }

        if (asOf < member.EnrolledAt)
        {
            throw BeforeEnrolment(member, asOf);
        }

        var prior = member.PriorStatus;
        if (prior is not null && prior.EvaluatedAt > asOf)
        {
            throw PriorAfterInstant(member, prior, asOf);
        }

        if (prior is not null && prior.EvaluatedAt < member.EnrolledAt)
        {
            throw PriorBeforeEnrolment(member, prior);
        }

        var manual = member.ManualAssignment;
        var manualRank = -1;
        if (manual is not null)
        {
            manualRank = RankOrThrow(manual.Tier, "manual assignment", member.MemberId);
        }

        var enrolment = calendar.IsAnniversary ? calendar.LocalDateOf(member.EnrolledAt) : default;
        horizon = batch ? sharedHorizon ?? BatchHorizon(asOf, enrolment) : asOf;
        quiet = batch && prior is not null && manual is null && NoExpiryBefore(prior, horizon) && IsQuiet(member, prior, asOf);
        var n = quiet ? 0 : Load(member, asOf, s);
        if (prior is null)
        {
            priorRanks = default;
            replay = new Replay(this, s, n, member.EnrolledAt, enrolment, manual, manualRank);
            replay.StartFresh();
        }
        else
        {
            var automatic = RankOrThrow(prior.AutomaticTier, "prior status", member.MemberId);
            var fallback = prior.FallbackTier is { } fb ? RankOrThrow(fb, "prior status fallback", member.MemberId) : -1;
            var reported = RankOrThrow(prior.Tier, "prior status", member.MemberId);
            priorRanks = new PriorRanks(reported, automatic, fallback);
            if (quiet && reported != automatic)
            {
                // The stored tier was a manual one that is no longer assigned: a change to report,
                // and the events after it read the window.
                n = Load(member, asOf, s);
                quiet = false;
            }

            replay = new Replay(this, s, n, member.EnrolledAt, enrolment, manual, manualRank);
            replay.StartFrom(prior, automatic, fallback, reported);
        }

        replay.RunUntil(asOf, record: true);
    }

    /// <summary>The end of the batch's projection: the end of the current period, or the instant itself for a lifetime window.</summary>
    private Instant BatchHorizon(Instant asOf, LocalDate enrolment) => calendar.IsLifetime ? asOf : calendar.PeriodEnd(asOf, enrolment);

    /// <summary>Whether the prior status's tier (or its grace) ends only after <paramref name="until"/>; read as the replay reads it.</summary>
    private static bool NoExpiryBefore(TierStatus prior, Instant until)
    {
        var grace = prior.GraceUntil ?? TierCalendar.None;
        var expiry = grace != TierCalendar.None ? grace : prior.AutomaticValidUntil ?? TierCalendar.None;
        return expiry > until;
    }

    /// <summary>
    /// A quiet member (no manual assignment, no expiry before the horizon): true when no entry up to
    /// <paramref name="asOf"/> is dated after the prior evaluation, so the replay meets no event, and
    /// no sum of the amounts could overflow (each within the total's range divided by the number of
    /// entries), so skipping the sums changes no outcome. Checks each entry's currency as
    /// <see cref="Load"/> does, in the same order.
    /// </summary>
    private bool IsQuiet(TierMember member, TierStatus prior, Instant asOf)
    {
        var span = member.History.Span;
        if (span.Length == 0)
        {
            return true;
        }

        var after = prior.EvaluatedAt;
        var pointsLimit = long.MaxValue / span.Length;
        var spendLimit = usesSpend ? SpendLimit / span.Length : 0m;
        var c = currency;
        for (var k = 0; k < span.Length; k++)
        {
            ref readonly var e = ref span[k];
            var at = e.At;
            if (at > asOf)
            {
                continue;
            }

            if (c is { } programme && !e.SpendCurrency.IsDefault && e.SpendCurrency != programme)
            {
                throw ForeignCurrency(member, e, programme);
            }

            if (at > after || e.Points > pointsLimit || e.Points < -pointsLimit)
            {
                return false;
            }

            if (usesSpend && (e.Spend > spendLimit || e.Spend < -spendLimit))
            {
                return false;
            }
        }

        return true;
    }

    private int RankOrThrow(TierId tier, string what, MemberId member)
    {
        // Linear scans: ladders are short and stored ids usually share the ladder's strings, so
        // compare the strings by reference first and by value only when none is the same instance.
        var all = tiers;
        var text = tier.Value;
        for (var r = 0; r < all.Length; r++)
        {
            if (ReferenceEquals(all[r].Id.Value, text))
            {
                return r;
            }
        }

        for (var r = 0; r < all.Length; r++)
        {
            if (all[r].Id == tier)
            {
                return r;
            }
        }

        throw UnknownTier(tier, what, member);
    }

    // The messages are built out of line, so the hot path's frames stay small.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ArgumentException BeforeEnrolment(TierMember member, Instant asOf) =>
        new($"Cannot evaluate member '{member.MemberId}' as of {asOf}: it is before the member's enrolment at {member.EnrolledAt}.", nameof(asOf));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ArgumentException PriorAfterInstant(TierMember member, TierStatus prior, Instant asOf) =>
        new($"Cannot evaluate member '{member.MemberId}' as of {asOf}: the prior status was evaluated later, at {prior.EvaluatedAt}; evaluate without the prior status to look at the past.", nameof(asOf));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ArgumentException PriorBeforeEnrolment(TierMember member, TierStatus prior) =>
        new($"The prior status of member '{member.MemberId}' was evaluated at {prior.EvaluatedAt}, before the member's enrolment at {member.EnrolledAt}.", nameof(member));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ArgumentException ForeignCurrency(TierMember member, in QualificationEntry e, Currency c) =>
        new($"Member '{member.MemberId}' has spend in {e.SpendCurrency} at {e.At} but the programme currency is {c}; convert it before recording.", nameof(member));

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ArgumentException UnknownTier(TierId tier, string what, MemberId member) =>
        new($"The {what} of member '{member}' names tier '{tier}', which is not in the ladder; known tiers are {string.Join(", ", tiers.Select(t => $"'{t.Id}'"))}.", nameof(member));

    /// <summary>
    /// Sorts the instants of the history up to <paramref name="asOf"/> (with the index of each entry)
    /// and builds prefix sums of the qualifying amounts in that order. Only 16-byte instants and
    /// indexes move while sorting; spend (a decimal) is summed only when a threshold needs it.
    /// </summary>
    private int Load(TierMember member, Instant asOf, Scratch s)
    {
        var span = member.History.Span;
        s.Ensure(span.Length, usesSpend);
        var times = s.Times;
        var index = s.Index;
        var count = 0;
        var sorted = true;
        for (var k = 0; k < span.Length; k++)
        {
            ref readonly var e = ref span[k];
            var at = e.At;
            if (at > asOf)
            {
                continue;
            }

            if (currency is { } c && !e.SpendCurrency.IsDefault && e.SpendCurrency != c)
            {
                throw ForeignCurrency(member, e, c);
            }

            if (count > 0 && at < times[count - 1])
            {
                sorted = false;
            }

            times[count] = at;
            index[count++] = k;
        }

        if (!sorted)
        {
            if (count <= 16)
            {
                // Insertion sort: histories are short, and this beats a comparer-based sort.
                for (var i = 1; i < count; i++)
                {
                    var t = times[i];
                    var x = index[i];
                    var j = i - 1;
                    while (j >= 0 && times[j] > t)
                    {
                        times[j + 1] = times[j];
                        index[j + 1] = index[j];
                        j--;
                    }

                    times[j + 1] = t;
                    index[j + 1] = x;
                }
            }
            else
            {
                Array.Sort(times, index, 0, count);
            }
        }

        var points = s.Points;
        var orders = s.Orders;
        var reductions = s.Reductions;
        long p = 0, o = 0;
        points[0] = 0;
        orders[0] = 0;
        var mask = kindMask;
        if (usesSpend)
        {
            var spend = s.Spend;
            var sp = 0m;
            spend[0] = 0m;
            for (var i = 0; i < count; i++)
            {
                ref readonly var e = ref span[index[i]];
                if ((mask & (1 << (int)e.Kind)) != 0)
                {
                    p = checked(p + e.Points);
                }

                sp += e.Spend;
                o += e.Orders;
                points[i + 1] = p;
                spend[i + 1] = sp;
                orders[i + 1] = o;
                reductions[i] = e.IsReduction;
            }
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                ref readonly var e = ref span[index[i]];
                if ((mask & (1 << (int)e.Kind)) != 0)
                {
                    p = checked(p + e.Points);
                }

                o += e.Orders;
                points[i + 1] = p;
                orders[i + 1] = o;
                reductions[i] = e.IsReduction;
            }
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

    /// <summary>The ladder ranks of a prior status's tiers (fallback -1 when there is none).</summary>
    private readonly record struct PriorRanks(int Reported, int Automatic, int Fallback);

    private sealed class Scratch
    {
        public Instant[] Times = new Instant[16];
        public int[] Index = new int[16];
        public bool[] Reductions = new bool[16];
        public long[] Points = new long[17];
        public decimal[] Spend = new decimal[17];
        public long[] Orders = new long[17];
        public TierChange[] Changes = new TierChange[8];

        public void Ensure(int n, bool withSpend)
        {
            if (Times.Length < n)
            {
                var size = Math.Max(n, Times.Length * 2);
                Times = new Instant[size];
                Index = new int[size];
                Reductions = new bool[size];
                Points = new long[size + 1];
                Orders = new long[size + 1];
            }

            if (withSpend && Spend.Length < Times.Length + 1)
            {
                Spend = new decimal[Times.Length + 1];
            }
        }
    }

    /// <summary>The state machine of one member; a struct so the projection is a copy.</summary>
    private struct Replay
    {
        private static readonly Instant None = TierCalendar.None;

        private readonly TierEvaluator owner;
        private readonly Scratch s;
        private readonly int count;
        private readonly Instant enrolledAt;
        private readonly ManualTierAssignment? manual;
        private readonly int manualRank;

        // The entries' instants, signs and running totals: the scratch's (from index 0) after a load, or
        // a kept timeline's (from its first index); entries in [first, count), totals in [first, count].
        private readonly Instant[] times;
        private readonly bool[] reductions;
        private readonly long[] points;
        private readonly decimal[] spend;
        private readonly long[] orders;
        private readonly int first;
        private readonly bool spendSummed;

        // A kept timeline's earliest instant of each entry (before the entry's own for a sum of several); null
        // for a loaded history. A window bound inside a sum of the entries replayed is recorded in split.
        private readonly Instant[]? sinces;
        private bool split;

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

        public Replay(TierEvaluator owner, Scratch s, int count, Instant enrolledAt, LocalDate enrolment, ManualTierAssignment? manual, int manualRank)
        {
            this.owner = owner;
            this.s = s;
            this.count = count;
            this.enrolledAt = enrolledAt;
            Enrolment = enrolment;
            this.manual = manual;
            this.manualRank = manualRank;
            times = s.Times;
            reductions = s.Reductions;
            points = s.Points;
            spend = s.Spend;
            orders = s.Orders;
            first = 0;
            spendSummed = owner.usesSpend;
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

        /// <summary>A replay over a kept timeline's entries up to (not including) the absolute index <paramref name="end"/>.</summary>
        public Replay(TierEvaluator owner, Scratch s, QualificationTimeline timeline, int end, Instant enrolledAt, LocalDate enrolment)
            : this(owner, s, end, enrolledAt, enrolment, null, -1)
        {
            times = timeline.Times;
            reductions = timeline.Reductions;
            points = timeline.Points;
            spend = timeline.Spend;
            orders = timeline.Orders;
            first = timeline.First;
            spendSummed = true;
            sinces = timeline.Sinces;
        }

        public LocalDate Enrolment { get; }

        public int ReportedRank { get; private set; }

        public readonly int AutoRank => autoRank;

        /// <summary>True when a window read so far starts or ends inside a sum of several entries: its total is not exact.</summary>
        public readonly bool Split => split;

        public void StartFresh()
        {
            cursor = first;
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
            var times = this.times;
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

        public QualifyingTotals Totals(Instant from, Instant to, ReadOnlySpan<QualificationEntry> history)
        {
            var lo = from == Instant.MinValue ? first : LowerBound(from);
            var hi = UpperBound(to);
            CheckSplit(lo, from, hi, to);
            if (hi <= lo)
            {
                return default;
            }

            decimal sum;
            if (spendSummed)
            {
                sum = spend[hi] - spend[lo];
            }
            else
            {
                // Spend is not summed ahead when no threshold needs it: add up the window once.
                var index = s.Index;
                sum = 0m;
                for (var i = lo; i < hi; i++)
                {
                    sum += history[index[i]].Spend;
                }
            }

            return new QualifyingTotals(points[hi] - points[lo], sum, orders[hi] - orders[lo]);
        }

        public readonly TierStatus ToStatus(Instant asOf)
        {
            var valid = ReportedValidUntil();

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

        public readonly bool InGrace => graceUntil != None;

        /// <summary>Until when the reported tier holds: the automatic validity, or the manual assignment's end when it holds the tier.</summary>
        private readonly Instant ReportedValidUntil()
        {
            var valid = validUntil;
            if (manualActive && manualRank >= autoRank)
            {
                var manualValid = manual!.Until ?? None;
                valid = manualRank > autoRank ? manualValid : (manualValid > valid ? manualValid : valid);
            }

            return valid;
        }

        /// <summary>
        /// True when <see cref="ToStatus"/> would equal <paramref name="prior"/> in everything but
        /// <see cref="TierStatus.EvaluatedAt"/>; compared field by field, without building the status.
        /// Tier ids are unique in the ladder, so equal ranks mean equal ids.
        /// </summary>
        public readonly bool Matches(TierStatus prior, PriorRanks ranks)
        {
            var valid = ReportedValidUntil();

            return ReportedRank == ranks.Reported
                && autoRank == ranks.Automatic
                && fallbackRank == ranks.Fallback
                && reportedSince == prior.Since
                && autoSince == prior.AutomaticSince
                && Same(valid, prior.ValidUntil)
                && Same(graceUntil, prior.GraceUntil)
                && Same(validUntil, prior.AutomaticValidUntil)
                && Same(lastQualifiedAt, prior.LastQualifiedAt)
                && Same(lastQualifiedAt == None ? None : undoValidUntil, prior.ValidUntilBeforeLastQualification)
                && Same(fallbackRank < 0 ? None : fallbackValidUntil, prior.FallbackValidUntil);
        }

        public readonly IReadOnlyList<TierChange> TakeChanges() =>
            changeCount == 0 ? Array.Empty<TierChange>() : s.Changes.AsSpan(0, changeCount).ToArray();

        /// <summary>Whether an instant (<see cref="None"/> for absent) is what a status stores as nullable.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool Same(Instant value, Instant? stored) =>
            value == None ? !stored.HasValue : stored.HasValue && stored.GetValueOrDefault() == value;

        private TierChangeReason Entries(Instant at)
        {
            var reductions = this.reductions;
            var times = this.times;
            var reduction = false;
            while (cursor < count && (times[cursor] < enrolledAt ? enrolledAt : times[cursor]) == at)
            {
                reduction |= reductions[cursor];
                cursor++;
            }

            var calendar = owner.calendar;
            var windowStart = calendar.WindowStart(at, Enrolment);
            // Every entry up to and including this instant has been passed: the window ends at the cursor.
            var computed = ComputedRank(windowStart, cursor);
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

        private int ComputedRank(Instant windowStart, Instant at)
        {
            var hi = UpperBound(at);
            if (sinces is not null && hi < count && sinces[hi] <= at)
            {
                split = true;
            }

            return ComputedRank(windowStart, hi);
        }

        /// <summary>Records a window [<paramref name="from"/>, <paramref name="to"/>] (entries [<paramref name="lo"/>, <paramref name="hi"/>)) that starts or ends inside a sum.</summary>
        private void CheckSplit(int lo, Instant from, int hi, Instant to)
        {
            if (sinces is { } since && ((lo < count && since[lo] < from) || (hi < count && since[hi] <= to)))
            {
                split = true;
            }
        }

        private int ComputedRank(Instant windowStart, int hi)
        {
            var lo = windowStart == Instant.MinValue ? first : LowerBound(windowStart);
            if (sinces is not null && lo < count && sinces[lo] < windowStart)
            {
                // The entry at lo sums entries from before the window's start with entries in it.
                split = true;
            }
            if (hi <= lo)
            {
                return 0;
            }

            var p = points[hi] - points[lo];
            var o = orders[hi] - orders[lo];
            var compiled = owner.compiled;
            var sp = owner.usesSpend ? spend[hi] - spend[lo] : 0m;
            for (var r = compiled.Length - 1; r > 0; r--)
            {
                if (compiled[r].IsMetBy(p, sp, o))
                {
                    return r;
                }
            }

            return 0;
        }

        private readonly int LowerBound(Instant t)
        {
            var times = this.times;
            int lo = first, hi = count;
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
            var times = this.times;
            int lo = first, hi = count;
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
