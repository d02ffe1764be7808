using Loyalty.Core.Segmentation;

namespace Loyalty.Core.Engagement;

/// <summary>
/// The engagement planner's configuration as data (section <see cref="SectionName"/> of
/// <c>appsettings.json</c>, or code): the triggers, the contact-pressure caps, the quiet hours and
/// how far back the contact history is read.
/// </summary>
/// <remarks>
/// Mutable for configuration binding; validated once at start-up (<see cref="EngagementOptionsValidator"/>),
/// and copied into the immutable rules of an <see cref="EngagementPlanner"/>: later changes have no effect on it.
/// </remarks>
public sealed class EngagementOptions
{
    /// <summary>The configuration section, <c>Loyalty:Engagement</c>.</summary>
    public const string SectionName = "Loyalty:Engagement";

    /// <summary>Points expiring within <see cref="PointsExpiringTrigger.WithinDays"/> days.</summary>
    public PointsExpiringTrigger PointsExpiring { get; set; } = new();

    /// <summary>Within reach of the next tier.</summary>
    public CloseToNextTierTrigger CloseToNextTier { get; set; } = new();

    /// <summary>A tier will be lost at the end of the status validity unless the member requalifies.</summary>
    public DowngradeWarningTrigger DowngradeWarning { get; set; } = new();

    /// <summary>Late for the next purchase by the member's own cycle (a relaunch).</summary>
    public PurchaseOverdueTrigger PurchaseOverdue { get; set; } = new();

    /// <summary>Win-back: entering a chosen segment, or lapsed beyond the relaunch's maximum lateness.</summary>
    public WinBackTrigger WinBack { get; set; } = new();

    /// <summary>The member's birthday.</summary>
    public BirthdayTrigger Birthday { get; set; } = new();

    /// <summary>The welcome series after enrolment.</summary>
    public WelcomeTrigger Welcome { get; set; } = new();

    /// <summary>A rewarded survey or review invitation after an order.</summary>
    public ReviewInvitationTrigger ReviewInvitation { get; set; } = new();

    /// <summary>The balance now pays for a reward.</summary>
    public AffordableRewardTrigger AffordableReward { get; set; } = new();

    /// <summary>The contact-pressure caps; none by default (configure at least one per channel you use).</summary>
    public ContactCapOptions[] Caps { get; set; } = [];

    /// <summary>Quiet hours in the member's time zone; none by default. Ranges on one channel must not overlap.</summary>
    public QuietHoursOptions[] QuietHours { get; set; } = [];

    /// <summary>
    /// How far back, in days, the contact history is read: at least the longest cap window and the longest
    /// span over which a trigger can plan the same message (checked at start-up). 400 by default.
    /// </summary>
    public int ContactHistoryDays { get; set; } = 400;
}

/// <summary>What every trigger has: on/off, the message type (template), the weight, the channels and how long the message stays worth sending.</summary>
public abstract class TriggerOptions
{
    /// <summary>Creates the settings with the trigger's defaults.</summary>
    /// <param name="messageType">The default message type.</param>
    /// <param name="weight">The default weight.</param>
    private protected TriggerOptions(string messageType, int weight)
    {
        MessageType = messageType;
        Weight = weight;
    }

    /// <summary>Whether the trigger plans messages; true by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The message type the shop's mailer maps to a template, 1 to 128 characters.</summary>
    public string MessageType { get; set; }

    /// <summary>The weight, 1 to 1,000: under a contact-pressure cap, heavier messages win.</summary>
    public int Weight { get; set; }

    /// <summary>The channels, in order of preference: the message goes on the first one the member consents to. E-mail by default.</summary>
    public EngagementChannel[] Channels { get; set; } = [EngagementChannel.Email];

    /// <summary>
    /// Days, 0 to 366, after the occasion (the welcome step's day, the order's invitation day, the day the
    /// condition was seen…) during which the message is still worth sending, and so may be deferred by a cap;
    /// 7 by default. Triggers with a deadline of their own (expiring points, a birthday) stop at it.
    /// </summary>
    public int ValidForDays { get; set; } = 7;
}

