using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Primitives;
using Loyalty.Core.Tiers;
using NodaTime;
using static Loyalty.Core.Tests.Tiers.TierFixtures;

namespace Loyalty.Core.Tests.Tiers;

/// <summary>
/// The optimised evaluator gives exactly what the straightforward one gave, on every output:
/// status, tier, projection, window value and changes, from enrolment and from a stored status,
/// one member at a time and in parallel batches.
/// </summary>
public class TierEvaluatorReferenceTests
{
    private const int Tests = 200;
    private static readonly Instant Start = InParis(2025, 1, 1, 0);

    [Property(MaxTest = Tests / PropertyRuns.Divisor)]
    public Property Every_output_equals_the_reference_evaluator() =>
        Prop.ForAll(Cases(), c =>
        {
            var ladder = TierLadder.Create(c.Tiers, c.Policy);
            var fast = new TierEvaluator(ladder);
            var reference = new ReferenceTierEvaluator(ladder);
            var fresh = c.Member with { PriorStatus = null };
            var prior = reference.Evaluate(fresh, c.PriorAt).Status;
            var continuing = c.Member with { PriorStatus = prior };

            return Same(fast.Evaluate(fresh, c.AsOf), reference.Evaluate(fresh, c.AsOf))
                && Same(fast.Evaluate(continuing, c.AsOf), reference.Evaluate(continuing, c.AsOf));
        });

    [Property(MaxTest = 50 / PropertyRuns.Divisor)]
    public Property Batches_on_two_threads_equal_the_reference_in_input_order() =>
        Prop.ForAll(Gen.ListOf(Cases().Generator).Select(l => l.Take(40).ToArray()).ToArbitrary(), cases =>
        {
            var ladder = TierLadder.Create(PointsTiers(), new TierPolicy { TimeZone = Paris });
            var members = cases.Select((c, i) => c.Member with { MemberId = MemberId.From(i) }).ToArray();
            var asOf = InParis(2027, 6, 1);
            var reference = new ReferenceTierEvaluator(ladder);
            var expected = members.Select(m => reference.Evaluate(m, asOf)).ToArray();

            var parallel = new TierEvaluator(ladder).EvaluateMany(members, asOf, maxDegreeOfParallelism: 2, chunkSize: 7).ToArray();

            return parallel.Length == expected.Length && parallel.Zip(expected).All(p => Same(p.First, p.Second));
        });

    [Property(MaxTest = Tests / PropertyRuns.Divisor)]
    public Property The_nightly_batch_equals_the_reference_evaluator() =>
        Prop.ForAll(Cases(), c =>
        {
            var ladder = TierLadder.Create(c.Tiers, c.Policy);
            var reference = new ReferenceTierEvaluator(ladder);
            var members = NightMembers(c, reference);
            var results = new TierBatchResult[members.Length];

            new TierEvaluator(ladder).EvaluateInto(members, results, c.AsOf);

            return members.Zip(results).All(p => SameBatch(p.Second, reference.Evaluate(p.First, c.AsOf), p.First.PriorStatus));
        });

    [Property(MaxTest = Tests / PropertyRuns.Divisor)]
    public Property The_tier_alone_is_the_tier_of_the_reference_evaluator() =>
        Prop.ForAll(Cases(), c =>
        {
            var ladder = TierLadder.Create(c.Tiers, c.Policy);
            var reference = new ReferenceTierEvaluator(ladder);
            var evaluator = new TierEvaluator(ladder);

            return NightMembers(c, reference)
                .All(m => evaluator.TierAt(m, c.AsOf).Id == reference.Evaluate(m, c.AsOf).Tier.Id);
        });

