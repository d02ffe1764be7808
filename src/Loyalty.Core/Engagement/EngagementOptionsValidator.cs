using System.Globalization;
using Loyalty.Core.Segmentation;
using Microsoft.Extensions.Options;

namespace Loyalty.Core.Engagement;

/// <summary>
/// Validates <see cref="EngagementOptions"/> at start-up, reporting every bad field (not only the first)
/// with its configuration path, e.g. <c>Loyalty:Engagement:Caps:0:MaxMessages</c>: a cap of 0, a cap with
/// no window, overlapping quiet hours, an unknown segment name, a contact history too short for the triggers.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class EngagementOptionsValidator : IValidateOptions<EngagementOptions>
{
    private const string Prefix = EngagementOptions.SectionName + ":";
    private readonly SegmentMap segmentMap;

    /// <summary>Creates a validator that checks segment names against <paramref name="segmentMap"/>.</summary>
    /// <param name="segmentMap">The programme's segment map.</param>
    /// <exception cref="ArgumentNullException"><paramref name="segmentMap"/> is null.</exception>
    public EngagementOptionsValidator(SegmentMap segmentMap)
    {
        ArgumentNullException.ThrowIfNull(segmentMap);
        this.segmentMap = segmentMap;
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, EngagementOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = GetFailures(options, segmentMap);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Every problem with <paramref name="options"/>, each prefixed with its configuration path.</summary>
    /// <param name="options">The options to check.</param>
    /// <param name="segmentMap">The segment map the win-back segments must belong to.</param>
    /// <returns>The messages; empty when the options are valid.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IReadOnlyList<string> GetFailures(EngagementOptions options, SegmentMap segmentMap)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(segmentMap);
        var failures = new List<string>();

        Trigger(options.PointsExpiring, nameof(EngagementOptions.PointsExpiring), failures);
        Range(options.PointsExpiring.WithinDays, 1, 366, $"{nameof(EngagementOptions.PointsExpiring)}:{nameof(PointsExpiringTrigger.WithinDays)}", failures);
        if (options.PointsExpiring.MinimumPoints < 1)
        {
            failures.Add($"{Prefix}{nameof(EngagementOptions.PointsExpiring)}:{nameof(PointsExpiringTrigger.MinimumPoints)}: must be at least 1 (was {options.PointsExpiring.MinimumPoints}).");
        }

        var close = options.CloseToNextTier;
        Trigger(close, nameof(EngagementOptions.CloseToNextTier), failures);
        Range(close.RepeatAfterDays, 1, 366, $"{nameof(EngagementOptions.CloseToNextTier)}:{nameof(CloseToNextTierTrigger.RepeatAfterDays)}", failures);
        if (close.MaxPointsAway is null && close.MaxAmountAway is null && close.MaxOrdersAway is null && close.Enabled)
        {
            failures.Add($"{Prefix}{nameof(EngagementOptions.CloseToNextTier)}: set at least one of MaxPointsAway, MaxAmountAway or MaxOrdersAway, or disable the trigger.");
        }

        foreach (var (value, field) in new[] { (close.MaxPointsAway, nameof(close.MaxPointsAway)), (close.MaxAmountAway, nameof(close.MaxAmountAway)), (close.MaxOrdersAway, nameof(close.MaxOrdersAway)) })
        {
            if (value is <= 0m)
            {
                failures.Add($"{Prefix}{nameof(EngagementOptions.CloseToNextTier)}:{field}: must be greater than 0 when set (was {value.Value.ToString(CultureInfo.InvariantCulture)}).");
            }
        }

        Trigger(options.DowngradeWarning, nameof(EngagementOptions.DowngradeWarning), failures);
        Range(options.DowngradeWarning.WithinDays, 1, 366, $"{nameof(EngagementOptions.DowngradeWarning)}:{nameof(DowngradeWarningTrigger.WithinDays)}", failures);

        var overdue = options.PurchaseOverdue;
        Trigger(overdue, nameof(EngagementOptions.PurchaseOverdue), failures);
        Range(overdue.MinDaysLate, 1, 366, $"{nameof(EngagementOptions.PurchaseOverdue)}:{nameof(PurchaseOverdueTrigger.MinDaysLate)}", failures);
        if (overdue.MaxLatenessCycles <= 0m || overdue.MaxLatenessCycles > 100m)
        {
            failures.Add($"{Prefix}{nameof(EngagementOptions.PurchaseOverdue)}:{nameof(PurchaseOverdueTrigger.MaxLatenessCycles)}: must be greater than 0 and at most 100 (was {overdue.MaxLatenessCycles.ToString(CultureInfo.InvariantCulture)}).");
        }

        var winBack = options.WinBack;
        Trigger(winBack, nameof(EngagementOptions.WinBack), failures);
        Range(winBack.MaxDaysSinceLastPurchase, 1, 3660, $"{nameof(EngagementOptions.WinBack)}:{nameof(WinBackTrigger.MaxDaysSinceLastPurchase)}", failures);
        var segments = winBack.Segments ?? [];
        for (var i = 0; i < segments.Length; i++)
        {
            if (!segmentMap.Segments.Contains(segments[i], StringComparer.Ordinal))
            {
                failures.Add($"{Prefix}{nameof(EngagementOptions.WinBack)}:{nameof(WinBackTrigger.Segments)}:{i}: '{segments[i]}' is not a segment of the segment map; known segments: {string.Join(", ", segmentMap.Segments)}.");
            }
            else if (Array.IndexOf(segments, segments[i]) < i)
            {
                failures.Add($"{Prefix}{nameof(EngagementOptions.WinBack)}:{nameof(WinBackTrigger.Segments)}:{i}: '{segments[i]}' is listed twice.");
            }
        }

        Trigger(options.Birthday, nameof(EngagementOptions.Birthday), failures);
        Range(options.Birthday.DaysBefore, 0, 30, $"{nameof(EngagementOptions.Birthday)}:{nameof(BirthdayTrigger.DaysBefore)}", failures);

        Trigger(options.Welcome, nameof(EngagementOptions.Welcome), failures);
        var days = options.Welcome.Days ?? [];
        if (days.Length == 0 && options.Welcome.Enabled)
        {
            failures.Add($"{Prefix}{nameof(EngagementOptions.Welcome)}:{nameof(WelcomeTrigger.Days)}: list at least one day after enrolment (e.g. 0, 3, 10), or disable the trigger.");
        }

        for (var i = 0; i < days.Length; i++)
        {
            Range(days[i], 0, 366, $"{nameof(EngagementOptions.Welcome)}:{nameof(WelcomeTrigger.Days)}:{i}", failures);
            if (Array.IndexOf(days, days[i]) < i)
            {
                failures.Add($"{Prefix}{nameof(EngagementOptions.Welcome)}:{nameof(WelcomeTrigger.Days)}:{i}: day {days[i]} is listed twice.");
            }
        }

        Trigger(options.ReviewInvitation, nameof(EngagementOptions.ReviewInvitation), failures);
        Range(options.ReviewInvitation.DaysAfterOrder, 0, 366, $"{nameof(EngagementOptions.ReviewInvitation)}:{nameof(ReviewInvitationTrigger.DaysAfterOrder)}", failures);

        Trigger(options.AffordableReward, nameof(EngagementOptions.AffordableReward), failures);
        Range(options.AffordableReward.RepeatAfterDays, 1, 366, $"{nameof(EngagementOptions.AffordableReward)}:{nameof(AffordableRewardTrigger.RepeatAfterDays)}", failures);

        Caps(options.Caps ?? [], failures);
        QuietHours(options.QuietHours ?? [], failures);

        if (options.ContactHistoryDays < 1 || options.ContactHistoryDays > 3660)
        {
            failures.Add($"{Prefix}{nameof(EngagementOptions.ContactHistoryDays)}: must be between 1 and 3660 (was {options.ContactHistoryDays}).");
        }
        else if (failures.Count == 0 && RequiredHistoryDays(options) is var (required, what) && options.ContactHistoryDays < required)
        {
            failures.Add($"{Prefix}{nameof(EngagementOptions.ContactHistoryDays)}: {options.ContactHistoryDays} days is shorter than {what} ({required} days): a send could leave the history while its message can still be planned, or while it still counts; raise it to at least {required}.");
        }

        return failures;
    }

    /// <summary>The longest span the contact history must cover: the caps' windows and the triggers' spans.</summary>
    internal static (int Days, string What) RequiredHistoryDays(EngagementOptions options)
    {
        var best = (Days: 1, What: "one day");
        void Need(bool enabled, int days, string what)
        {
            if (enabled && days > best.Days)
            {
                best = (days, what);
            }
        }

        foreach (var (cap, i) in (options.Caps ?? []).Select((c, i) => (c, i)))
        {
            var days = cap.CalendarDays ?? (int)Math.Ceiling(cap.Rolling.GetValueOrDefault().TotalDays);
            Need(true, days, $"the window of {Prefix}Caps:{i} '{cap.Name}'");
        }

        Need(options.PointsExpiring.Enabled, options.PointsExpiring.WithinDays + 1, $"the span of {Prefix}PointsExpiring");
        Need(options.CloseToNextTier.Enabled, options.CloseToNextTier.RepeatAfterDays, $"the span of {Prefix}CloseToNextTier");
        Need(options.DowngradeWarning.Enabled, options.DowngradeWarning.WithinDays + 1, $"the span of {Prefix}DowngradeWarning");
        Need(options.PurchaseOverdue.Enabled, options.PurchaseOverdue.ValidForDays + 1, $"the span of {Prefix}PurchaseOverdue");
        Need(options.WinBack.Enabled, options.WinBack.ValidForDays + 1, $"the span of {Prefix}WinBack");
        Need(options.WinBack.Enabled && options.WinBack.Lapsed, options.WinBack.MaxDaysSinceLastPurchase + 1, $"the span of {Prefix}WinBack (lapsed buyers)");
        Need(options.Birthday.Enabled, options.Birthday.DaysBefore + 1, $"the span of {Prefix}Birthday");
        Need(options.Welcome.Enabled, options.Welcome.ValidForDays + 1, $"the span of {Prefix}Welcome");
        Need(options.ReviewInvitation.Enabled, options.ReviewInvitation.ValidForDays + 1, $"the span of {Prefix}ReviewInvitation");
        Need(options.AffordableReward.Enabled, options.AffordableReward.RepeatAfterDays, $"the span of {Prefix}AffordableReward");
        return best;
    }

    private static void Trigger(TriggerOptions trigger, string path, List<string> failures)
    {
        if (trigger is null)
        {
            failures.Add($"{Prefix}{path}: must not be null.");
            return;
        }

        if (string.IsNullOrWhiteSpace(trigger.MessageType) || trigger.MessageType.Length > ContactRecord.MaxMessageTypeLength)
        {
            failures.Add($"{Prefix}{path}:{nameof(TriggerOptions.MessageType)}: must be 1 to {ContactRecord.MaxMessageTypeLength} characters naming the template, e.g. \"points-expiring\".");
        }

        Range(trigger.Weight, 1, 1000, $"{path}:{nameof(TriggerOptions.Weight)}", failures);
        Range(trigger.ValidForDays, 0, 366, $"{path}:{nameof(TriggerOptions.ValidForDays)}", failures);
        var channels = trigger.Channels ?? [];
        if (channels.Length == 0)
        {
            failures.Add($"{Prefix}{path}:{nameof(TriggerOptions.Channels)}: list at least one channel (Email, Sms or Push).");
        }

        for (var i = 0; i < channels.Length; i++)
        {
            if (!Enum.IsDefined(channels[i]))
            {
                failures.Add($"{Prefix}{path}:{nameof(TriggerOptions.Channels)}:{i}: {(int)channels[i]} is not a channel; use Email, Sms or Push.");
            }
            else if (Array.IndexOf(channels, channels[i]) < i)
            {
                failures.Add($"{Prefix}{path}:{nameof(TriggerOptions.Channels)}:{i}: {channels[i]} is listed twice.");
            }
        }
    }

    private static void Caps(ContactCapOptions[] caps, List<string> failures)
    {
        for (var i = 0; i < caps.Length; i++)
        {
            var cap = caps[i];
            var path = $"{Prefix}{nameof(EngagementOptions.Caps)}:{i}";
            if (cap is null)
            {
                failures.Add($"{path}: must not be null.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(cap.Name) || cap.Name.Length > 64)
            {
                failures.Add($"{path}:{nameof(ContactCapOptions.Name)}: must be 1 to 64 characters, quoted in the reasons of held messages, e.g. \"email-weekly\".");
            }
            else if (Array.FindIndex(caps, c => c is not null && c.Name == cap.Name) is var first && first < i)
            {
                failures.Add($"{path}:{nameof(ContactCapOptions.Name)}: '{cap.Name}' is already the name of {Prefix}{nameof(EngagementOptions.Caps)}:{first}; cap names must be unique.");
            }

            if (cap.Channel is { } channel && !Enum.IsDefined(channel))
            {
                failures.Add($"{path}:{nameof(ContactCapOptions.Channel)}: {(int)channel} is not a channel; use Email, Sms or Push, or leave it out to count every channel.");
            }

            if (cap.MaxMessages < 1)
            {
                failures.Add($"{path}:{nameof(ContactCapOptions.MaxMessages)}: must be at least 1 (was {cap.MaxMessages}); a cap of 0 would silence the channel's marketing for good: withdraw consent or disable the triggers instead.");
            }

            if (cap.CalendarDays is null == cap.Rolling is null)
            {
                failures.Add($"{path}: set exactly one of {nameof(ContactCapOptions.CalendarDays)} or {nameof(ContactCapOptions.Rolling)} ({(cap.CalendarDays is null ? "neither is set" : "both are set")}).");
            }
            else if (cap.CalendarDays is { } calendar && (calendar < 1 || calendar > 366))
            {
                failures.Add($"{path}:{nameof(ContactCapOptions.CalendarDays)}: must be between 1 and 366 (was {calendar}).");
            }
            else if (cap.Rolling is { } rolling && (rolling < TimeSpan.FromMinutes(1) || rolling > TimeSpan.FromDays(366)))
            {
                failures.Add($"{path}:{nameof(ContactCapOptions.Rolling)}: must be between 00:01:00 and 366.00:00:00 (was {rolling.ToString("c", CultureInfo.InvariantCulture)}).");
            }
        }
    }

    private static void QuietHours(QuietHoursOptions[] ranges, List<string> failures)
    {
        for (var i = 0; i < ranges.Length; i++)
        {
            var range = ranges[i];
            var path = $"{Prefix}{nameof(EngagementOptions.QuietHours)}:{i}";
            if (range is null)
            {
                failures.Add($"{path}: must not be null.");
                continue;
            }

            if (range.Channel is { } channel && !Enum.IsDefined(channel))
            {
                failures.Add($"{path}:{nameof(QuietHoursOptions.Channel)}: {(int)channel} is not a channel; use Email, Sms or Push, or leave it out for every channel.");
                continue;
            }

            if (range.Start == range.End)
            {
                failures.Add($"{path}: {Text(range.Start)}–{Text(range.End)} is an empty range (Start equals End); remove it or set the End.");
                continue;
            }

            for (var j = 0; j < i; j++)
            {
                var other = ranges[j];
                if (other is null || other.Start == other.End || (other.Channel is { } c && !Enum.IsDefined(c)))
                {
                    continue;
                }

                if ((range.Channel is null || other.Channel is null || range.Channel == other.Channel) && Overlap(range, other))
                {
                    failures.Add($"{path}: {Describe(range)} overlaps {Prefix}{nameof(EngagementOptions.QuietHours)}:{j} ({Describe(other)}); merge them into one range.");
                }
            }
        }
    }

    private static bool Overlap(QuietHoursOptions a, QuietHoursOptions b)
    {
        foreach (var (s1, e1) in Pieces(a))
        {
            foreach (var (s2, e2) in Pieces(b))
            {
                if (s1 < e2 && s2 < e1)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static IEnumerable<(long Start, long End)> Pieces(QuietHoursOptions range)
    {
        const long day = TimeSpan.TicksPerDay;
        if (range.Start < range.End)
        {
            yield return (range.Start.Ticks, range.End.Ticks);
        }
        else
        {
            yield return (range.Start.Ticks, day);
            yield return (0, range.End.Ticks);
        }
    }

    private static string Describe(QuietHoursOptions range) =>
        $"{Text(range.Start)}–{Text(range.End)} on {(range.Channel is { } c ? c.ToString() : "every channel")}";

    private static string Text(TimeOnly time) => time.ToString(time.Second == 0 ? "HH:mm" : "HH:mm:ss", CultureInfo.InvariantCulture);

    private static void Range(int value, int min, int max, string path, List<string> failures)
    {
        if (value < min || value > max)
        {
            failures.Add($"{Prefix}{path}: must be between {min} and {max} (was {value}).");
        }
    }
}
