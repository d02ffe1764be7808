using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Tiers;
using NodaTime;
using static Loyalty.Core.Tests.Tiers.TierFixtures;

namespace Loyalty.Core.Tests.Tiers;

/// <summary>The invariants of the evaluator over random policies, histories and instants.</summary>
public class TierEvaluatorPropertyTests
{
    private const int Tests = 150;

    [Property(MaxTest = Tests / PropertyRuns.Divisor)]
    public Property More_qualifying_value_never_gives_a_lower_tier() =>
        Prop.ForAll(TierArbitraries.PeriodAlignedCases(), TierArbitraries.Extras(), (c, extra) =>
        {
            var evaluator = Evaluator(c.Policy);
            var before = evaluator.Evaluate(Member(Enrolled, c.History), c.AsOf);
            var after = evaluator.Evaluate(Member(Enrolled, [.. c.History, extra]), c.AsOf);
            return evaluator.Ladder.RankOf(after.Tier.Id) >= evaluator.Ladder.RankOf(before.Tier.Id);
        });

    [Property(MaxTest = Tests / PropertyRuns.Divisor)]
    public Property Input_order_never_changes_the_result() =>
        Prop.ForAll(TierArbitraries.Cases(), c =>
        {
            var evaluator = Evaluator(c.Policy);
            var shuffled = c.History.ToArray();
            new Random(c.Seed).Shuffle(shuffled);
            var a = evaluator.Evaluate(Member(Enrolled, c.History), c.AsOf);
            var b = evaluator.Evaluate(Member(Enrolled, shuffled), c.AsOf);
            return a.Status == b.Status && a.Changes.SequenceEqual(b.Changes) && a.QualifyingValue == b.QualifyingValue
                && a.ProjectedTier == b.ProjectedTier;
        });

    [Property(MaxTest = Tests / PropertyRuns.Divisor)]
    public Property No_downgrade_before_validity_ends() =>
        Prop.ForAll(TierArbitraries.Cases(), TierArbitraries.Days(), (c, days) =>
        {
            var evaluator = Evaluator(c.Policy with { Refunds = RefundPolicy.KeepStatus });
            var member = Member(Enrolled, c.History);
            var first = evaluator.Evaluate(member, c.AsOf);
            var later = c.AsOf + Duration.FromDays(days);
            if (first.ValidUntil is { } until && later >= until)
            {
                return true;
            }

            var second = evaluator.Evaluate(member, later);
            return evaluator.Ladder.RankOf(second.Tier.Id) >= evaluator.Ladder.RankOf(first.Tier.Id);
        });

    [Property(MaxTest = Tests / PropertyRuns.Divisor)]
    public Property Every_downgrade_happens_at_or_after_the_end_of_validity() =>
        Prop.ForAll(TierArbitraries.Cases(), c =>
        {
            var evaluator = Evaluator(c.Policy);
            var result = evaluator.Evaluate(Member(Enrolled, c.History), c.AsOf);
            foreach (var change in result.Changes.Where(ch => ch.Reason is TierChangeReason.DowngradedAtValidityEnd or TierChangeReason.DowngradedAfterGrace))
            {
                var justBefore = evaluator.Evaluate(Member(Enrolled, c.History), change.At - Duration.Epsilon);
                var end = justBefore.Status.GraceUntil ?? justBefore.ValidUntil;
                if (end != change.At)
                {
                    return false;
                }
            }

            return true;
        });

    [Property(MaxTest = Tests / PropertyRuns.Divisor)]
    public Property As_of_evaluation_equals_replaying_history_up_to_that_instant() =>
        Prop.ForAll(TierArbitraries.Cases(), c =>
        {
            var evaluator = Evaluator(c.Policy);
            var full = evaluator.Evaluate(Member(Enrolled, c.History), c.AsOf);
            var truncated = evaluator.Evaluate(Member(Enrolled, c.History.Where(e => e.At <= c.AsOf).ToArray()), c.AsOf);
            return full.Status == truncated.Status && full.Changes.SequenceEqual(truncated.Changes);
        });

    [Property(MaxTest = Tests / PropertyRuns.Divisor)]
    public Property Continuing_from_a_stored_status_equals_replaying_from_enrolment() =>
        Prop.ForAll(TierArbitraries.Cases(), TierArbitraries.Days(), (c, days) =>
        {
            var evaluator = Evaluator(c.Policy);
            var first = evaluator.Evaluate(Member(Enrolled, c.History), c.AsOf);
            var later = c.AsOf + Duration.FromDays(days);
            var continued = evaluator.Evaluate(Member(Enrolled, c.History) with { PriorStatus = first.Status }, later);
            var replayed = evaluator.Evaluate(Member(Enrolled, c.History), later);
            return continued.Status == replayed.Status
                && first.Changes.Concat(continued.Changes).SequenceEqual(replayed.Changes);
        });