    /// <summary>
    /// The member of a case as a night meets it: without a prior status, continuing from the one the
    /// reference gives at the case's prior instant, already evaluated on the same night, and with its
    /// manual assignment withdrawn.
    /// </summary>
    private static TierMember[] NightMembers(Case c, ReferenceTierEvaluator reference)
    {
        var fresh = c.Member with { PriorStatus = null };
        var continuing = c.Member with { PriorStatus = reference.Evaluate(fresh, c.PriorAt).Status };
        var onTheSameNight = c.Member with { PriorStatus = reference.Evaluate(fresh, c.AsOf).Status };
        var manualWithdrawn = c.Member with { ManualAssignment = null, PriorStatus = reference.Evaluate(fresh, c.PriorAt).Status };
        return [fresh, continuing, onTheSameNight, manualWithdrawn];
    }

    [Property(MaxTest = 50 / PropertyRuns.Divisor)]
    public Property The_nightly_batch_on_several_threads_equals_the_reference_in_input_order() =>
        Prop.ForAll(Gen.ListOf(Cases().Generator).Select(l => l.Take(40).ToArray()).ToArbitrary(), Gen.Choose(2, 5).ToArbitrary(), (cases, threads) =>
        {
            var ladder = TierLadder.Create(PointsTiers(), new TierPolicy { TimeZone = Paris });
            var reference = new ReferenceTierEvaluator(ladder);
            var members = cases
                .Select((c, i) => c.Member with { MemberId = MemberId.From(i) })
                .Select((m, i) => i % 2 == 0 ? m : m with { PriorStatus = reference.Evaluate(m, cases[i].PriorAt).Status })
                .ToArray();
            var asOf = InParis(2029, 6, 1);
            var results = new TierBatchResult[members.Length];

            new TierEvaluator(ladder).EvaluateInto(members, results, asOf, threads);

            return members.Zip(results).All(p => SameBatch(p.Second, reference.Evaluate(p.First, asOf), p.First.PriorStatus));
        });

    private static bool SameBatch(TierBatchResult actual, TierEvaluation expected, TierStatus? prior) =>
        actual.MemberId == expected.MemberId
        && actual.AsOf == expected.AsOf
        && actual.Status == expected.Status
        && actual.StatusChanged == (prior is null || prior with { EvaluatedAt = expected.AsOf } != expected.Status)
        && actual.Tier == expected.Tier
        && actual.ProjectedTier == expected.ProjectedTier
        && actual.DowngradeWarning == expected.DowngradeWarning
        && actual.InGrace == expected.Status.GraceUntil.HasValue
        && actual.Changes.SequenceEqual(expected.Changes);

    private static bool Same(TierEvaluation actual, TierEvaluation expected) =>
        actual.MemberId == expected.MemberId
        && actual.AsOf == expected.AsOf
        && actual.Status == expected.Status
        && actual.Tier == expected.Tier
        && actual.ProjectedTier == expected.ProjectedTier
        && actual.ProjectedAt == expected.ProjectedAt
        && actual.QualifyingValue == expected.QualifyingValue
        && actual.WindowStart == expected.WindowStart
        && actual.DowngradeWarning == expected.DowngradeWarning
        && actual.Changes.SequenceEqual(expected.Changes);

    public sealed record Case(TierDefinition[] Tiers, TierPolicy Policy, TierMember Member, Instant PriorAt, Instant AsOf)
    {
        public override string ToString() =>
            $"{Policy.Window} {Policy.Validity} {Policy.Downgrade} grace={Policy.GracePeriod} {Policy.Refunds} tiers={string.Join("/", Tiers.Select(t => string.Join("&", t.Thresholds)))} manual={Member.ManualAssignment} priorAt={PriorAt} asOf={AsOf} history=[{string.Join(", ", Member.History.ToArray().Select(e => $"{e.At}:{e.Points}{e.Kind}/{e.Spend}/{e.Orders}"))}]";
    }

