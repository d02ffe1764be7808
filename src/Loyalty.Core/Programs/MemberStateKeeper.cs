using Loyalty.Core.Coalition;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Referrals;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.Programs;

/// <summary>
/// Keeps a member's evaluation state (<see cref="MemberEvaluationState"/>): builds it by replaying a
/// history (the repair path), moves it past one order, refund or activity (the common path), and
/// evaluates the member's tier from it. Both paths give the same answers; a property test holds them to it.
/// </summary>
/// <remarks>
/// The tier part is a checkpoint status plus the qualification entries that can still count. After
/// each write the checkpoint moves to just before the newest entry (never after the clock), so an
/// order placed at the same instant as the last one is still an event of the replay; entries before
/// the checkpoint's window are dropped (a lifetime window folds them), except, while the checkpoint is
/// in grace, those of the window that ended with its validity (the end of grace reads it again). An entry dated at or before the
/// checkpoint (an order recorded late) cannot be added incrementally: the state is rebuilt from the
/// history, which is exact and costs one history read.
/// </remarks>
internal sealed class MemberStateKeeper(TierEvaluator evaluator, Currency currency, ReferralPolicy referral, QualificationWeights weights)
{
    public TierEvaluator Evaluator => evaluator;

    /// <summary>How much each merchant's orders, refunds and activities count towards qualification.</summary>
    public QualificationWeights Weights => weights;

    /// <summary>The state a full replay of <paramref name="history"/> gives, with the checkpoint moved as of <paramref name="now"/>.</summary>
    public MemberEvaluationState Replay(MemberRecord member, MemberHistory history, Instant now)
    {
        var entries = new List<QualificationEntry>(history.Orders.Count + history.Refunds.Count + history.Activities.Count);
        var usage = new Dictionary<(RuleId, UsagePeriod?), RuleUsageDelta>();
        Instant? firstOrderAt = null;
        OrderRecord? firstQualifying = null;
        foreach (var order in history.Orders)
        {
            entries.Add(Entry(order));
            AddUsage(usage, order.Earning.UsageDeltas);
            firstOrderAt = firstOrderAt is { } f && f <= order.Order.PlacedAt ? f : order.Order.PlacedAt;
            if (IsQualifyingForReferral(order)
                && (firstQualifying is null
                    || order.Order.PlacedAt < firstQualifying.Order.PlacedAt
                    || (order.Order.PlacedAt == firstQualifying.Order.PlacedAt && order.RecordedAt < firstQualifying.RecordedAt)))
            {
                firstQualifying = order;
            }
        }

        var merchantOf = weights.MerchantsOf(history);
        foreach (var refund in history.Refunds)
        {
            entries.Add(weights.Refund(refund, merchantOf(refund.OrderId)));
        }

        var welcome = Points.Zero;
        var signUp = DerivedIds.SignUp(member.MemberId);
        foreach (var activity in history.Activities)
        {
            AddUsage(usage, activity.Earning.UsageDeltas);
            if (Entry(activity) is { } entry)
            {
                entries.Add(entry);
            }

            if (activity.ActivityId == signUp)
            {
                welcome = activity.Earning.Total;
            }
        }

        var merged = new List<QualificationEntry>(entries.Count);
        foreach (var entry in entries.OrderBy(e => e.At))
        {
            Merge(merged, entry);
        }

        var state = new MemberEvaluationState
        {
            HistoryVersion = history.Version,
            OrderCount = history.Orders.Count,
            FirstOrderAt = firstOrderAt,
            FirstQualifyingOrder = firstQualifying?.OrderId,
            FirstQualifyingOrderPlacedAt = firstQualifying?.Order.PlacedAt,
            WelcomePoints = welcome,
            Usage = usage.Values.ToArray(),
            TierCheckpoint = null,
            Qualification = merged.ToArray(),
        };
        return Advance(member, state, now, out _) ?? throw new InvalidOperationException("A replayed state holds no sums, so its tier can always be evaluated.");
    }