/// <summary>Points expiring soon: one message per expiry date, as soon as it is within <see cref="WithinDays"/>.</summary>
public sealed class PointsExpiringTrigger : TriggerOptions
{
    /// <summary>Creates the trigger with its defaults (message type <c>points-expiring</c>, weight 80).</summary>
    public PointsExpiringTrigger()
        : base("points-expiring", 80)
    {
    }

    /// <summary>Warn this many days, 1 to 366, before the points expire; 30 by default.</summary>
    public int WithinDays { get; set; } = 30;

    /// <summary>Warn only when at least this many points expire, at least 1; 1 by default.</summary>
    public long MinimumPoints { get; set; } = 1;
}

/// <summary>Close to the next tier: at most this far on one of its thresholds; at most once per <see cref="RepeatAfterDays"/>.</summary>
public sealed class CloseToNextTierTrigger : TriggerOptions
{
    /// <summary>Creates the trigger with its defaults (message type <c>close-to-next-tier</c>, weight 50).</summary>
    public CloseToNextTierTrigger()
        : base("close-to-next-tier", 50)
    {
    }

    /// <summary>At most this many qualifying points away, or null to ignore the points threshold; 100 by default.</summary>
    public decimal? MaxPointsAway { get; set; } = 100m;

    /// <summary>At most this much qualifying spend away (programme currency), or null to ignore the spend threshold; 50 by default.</summary>
    public decimal? MaxAmountAway { get; set; } = 50m;

    /// <summary>At most this many qualifying orders away, or null (the default) to ignore the orders threshold.</summary>
    public decimal? MaxOrdersAway { get; set; }

    /// <summary>At most one message per next tier per this many days, 1 to 366; 90 by default.</summary>
    public int RepeatAfterDays { get; set; } = 90;
}

/// <summary>Downgrade warning: the tier will drop at the end of its validity, which is at most <see cref="WithinDays"/> away.</summary>
public sealed class DowngradeWarningTrigger : TriggerOptions
{
    /// <summary>Creates the trigger with its defaults (message type <c>downgrade-warning</c>, weight 70).</summary>
    public DowngradeWarningTrigger()
        : base("downgrade-warning", 70)
    {
    }

    /// <summary>Warn this many days, 1 to 366, before the status ends; 30 by default.</summary>
    public int WithinDays { get; set; } = 30;
}

/// <summary>
/// Purchase overdue by the member's own cycle (<see cref="PurchaseCycle.ExpectedNextPurchase"/>): a relaunch
/// once at least <see cref="MinDaysLate"/> days late; beyond <see cref="MaxLatenessCycles"/> cycles late the
/// member is lapsed and goes to win-back instead.
/// </summary>
public sealed class PurchaseOverdueTrigger : TriggerOptions
{
    /// <summary>Creates the trigger with its defaults (message type <c>purchase-overdue</c>, weight 55).</summary>
    public PurchaseOverdueTrigger()
        : base("purchase-overdue", 55)
    {
    }

    /// <summary>Relaunch once the expected purchase is this many days late, 1 to 366; 1 by default.</summary>
    public int MinDaysLate { get; set; } = 1;

    /// <summary>
    /// The most lateness, in cycles (days late ÷ the median interval), still worth a relaunch, greater than 0
    /// and at most 100; 2 by default. Later than that the member goes to win-back.
    /// </summary>
    public decimal MaxLatenessCycles { get; set; } = 2m;
}

/// <summary>Win-back: a member who moved into one of <see cref="Segments"/>, or lapsed beyond the relaunch's maximum lateness.</summary>
public sealed class WinBackTrigger : TriggerOptions
{
    /// <summary>Creates the trigger with its defaults (message type <c>win-back</c>, weight 60).</summary>
    public WinBackTrigger()
        : base("win-back", 60)
    {
    }

    /// <summary>The segments whose entry triggers a win-back (names of the segment map); At Risk and Can't Lose Them by default.</summary>
    public string[] Segments { get; set; } = [RfmpSegments.AtRisk, RfmpSegments.CantLoseThem];

    /// <summary>Whether lapsed buyers (later than <see cref="PurchaseOverdueTrigger.MaxLatenessCycles"/>) get a win-back; true by default.</summary>
    public bool Lapsed { get; set; } = true;