    private static Arbitrary<Case> Cases() =>
        (from tiers in Gen.Elements(PointsTiers(), MixedTiers())
         from policy in Policies()
         from history in Gen.ListOf(Entries()).Select(l => l.Take(14).ToArray())
         from enrolDay in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, 400)))
         from manual in Manual()
         from priorDay in Gen.Choose(0, 4 * 366)
         from extraDays in Gen.Choose(0, 500)
         from minutes in Gen.Choose(0, 24 * 60 - 1)
         let enrolled = Start + Duration.FromDays(enrolDay) + Duration.FromMinutes(minutes)
         let priorAt = Max(enrolled, Start + Duration.FromDays(priorDay) + Duration.FromHours(7))
         select new Case(
             tiers,
             policy,
             new TierMember { MemberId = Alice, EnrolledAt = enrolled, History = history, ManualAssignment = manual },
             priorAt,
             priorAt + Duration.FromDays(extraDays) + Duration.FromMinutes(minutes))).ToArbitrary();

    private static Instant Max(Instant a, Instant b) => a > b ? a : b;

    private static TierDefinition[] MixedTiers() =>
    [
        TierDefinition.Entry(Bronze, "Bronze"),
        TierDefinition.Create(Silver, "Silver", ThresholdCombination.AnyOf, [TierThreshold.FromSpend(300m), TierThreshold.FromOrders(3)]),
        TierDefinition.Create(Gold, "Gold", ThresholdCombination.AllOf, [TierThreshold.FromPoints(800), TierThreshold.FromSpend(900.5m)]),
        TierDefinition.Create(Vip, "VIP", ThresholdCombination.AnyOf, [TierThreshold.FromOrders(12), TierThreshold.FromPoints(3_000)]),
    ];

    private static Gen<TierPolicy> Policies() =>
        from window in Gen.Elements(QualificationWindow.CalendarYear, QualificationWindow.RollingMonths(6), QualificationWindow.RollingMonths(12), QualificationWindow.AnniversaryYear, QualificationWindow.Lifetime)
        from validity in Gen.Elements(StatusValidity.EndOfFollowingPeriod, StatusValidity.EndOfCurrentPeriod, StatusValidity.FixedMonths(9))
        from downgrade in Gen.Elements(DowngradePolicy.OneLevel, DowngradePolicy.ToComputed, DowngradePolicy.Never)
        from grace in Gen.Elements(Period.Zero, Period.FromMonths(2))
        from refunds in Gen.Elements(RefundPolicy.RevokeUpgrade, RefundPolicy.KeepStatus)
        from zone in Gen.Elements(Paris, DateTimeZone.Utc)
        from kinds in Gen.Elements<IReadOnlyCollection<EarnKind>>([EarnKind.Purchase], [EarnKind.Purchase, EarnKind.Bonus])
        select new TierPolicy { TimeZone = zone, Window = window, Validity = validity, Downgrade = downgrade, GracePeriod = grace, Refunds = refunds, QualifyingEarnKinds = kinds };

    private static Gen<QualificationEntry> Entries() =>
        from day in Gen.Choose(-30, 4 * 366)
        from minute in Gen.Choose(0, 24 * 60 - 1)
        from sameInstant in Gen.Frequency((6, Gen.Constant(false)), (1, Gen.Constant(true)))
        from points in Gen.Frequency((4, Gen.Choose(1, 1_500)), (1, Gen.Choose(-800, -1)))
        from kind in Gen.Frequency((5, Gen.Constant(EarnKind.Purchase)), (1, Gen.Constant(EarnKind.Bonus)))
        from spend in Gen.Choose(-200, 600)
        from orders in Gen.Frequency((5, Gen.Constant(1)), (1, Gen.Constant(0)), (1, Gen.Constant(-1)))
        let at = sameInstant ? Start + Duration.FromDays(200) : Start + Duration.FromDays(day) + Duration.FromMinutes(minute)
        select QualificationEntry.FromAmounts(at, points, kind, spend / 4m, orders);

    private static Gen<ManualTierAssignment?> Manual() =>
        Gen.Frequency(
            (4, Gen.Constant<ManualTierAssignment?>(null)),
            (1, from day in Gen.Choose(-10, 3 * 366)
                from length in Gen.Choose(1, 500)
                from open in Gen.Elements(false, true)
                from tier in Gen.Elements(Silver, Gold)
                select (ManualTierAssignment?)new ManualTierAssignment(tier, Start + Duration.FromDays(day), open ? null : Start + Duration.FromDays(day + length))));
}