    /// <summary>
    /// The state after an order, or null when the order is dated at or before the tier checkpoint, or when
    /// an evaluation would read a window starting inside a sum the state keeps (rebuild it by replay).
    /// </summary>
    /// <param name="member">The member, as read.</param>
    /// <param name="state">The member's kept state, as read.</param>
    /// <param name="order">The order written with the state.</param>
    /// <param name="now">The instant of the write.</param>
    /// <param name="evaluation">The tier evaluation of the returned state as of <paramref name="now"/> (or its checkpoint, when later) when checking the state made one, else null: pass it on to <see cref="ProgramContext.Advance"/>.</param>
    public MemberEvaluationState? WithOrder(MemberRecord member, MemberEvaluationState state, OrderRecord order, Instant now, out TierEvaluation? evaluation)
    {
        evaluation = null;
        var entry = Entry(order);
        if (IsBehindCheckpoint(state, entry))
        {
            return null;
        }

        var qualifies = IsQualifyingForReferral(order)
            && (state.FirstQualifyingOrderPlacedAt is not { } first || order.Order.PlacedAt < first);
        var next = state with
        {
            HistoryVersion = state.HistoryVersion + 1,
            OrderCount = state.OrderCount + 1,
            FirstOrderAt = state.FirstOrderAt is { } f && f <= order.Order.PlacedAt ? f : order.Order.PlacedAt,
            FirstQualifyingOrder = qualifies ? order.OrderId : state.FirstQualifyingOrder,
            FirstQualifyingOrderPlacedAt = qualifies ? order.Order.PlacedAt : state.FirstQualifyingOrderPlacedAt,
            Usage = WithUsage(state.Usage, order.Earning.UsageDeltas),
            Qualification = With(member, state.Qualification, entry),
        };
        return Advance(member, next, now, out evaluation);
    }

    /// <summary>The state after a refund, or null when it is dated at or before the tier checkpoint or a window would split a kept sum.</summary>
    /// <param name="member">The member, as read.</param>
    /// <param name="state">The member's kept state, as read.</param>
    /// <param name="refund">The refund written with the state.</param>
    /// <param name="merchant">The store of the refunded order, for its qualification weight.</param>
    /// <param name="now">The instant of the write.</param>
    /// <param name="evaluation">As for <see cref="WithOrder"/>.</param>
    public MemberEvaluationState? WithRefund(MemberRecord member, MemberEvaluationState state, RefundRecord refund, MerchantId? merchant, Instant now, out TierEvaluation? evaluation)
    {
        evaluation = null;
        var entry = weights.Refund(refund, merchant);
        if (IsBehindCheckpoint(state, entry))
        {
            return null;
        }

        var next = state with
        {
            HistoryVersion = state.HistoryVersion + 1,
            Qualification = With(member, state.Qualification, entry),
        };
        return Advance(member, next, now, out evaluation);
    }

    /// <summary>The state after an activity, or null when it earned points dated at or before the tier checkpoint or a window would split a kept sum.</summary>
    /// <param name="member">The member, as read.</param>
    /// <param name="state">The member's kept state, as read.</param>
    /// <param name="activity">The activity written with the state.</param>
    /// <param name="now">The instant of the write.</param>
    /// <param name="evaluation">As for <see cref="WithOrder"/>.</param>
    public MemberEvaluationState? WithActivity(MemberRecord member, MemberEvaluationState state, ActivityRecord activity, Instant now, out TierEvaluation? evaluation)
    {
        evaluation = null;
        var entry = Entry(activity);
        if (entry is { } e && IsBehindCheckpoint(state, e))
        {
            return null;
        }

        var next = state with
        {
            HistoryVersion = state.HistoryVersion + 1,
            WelcomePoints = activity.ActivityId == DerivedIds.SignUp(member.MemberId) ? activity.Earning.Total : state.WelcomePoints,
            Usage = WithUsage(state.Usage, activity.Earning.UsageDeltas),
            Qualification = entry is { } add ? With(member, state.Qualification, add) : state.Qualification,
        };
        return entry is null ? Evaluable(member, next, now, out evaluation) : Advance(member, next, now, out evaluation);
    }