    private static readonly Instant Enrolled = InParis(2025, 1, 1, 0);
}

/// <summary>Named generators: policies over every axis, histories with refunds, instants over five years.</summary>
internal static class TierArbitraries
{
    private static readonly Instant Start = InParis(2025, 1, 1, 0);

    public sealed record Case(TierPolicy Policy, QualificationEntry[] History, Instant AsOf, int Seed)
    {
        public override string ToString() =>
            $"{Policy.Window} {Policy.Validity} {Policy.Downgrade} grace={Policy.GracePeriod} {Policy.Refunds} asOf={AsOf} history=[{string.Join(", ", History.Select(e => $"{e.At:uuuu-MM-dd}:{e.Points}{(e.Kind == EarnKind.Bonus ? "b" : "")}"))}]";
    }

    public static Arbitrary<Case> Cases() =>
        (from policy in Policies()
         from history in Gen.ListOf(Entries(allowRefunds: true)).Select(l => l.Take(12).ToArray())
         from asOfDay in Gen.Choose(0, 5 * 366)
         from seed in Gen.Choose(0, int.MaxValue)
         select new Case(policy, history, Start + Duration.FromDays(asOfDay) + Duration.FromHours(13), seed)).ToArbitrary();

    /// <summary>
    /// Cases whose validity ends on period boundaries (calendar, anniversary or lifetime window with
    /// period validity). With a rolling window or a fixed number of months, validity is counted from
    /// the qualifying instant, so an earlier requalification may end sooner than a later one.
    /// </summary>
    public static Arbitrary<Case> PeriodAlignedCases() =>
        Cases().Generator
            .Select(c => c.Policy.Window.Kind == QualificationWindowKind.RollingMonths
                ? c with { Policy = c.Policy with { Window = QualificationWindow.CalendarYear } }
                : c)
            .Select(c => c.Policy.Validity.Kind == StatusValidityKind.FixedMonths
                ? c with { Policy = c.Policy with { Validity = StatusValidity.EndOfFollowingPeriod } }
                : c)
            .ToArbitrary();

    public static Arbitrary<QualificationEntry> Extras() => Entries(allowRefunds: false).ToArbitrary();

    public static Arbitrary<int> Days() => Gen.Choose(0, 800).ToArbitrary();

    /// <summary>Every policy axis, in the Paris zone, purchase points qualifying.</summary>
    public static Gen<TierPolicy> Policies() =>
        from window in Gen.Elements(QualificationWindow.CalendarYear, QualificationWindow.RollingMonths(6), QualificationWindow.RollingMonths(12), QualificationWindow.AnniversaryYear, QualificationWindow.Lifetime)
        from validity in Gen.Elements(StatusValidity.EndOfFollowingPeriod, StatusValidity.EndOfCurrentPeriod, StatusValidity.FixedMonths(9))
        from downgrade in Gen.Elements(DowngradePolicy.OneLevel, DowngradePolicy.ToComputed, DowngradePolicy.Never)
        from grace in Gen.Elements(Period.Zero, Period.FromMonths(2))
        from refunds in Gen.Elements(RefundPolicy.RevokeUpgrade, RefundPolicy.KeepStatus)
        select new TierPolicy { TimeZone = Paris, Window = window, Validity = validity, Downgrade = downgrade, GracePeriod = grace, Refunds = refunds, QualifyingEarnKinds = [EarnKind.Purchase] };

    private static Gen<QualificationEntry> Entries(bool allowRefunds) =>
        from day in Gen.Choose(0, 5 * 366)
        from hour in Gen.Choose(0, 23)
        from points in allowRefunds
            ? Gen.Frequency((4, Gen.Choose(1, 1_500)), (1, Gen.Choose(-800, -1)))
            : Gen.Choose(1, 1_500)
        from bonus in Gen.Frequency((5, Gen.Constant(false)), (1, Gen.Constant(true)))
        select Earn(Start + Duration.FromDays(day) + Duration.FromHours(hour), points, bonus && allowRefunds ? EarnKind.Bonus : EarnKind.Purchase);
}
