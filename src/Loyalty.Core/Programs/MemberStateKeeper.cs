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
        return Advance(member, state, now);
    }

    /// <summary>The state after an order, or null when the order is dated at or before the tier checkpoint (rebuild it by replay).</summary>
    public MemberEvaluationState? WithOrder(MemberRecord member, MemberEvaluationState state, OrderRecord order, Instant now)
    {
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
        return Advance(member, next, now);
    }

    /// <summary>The state after a refund, or null when it is dated at or before the tier checkpoint.</summary>
    public MemberEvaluationState? WithRefund(MemberRecord member, MemberEvaluationState state, RefundRecord refund, MerchantId? merchant, Instant now)
    {
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
        return Advance(member, next, now);
    }

    /// <summary>The state after an activity, or null when it earned points dated at or before the tier checkpoint.</summary>
    public MemberEvaluationState? WithActivity(MemberRecord member, MemberEvaluationState state, ActivityRecord activity, Instant now)
    {
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
        return entry is null ? next : Advance(member, next, now);
    }

    /// <summary>The member's tier as of an instant from the kept state, or null when the instant is before the checkpoint (replay the history instead).</summary>
    public TierEvaluation? Evaluate(MemberRecord member, MemberEvaluationState state, Instant asOf)
    {
        var at = asOf < member.EnrolledAt ? member.EnrolledAt : asOf;
        if (state.TierCheckpoint is { } checkpoint && checkpoint.EvaluatedAt > at)
        {
            return null;
        }

        return EvaluateKept(member, state, at);
    }

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

    /// <summary>The tier from the kept checkpoint and timeline (O(log n) in the entries, whatever the history).</summary>
    private TierEvaluation EvaluateKept(MemberRecord member, MemberEvaluationState state, Instant at) =>
        evaluator.EvaluateKept(member.MemberId, member.EnrolledAt, state.TierCheckpoint, evaluator.Timeline(state.Qualification, member.MemberId), at);

    /// <summary>
    /// Moves the checkpoint to just before the newest entry (not after <paramref name="now"/>, not before
    /// enrolment, never back), then drops the entries no later evaluation can count any more (folds them
    /// for a lifetime window): those before the checkpoint's window and, in grace, before the window that
    /// ended with the validity.
    /// </summary>
    private MemberEvaluationState Advance(MemberRecord member, MemberEvaluationState state, Instant now)
    {
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
            return state;
        }

        var checkpoint = EvaluateKept(member, state, target).Status;
        var windowStart = evaluator.RetainFrom(checkpoint, member.EnrolledAt);
        if (windowStart != Instant.MinValue)
        {
            // Entries are in time order: dropping those before the window moves the timeline's start.
            return state with { TierCheckpoint = checkpoint, Qualification = evaluator.Timeline(entries, member.MemberId).DropBefore(windowStart) };
        }

        // A lifetime window: what the checkpoint has replayed only counts in sums, one per kind and sign.
        var kept = new List<QualificationEntry>(entries.Count);
        var folded = new List<QualificationEntry>(4);
        var foldedAt = Instant.MinValue;
        foreach (var e in entries)
        {
            if (e.At <= target)
            {
                foldedAt = e.At;
                Fold(folded, e);
            }
            else
            {
                kept.Add(e);
            }
        }

        kept.InsertRange(0, folded.Select(f => QualificationEntry.FromAmounts(foldedAt, f.Points, f.Kind, f.Spend, f.Orders)));

        // A lifetime window keeps a few folded sums and the entries after the checkpoint: small, rebuilt.
        return state with { TierCheckpoint = checkpoint, Qualification = evaluator.Timeline(kept, member.MemberId) };
    }

    private static void Fold(List<QualificationEntry> folded, QualificationEntry e)
    {
        for (var i = 0; i < folded.Count; i++)
        {
            var f = folded[i];
            if (f.Kind == e.Kind && f.IsReduction == e.IsReduction)
            {
                folded[i] = QualificationEntry.FromAmounts(e.At, checked(f.Points + e.Points), f.Kind, f.Spend + e.Spend, checked(f.Orders + e.Orders));
                return;
            }
        }

        folded.Add(QualificationEntry.FromAmounts(e.At, e.Points, e.Kind, e.Spend, e.Orders));
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