    /// <summary>
    /// The member's tier as of an instant from the kept state, or null when the instant is before the
    /// checkpoint or a window the evaluation reads starts inside a kept sum (replay the history instead).
    /// </summary>
    public TierEvaluation? Evaluate(MemberRecord member, MemberEvaluationState state, Instant asOf)
        => KeptInstant(member, state, asOf) is { } at ? EvaluateKept(member, state, at) : null;

    /// <summary>
    /// The member's tier as of an instant from the kept state, without the evaluation around it (status,
    /// projection, totals): the tier <see cref="Evaluate"/> reports. Null when the instant is before the
    /// kept checkpoint or the kept sums cannot answer it exactly (replay the history).
    /// </summary>
    public TierDefinition? TierAt(MemberRecord member, MemberEvaluationState state, Instant asOf)
        => KeptInstant(member, state, asOf) is { } at
            ? evaluator.KeptTierAt(member.MemberId, member.EnrolledAt, state.TierCheckpoint, evaluator.Timeline(state.Qualification, member.MemberId), at)
            : null;

    /// <summary>The member's tier as of an instant by replaying the full history (as-of questions, audits, repair).</summary>
    public TierEvaluation EvaluateByReplay(MemberRecord member, MemberHistory history, Instant asOf)
    {
        var entries = new List<QualificationEntry>(history.Orders.Count + history.Refunds.Count + history.Activities.Count);
        entries.AddRange(history.Orders.Select(Entry));
        var merchantOf = weights.MerchantsOf(history);
        entries.AddRange(history.Refunds.Select(r => weights.Refund(r, merchantOf(r.OrderId))));
        foreach (var activity in history.Activities)
        {
            if (Entry(activity) is { } entry)
            {
                entries.Add(entry);
            }
        }

        var at = asOf < member.EnrolledAt ? member.EnrolledAt : asOf;
        return evaluator.Evaluate(new TierMember { MemberId = member.MemberId, EnrolledAt = member.EnrolledAt, History = entries.ToArray() }, at);
    }

    /// <summary>The per-member cap usage the earning engine reads.</summary>
    public static EarningUsage Usage(MemberEvaluationState state) =>
        state.Usage.Count == 0 ? EarningUsage.Empty : EarningUsage.Empty.Apply(state.Usage);

    public bool IsQualifyingForReferral(OrderRecord order) => order.Order.NetSubtotal >= referral.MinimumOrderAmount;

    private QualificationEntry Entry(OrderRecord order) => weights.Order(order, currency);

    private QualificationEntry? Entry(ActivityRecord activity) => weights.Activity(activity);

    private static bool IsBehindCheckpoint(MemberEvaluationState state, QualificationEntry entry) =>
        state.TierCheckpoint is { } checkpoint && entry.At <= checkpoint.EvaluatedAt;

    /// <summary>The instant an evaluation from the kept state reads for <paramref name="asOf"/> (enrolment at the earliest), or null when it is before the kept checkpoint.</summary>
    private static Instant? KeptInstant(MemberRecord member, MemberEvaluationState state, Instant asOf)
    {
        var at = asOf < member.EnrolledAt ? member.EnrolledAt : asOf;
        return state.TierCheckpoint is { } checkpoint && checkpoint.EvaluatedAt > at ? null : at;
    }

    /// <summary>The tier from the kept checkpoint and timeline (O(log n) in the entries, whatever the history).</summary>
    private TierEvaluation? EvaluateKept(MemberRecord member, MemberEvaluationState state, Instant at) =>
        evaluator.EvaluateKept(member.MemberId, member.EnrolledAt, state.TierCheckpoint, evaluator.Timeline(state.Qualification, member.MemberId), at);

