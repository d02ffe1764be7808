using Loyalty.Core.Primitives;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.Tests.Tiers;

/// <summary>The shop of the scenarios: Bronze, Silver at 500 qualifying points, Gold at 1,000, VIP at 5,000.</summary>
internal static class TierFixtures
{
    public static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    public static readonly TierId Bronze = TierId.From("bronze");
    public static readonly TierId Silver = TierId.From("silver");
    public static readonly TierId Gold = TierId.From("gold");
    public static readonly TierId Vip = TierId.From("vip");
    public static readonly MemberId Alice = MemberId.From("alice");

    public static TierDefinition[] PointsTiers() =>
    [
        TierDefinition.Entry(Bronze, "Bronze"),
        TierDefinition.Create(Silver, "Silver", ThresholdCombination.AllOf, [TierThreshold.FromPoints(500)], TierBenefits.Create(1.25m, "free-shipping")),
        TierDefinition.Create(Gold, "Gold", ThresholdCombination.AllOf, [TierThreshold.FromPoints(1_000)], TierBenefits.Create(1.5m, "free-shipping", "private-sales")),
        TierDefinition.Create(Vip, "VIP", ThresholdCombination.AllOf, [TierThreshold.FromPoints(5_000)], TierBenefits.Create(2m, "free-shipping", "private-sales", "early-access")),
    ];

    public static TierEvaluator Evaluator(TierPolicy? policy = null) =>
        new(TierLadder.Create(PointsTiers(), policy ?? new TierPolicy { TimeZone = Paris }));

    /// <summary>An instant given as a local date and time in Paris.</summary>
    public static Instant InParis(int year, int month, int day, int hour = 12, int minute = 0) =>
        new LocalDateTime(year, month, day, hour, minute).InZoneStrictly(Paris).ToInstant();

    public static Instant Utc(int year, int month, int day, int hour = 0, int minute = 0) =>
        Instant.FromUtc(year, month, day, hour, minute);

    public static QualificationEntry Earn(Instant at, long points, EarnKind kind = EarnKind.Purchase) =>
        QualificationEntry.FromPoints(at, Points.FromInt64(points), kind);

    public static QualificationEntry Refund(Instant at, long points) =>
        QualificationEntry.FromPoints(at, Points.FromInt64(-points));

    public static TierMember Member(Instant enrolledAt, params QualificationEntry[] history) =>
        new() { MemberId = Alice, EnrolledAt = enrolledAt, History = history };
}
