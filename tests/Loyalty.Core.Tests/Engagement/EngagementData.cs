using Loyalty.Core.Engagement;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Tests.Engagement;

/// <summary>The shop of the engagement examples: Paris, a member who consented to e-mail, quiet hours 21:00–08:00.</summary>
internal static class EngagementData
{
    public static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    public static readonly ProgramId Club = ProgramId.From("club");

    /// <summary>Local date and time in Paris.</summary>
    public static Instant At(int year, int month, int day, int hour = 10, int minute = 0) =>
        new LocalDateTime(year, month, day, hour, minute).InZoneLeniently(Paris).ToInstant();

    /// <summary>Options with every trigger off: each test turns on what it shows.</summary>
    public static EngagementOptions Quiet()
    {
        var options = new EngagementOptions();
        options.PointsExpiring.Enabled = false;
        options.CloseToNextTier.Enabled = false;
        options.DowngradeWarning.Enabled = false;
        options.PurchaseOverdue.Enabled = false;
        options.WinBack.Enabled = false;
        options.Birthday.Enabled = false;
        options.Welcome.Enabled = false;
        options.ReviewInvitation.Enabled = false;
        options.AffordableReward.Enabled = false;
        return options;
    }

    public static ConsentRecord Consent(MemberId member, EngagementChannel channel, Instant at, ConsentStatus status = ConsentStatus.Granted, string source = "checkout-form") => new()
    {
        ProgramId = Club,
        MemberId = member,
        Channel = channel,
        Status = status,
        At = at,
        Source = source,
    };

    public static ContactRecord Sent(MemberId member, string id, Instant at, EngagementChannel channel = EngagementChannel.Email, MessageCategory category = MessageCategory.Marketing) => new()
    {
        ProgramId = Club,
        MessageId = id,
        MemberId = member,
        Channel = channel,
        Category = category,
        MessageType = category == MessageCategory.Marketing ? "newsletter" : "receipt",
        SentAt = at,
    };

    /// <summary>A member enrolled long ago, consenting to e-mail since enrolment.</summary>
    public static EngagementMember Member(string id, Func<EngagementMember, EngagementMember>? with = null)
    {
        var memberId = MemberId.From(id);
        var member = new EngagementMember
        {
            MemberId = memberId,
            EnrolledAt = At(2025, 1, 15),
            Consents = [Consent(memberId, EngagementChannel.Email, At(2025, 1, 15))],
        };
        return with is null ? member : with(member);
    }

    /// <summary>A review invitation due at <paramref name="asOf"/>'s day, worth sending that day only.</summary>
    public static RecentOrder OrderPlaced(Instant asOf, int daysBefore = 7) => new(OrderId.From("o-" + daysBefore), asOf - Duration.FromDays(daysBefore));
}