    /// <summary>
    /// Moves the checkpoint to just before the newest entry (not after <paramref name="now"/>, not before
    /// enrolment, never back), then drops the entries no later evaluation can count any more: those before
    /// the checkpoint's window and, in grace, before the window that ended with the validity. The entries
    /// the checkpoint has replayed only count in window sums from then on, so they are summed per period
    /// (<see cref="TierEvaluator.FoldPeriod"/>) and earn kind: the state holds one entry per kind per
    /// calendar or anniversary year, per local day for a rolling window, or in all for a lifetime window,
    /// whatever the number of orders (the newest period's entries in batches, see <see cref="Fold"/>). A rolling window can start inside a day: when the evaluation as of
    /// <paramref name="now"/> would read one starting inside a sum, the entries are kept apart this time.
    /// Null when the state given cannot be evaluated without splitting one of its sums (replay the history).
    /// The state given must be one the caller has just built for this write and shared with no one: it is moved
    /// to its new checkpoint in place (<see cref="MemberEvaluationState.MoveTierPart"/>), not copied once more.
    /// </summary>
    private MemberEvaluationState? Advance(MemberRecord member, MemberEvaluationState state, Instant now, out TierEvaluation? evaluation)
    {
        evaluation = null;
        var entries = state.Qualification;
        if (entries.Count == 0)
        {
            return state;
        }

        var target = entries[^1].At - Duration.FromTicks(1);
        if (now < target)
        {
            target = now;
        }

        if (target < member.EnrolledAt || (state.TierCheckpoint is { } current && target <= current.EvaluatedAt))
        {
            return Evaluable(member, state, now, out evaluation);
        }

        var timeline = evaluator.Timeline(entries, member.MemberId);
        if (evaluator.KeptStatusAt(member.MemberId, member.EnrolledAt, state.TierCheckpoint, timeline, target) is not { } checkpoint)
        {
            return null;
        }

        var windowStart = evaluator.RetainFrom(checkpoint, member.EnrolledAt);
        if (windowStart != Instant.MinValue)
        {
            // Entries are in time order: dropping those before the window moves the timeline's start.
            timeline = timeline.DropBefore(windowStart);
        }

        // The state given was built by the caller for this write and is not shared yet: it moves in place.
        var previous = state.TierCheckpoint?.EvaluatedAt;
        if (Fold(member, timeline, target, previous, lifetime: windowStart == Instant.MinValue, checkpoint) is { } folded)
        {
            state.MoveTierPart(checkpoint, folded);
            if (Evaluable(member, state, now, out var ofCompact) is not null)
            {
                evaluation = ofCompact;
                return state;
            }
        }

        state.MoveTierPart(checkpoint, timeline);
        return Evaluable(member, state, now, out evaluation);
    }

    /// <summary>
    /// <paramref name="state"/> when the programme can evaluate the member's tier from it as of
    /// <paramref name="now"/> (or its checkpoint, when later), as it does after every write; null when a
    /// window of that evaluation starts or ends inside one of its sums. <paramref name="evaluation"/> is that
    /// evaluation when one was made (rolling windows), so that the write's caller does not make it again.
    /// </summary>
    private MemberEvaluationState? Evaluable(MemberRecord member, MemberEvaluationState state, Instant now, out TierEvaluation? evaluation)
    {
        evaluation = null;
        // Calendar, anniversary and lifetime windows start only at period starts, which no sum spans
        // (FoldPeriod), and no evaluation from the state is before the checkpoint that closed its sums:
        // only a rolling window can start inside one, so only then is the evaluation tried here.
        if (evaluator.Ladder.Policy.Window.Kind != QualificationWindowKind.RollingMonths)
        {
            return state;
        }

        // An evaluation from the state fails only when a window starts inside a sum, so trying it first
        // (O(log n)) gives the same answer as looking for sums first (O(n)) whenever it succeeds.
        var at = state.TierCheckpoint is { } checkpoint && checkpoint.EvaluatedAt > now ? checkpoint.EvaluatedAt : now;
        if (Evaluate(member, state, at) is { } evaluated)
        {
            evaluation = evaluated;
            return state;
        }

        var entries = state.Qualification;
        for (var i = 0; i < entries.Count; i++)
        {
            if (entries[i].IsSum)
            {
                return null;
            }
        }

        return state;
    }