    /// <summary>Lapsed buyers are won back only while their last purchase is at most this many days old, 1 to 3,660; 365 by default.</summary>
    public int MaxDaysSinceLastPurchase { get; set; } = 365;
}

/// <summary>Birthday: on the day, or <see cref="DaysBefore"/> days before it, until the end of the birthday.</summary>
public sealed class BirthdayTrigger : TriggerOptions
{
    /// <summary>Creates the trigger with its defaults (message type <c>birthday</c>, weight 90).</summary>
    public BirthdayTrigger()
        : base("birthday", 90)
    {
    }

    /// <summary>Send from this many days before the birthday, 0 to 30; 0 (on the day) by default.</summary>
    public int DaysBefore { get; set; }
}

/// <summary>The welcome series: one message on each of <see cref="Days"/> after enrolment (day 0 is the enrolment instant).</summary>
public sealed class WelcomeTrigger : TriggerOptions
{
    /// <summary>Creates the trigger with its defaults (message type <c>welcome</c>, weight 100).</summary>
    public WelcomeTrigger()
        : base("welcome", 100)
    {
        ValidForDays = 2;
    }

    /// <summary>The days after enrolment, distinct, 0 to 366; 0, 3 and 10 by default.</summary>
    public int[] Days { get; set; } = [0, 3, 10];
}

/// <summary>A survey or review invitation <see cref="DaysAfterOrder"/> days after each order.</summary>
public sealed class ReviewInvitationTrigger : TriggerOptions
{
    /// <summary>Creates the trigger with its defaults (message type <c>review-invitation</c>, weight 30).</summary>
    public ReviewInvitationTrigger()
        : base("review-invitation", 30)
    {
    }

    /// <summary>Invite this many days after the order, 0 to 366; 7 by default (once it has arrived and been used).</summary>
    public int DaysAfterOrder { get; set; } = 7;
}

/// <summary>"You can now get …": the most expensive reward the available balance pays for; at most once per reward per <see cref="RepeatAfterDays"/>.</summary>
public sealed class AffordableRewardTrigger : TriggerOptions
{
    /// <summary>Creates the trigger with its defaults (message type <c>affordable-reward</c>, weight 40).</summary>
    public AffordableRewardTrigger()
        : base("affordable-reward", 40)
    {
    }

    /// <summary>At most one message per reward per this many days, 1 to 366; 90 by default.</summary>
    public int RepeatAfterDays { get; set; } = 90;
}

/// <summary>
/// A contact-pressure cap: at most <see cref="MaxMessages"/> marketing messages on <see cref="Channel"/>
/// (every channel together when null) in any window of <see cref="CalendarDays"/> local calendar days of the
/// member's time zone, or of the rolling duration <see cref="Rolling"/>. Set exactly one of the two.
/// </summary>
public sealed class ContactCapOptions
{
    /// <summary>The rule's name, quoted in the reasons of held messages; unique, 1 to 64 characters.</summary>
    public string Name { get; set; } = "";

    /// <summary>The channel counted, or null for every channel together.</summary>
    public EngagementChannel? Channel { get; set; }

    /// <summary>The most marketing messages in one window, at least 1.</summary>
    public int MaxMessages { get; set; }

    /// <summary>A window of this many consecutive local calendar days (1 = per day, 7 = any 7 days), 1 to 366.</summary>
    public int? CalendarDays { get; set; }

    /// <summary>A rolling window of this duration, from 1 minute to 366 days.</summary>
    public TimeSpan? Rolling { get; set; }
}

/// <summary>
/// Quiet hours in the member's time zone, from <see cref="Start"/> (inclusive) to <see cref="End"/> (exclusive);
/// a range that wraps midnight (21:00 to 08:00) is allowed. A marketing message that falls in it moves to its end.
/// </summary>
public sealed class QuietHoursOptions
{
    /// <summary>The channel, or null for every channel.</summary>
    public EngagementChannel? Channel { get; set; }

    /// <summary>The local time quiet hours start.</summary>
    public TimeOnly Start { get; set; }

    /// <summary>The local time quiet hours end.</summary>
    public TimeOnly End { get; set; }
}