    /// <summary>
    /// The entries with those at or before <paramref name="through"/> summed per period and earn kind
    /// (spend and orders with the points of their kind; a sum of nothing dropped), or null when that changes
    /// nothing or when it is put off. A sum keeps the instants of its earliest and latest parts, except for a
    /// lifetime window, whose evaluations never start a window inside it.
    /// </summary>
    /// <remarks>
    /// The entries before the period of the last one at or before <paramref name="previous"/> (the checkpoint
    /// before this write) were summed by an earlier write, so only the entries from that period on are read:
    /// the cost does not grow with the history. Summing builds a new timeline (a copy of every entry), so the
    /// entries of the newest period are summed only once they are many (a quarter of the timeline, at least
    /// <see cref="FoldBatch"/>) or when an older period has entries left apart; until then they stay apart,
    /// which every evaluation reads exactly as their sum. The copies then cost a few entries per write on
    /// average, and the timeline holds at most a quarter more entries than fully summed.
    /// </remarks>
    private QualificationTimeline? Fold(MemberRecord member, QualificationTimeline entries, Instant through, Instant? previous, bool lifetime, TierStatus checkpoint)
    {
        var n = entries.UpperBound(through) - entries.First;
        if (n < 2)
        {
            return null;
        }

        // Where the entries left apart can start: the period of the last entry at or before the previous checkpoint.
        var enrolledAt = member.EnrolledAt;
        var from = 0;
        if (previous is { } p && entries.UpperBound(p) - entries.First - 1 is var last && last > 0)
        {
            from = last < n ? last : n - 1;
            var lastPeriod = evaluator.FoldPeriod(entries[from].At, enrolledAt);
            while (from > 0 && evaluator.FoldPeriod(entries[from - 1].At, enrolledAt) == lastPeriod)
            {
                from--;
            }
        }

        // Whether each entry joins the one before: the same period, and no window the checkpoint's next
        // events read starts between them.
        var m = n - from;
        if (m < 2)
        {
            return null;
        }

        // The common case, decided from two periods rather than one per entry: the entries from `from` on, and the
        // first one after them, are of one period, and too few to sum yet. Periods follow time order, so the first
        // entry after them (or the last of them, when none is after) being of `from`'s period says all are. (In a
        // zone whose clocks go back across midnight a local day can come again; a sum put off there is only later.)
        var batch = Math.Max(FoldBatch, entries.Count / 4);
        var period = evaluator.FoldPeriod(entries[from].At, enrolledAt);
        if (m - 1 < batch && evaluator.FoldPeriod(entries[n < entries.Count ? n : n - 1].At, enrolledAt) == period)
        {
            return null;
        }

        var cuts = Cuts(member, checkpoint);
        Span<bool> joins = m <= 256 ? stackalloc bool[m] : new bool[m];
        var closedJoins = 0;
        var openJoins = 0;
        for (var i = 1; i < m; i++)
        {
            var next = evaluator.FoldPeriod(entries[from + i].At, enrolledAt);
            if (next != period)
            {
                // A new period: the joins counted so far are in a period closed by this entry.
                closedJoins += openJoins;
                openJoins = 0;
            }

            joins[i] = next == period && !Cut(cuts, entries[from + i - 1].At, entries[from + i].Since);
            if (joins[i])
            {
                openJoins++;
            }

            period = next;
        }

        if (n < entries.Count && evaluator.FoldPeriod(entries[n].At, enrolledAt) != period)
        {
            // The newest entries (after the checkpoint) are in a later period: the last one summed here is closed too.
            closedJoins += openJoins;
            openJoins = 0;
        }

        if (closedJoins == 0 && openJoins < batch)
        {
            return null;
        }

        // The new timeline is written from a list the thread reuses (the timeline copies it into its own buffer).
        var list = foldScratch ??= new List<QualificationEntry>(64);
        list.Clear();
        list.EnsureCapacity(entries.Count);
        for (var i = 0; i < from; i++)
        {
            list.Add(entries[i]);
        }

        Span<long> points = stackalloc long[4];
        Span<decimal> spend = stackalloc decimal[4];
        Span<int> orders = stackalloc int[4];
        Span<bool> present = stackalloc bool[4];
        var changed = false;
        for (var i = from; i < n;)
        {
            var j = i + 1;
            while (j < n && joins[j - from])
            {
                j++;
            }

            if (j - i == 1)
            {
                list.Add(entries[i]);
                i = j;
                continue;
            }

            points.Clear();
            spend.Clear();
            orders.Clear();
            present.Clear();
            var since = entries[i].Since;
            for (var k = i; k < j; k++)
            {
                var e = entries[k];
                var kind = (int)e.Kind;
                points[kind] = checked(points[kind] + e.Points);
                spend[kind] += e.Spend;
                orders[kind] = checked(orders[kind] + e.Orders);
                present[kind] = true;
                if (e.Since < since)
                {
                    since = e.Since;
                }
            }

            var at = entries[j - 1].At;
            var first = list.Count;
            for (var kind = 0; kind < 4; kind++)
            {
                if (present[kind] && (points[kind] != 0 || spend[kind] != 0m || orders[kind] != 0))
                {
                    list.Add(QualificationEntry.FromSums(lifetime ? at : since, at, points[kind], (EarnKind)kind, spend[kind], orders[kind]));
                }
            }

            // Summed already (one sum per kind, as this gives): unchanged.
            changed |= list.Count - first != j - i || !Same(list, first, entries, i);
            i = j;
        }

        if (!changed)
        {
            ReleaseFoldScratch(list);
            return null;
        }

        for (var i = n; i < entries.Count; i++)
        {
            list.Add(entries[i]);
        }

        // Room for the entries appended until the next fold, not twice the timeline: the fold above waits for a batch
        // (a quarter of the timeline counted with the entries appended meanwhile, at least FoldBatch) plus the entry
        // that goes over it, which a third of the timeline, at least FoldBatch, plus one holds. So a fold allocates
        // about what it keeps: a short timeline folded at the end of each day keeps a buffer of five spare slots,
        // not eight (at 20,000 members with no prior orders, 3,855 -> 3,630 bytes promoted per order).
        var timeline = evaluator.Timeline(list, member.MemberId, capacity: list.Count + Math.Max(FoldBatch, list.Count / 3) + 1);
        ReleaseFoldScratch(list);
        return timeline;
    }

    /// <summary>The list <see cref="Fold"/> writes a timeline into before it is copied, one per thread (a fold never awaits).</summary>
    [ThreadStatic]
    private static List<QualificationEntry>? foldScratch;

    /// <summary>Empties the fold's list, and lets it go when a long timeline made it large.</summary>
    private static void ReleaseFoldScratch(List<QualificationEntry> list)
    {
        list.Clear();
        if (list.Capacity > 4096)
        {
            foldScratch = null;
        }
    }

    /// <summary>How many entries of the newest period are left apart, at least, before they are summed.</summary>
    internal const int FoldBatch = 4;

    /// <summary>
    /// For a rolling window, the window starts that the evaluations continuing from
    /// <paramref name="checkpoint"/> read at its validity, grace and fallback ends (a rolling window starts
    /// at any time of day, so these can fall inside a day): a sum never spans one. Empty for other windows,
    /// whose windows start only at period starts.
    /// </summary>
    private Instant[] Cuts(MemberRecord member, TierStatus checkpoint)
    {
        if (evaluator.Ladder.Policy.Window.Kind != QualificationWindowKind.RollingMonths)
        {
            return [];
        }

        // At most four ends, gathered on the stack: the returned array is the only allocation.
        Span<Instant> found = stackalloc Instant[4];
        var n = 0;
        AddCut(found, ref n, checkpoint.AutomaticValidUntil, member.EnrolledAt);
        AddCut(found, ref n, checkpoint.ValidUntil, member.EnrolledAt);
        AddCut(found, ref n, checkpoint.GraceUntil, member.EnrolledAt);
        AddCut(found, ref n, checkpoint.FallbackValidUntil, member.EnrolledAt);
        return n == 0 ? [] : found[..n].ToArray();

        void AddCut(Span<Instant> into, ref int next, Instant? end, Instant enrolledAt)
        {
            if (end is { } e && e != Instant.MaxValue)
            {
                into[next++] = evaluator.WindowStart(e - Duration.Epsilon, enrolledAt);
            }
        }
    }

    /// <summary>Whether a cut falls after <paramref name="after"/> and at or before <paramref name="upTo"/>.</summary>
    private static bool Cut(Instant[] cuts, Instant after, Instant upTo)
    {
        foreach (var c in cuts)
        {
            if (after < c && c <= upTo)
            {
                return true;
            }
        }

        return false;
    }

    private static bool Same(List<QualificationEntry> list, int from, QualificationTimeline entries, int at)
    {
        for (var k = from; k < list.Count; k++)
        {
            if (list[k] != entries[at + k - from])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The entries with one more, in time order: appended to the kept timeline when it is the newest
    /// (no copy), otherwise merged into an entry of the same instant, kind and sign (the replay reads
    /// them together) or inserted in place, in a new timeline.
    /// </summary>
    private IReadOnlyList<QualificationEntry> With(MemberRecord member, IReadOnlyList<QualificationEntry> entries, QualificationEntry entry)
    {
        if (evaluator.Append(evaluator.Timeline(entries, member.MemberId), entry, member.MemberId) is { } appended)
        {
            return appended;
        }

        var list = new List<QualificationEntry>(entries.Count + 1);
        list.AddRange(entries);
        Merge(list, entry);
        return evaluator.Timeline(list, member.MemberId);
    }

    private static void Merge(List<QualificationEntry> sorted, QualificationEntry entry)
    {
        var i = sorted.Count;
        while (i > 0 && sorted[i - 1].At > entry.At)
        {
            i--;
        }

        for (var j = i - 1; j >= 0 && sorted[j].At == entry.At; j--)
        {
            var e = sorted[j];
            if (e.Kind == entry.Kind && e.IsReduction == entry.IsReduction)
            {
                sorted[j] = QualificationEntry.FromAmounts(e.At, checked(e.Points + entry.Points), e.Kind, e.Spend + entry.Spend, checked(e.Orders + entry.Orders));
                return;
            }
        }

        sorted.Insert(i, QualificationEntry.FromAmounts(entry.At, entry.Points, entry.Kind, entry.Spend, entry.Orders));
    }

    private static RuleUsageDelta[] WithUsage(IReadOnlyList<RuleUsageDelta> usage, IReadOnlyList<RuleUsageDelta> deltas)
    {
        if (deltas.Count == 0)
        {
            return usage as RuleUsageDelta[] ?? usage.ToArray();
        }

        var map = new Dictionary<(RuleId, UsagePeriod?), RuleUsageDelta>(usage.Count + deltas.Count);
        AddUsage(map, usage);
        AddUsage(map, deltas);
        return map.Values.ToArray();
    }

    private static void AddUsage(Dictionary<(RuleId, UsagePeriod?), RuleUsageDelta> map, IReadOnlyList<RuleUsageDelta> deltas)
    {
        foreach (var d in deltas)
        {
            map[(d.RuleId, d.Period)] = map.TryGetValue((d.RuleId, d.Period), out var t)
                ? t with { Points = t.Points + d.Points, Count = t.Count + d.Count }
                : d;
        }
    }
}
