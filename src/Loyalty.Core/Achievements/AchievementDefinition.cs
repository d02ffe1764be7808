using System.Globalization;
using Loyalty.Core.Earning;

namespace Loyalty.Core.Achievements;

/// <summary>What an achievement counts.</summary>
public enum AchievementKind
{
    /// <summary>Activities of one kind ("5 reviews"): <see cref="AchievementDefinition.Target"/> of <see cref="AchievementDefinition.Activity"/>.</summary>
    ActivityCount = 0,

    /// <summary>Friends referred who completed their first purchase ("3 friends referred → Ambassador").</summary>
    ReferralCount = 1,

    /// <summary>An order in each of <see cref="AchievementDefinition.Target"/> consecutive calendar months, in the programme's time zone.</summary>
    Streak = 2,

    /// <summary>At least <see cref="AchievementDefinition.Amount"/> spent in one calendar year (order net subtotals, less refunds), in the programme's time zone.</summary>
    SpendThreshold = 3,

    /// <summary>The first order with a line in <see cref="AchievementDefinition.Category"/>.</summary>
    FirstInCategory = 4,
}

/// <summary>How long an unlocked achievement lasts.</summary>
public enum AchievementValidity
{
    /// <summary>For good (unless revoked by a refund): unlocked once.</summary>
    Permanent = 0,

    /// <summary>Until the end of the calendar year it was unlocked in (programme time zone); progress starts again each year and it can be unlocked once per year.</summary>
    CalendarYear = 1,
}

/// <summary>What a refund that undoes an achievement's cause does.</summary>
public enum AchievementRefundPolicy
{
    /// <summary>An achievement once unlocked stays, and so does its bonus; refunds only lower the progress.</summary>
    Keep = 0,

    /// <summary>An achievement whose condition no longer holds after a refund is revoked and its bonus reversed.</summary>
    Revoke = 1,
}

/// <summary>
/// An achievement (a badge) as data, like an earning rule: what it counts, its target, an optional points
/// bonus on unlock and an optional yearly validity. Build a checked set with <see cref="AchievementSet.Create"/>
/// or <see cref="AchievementSet.FromJson"/>.
/// </summary>
/// <remarks>Immutable.</remarks>
public sealed record AchievementDefinition
{
    /// <summary>The longest id.</summary>
    public const int MaxIdLength = 64;

    /// <summary>The achievement's id, 1 to 64 characters, unique in its set.</summary>
    public required string Id { get; init; }

    /// <summary>The name shown to members (e.g. "Ambassador").</summary>
    public required string Name { get; init; }

    /// <summary>What it counts.</summary>
    public required AchievementKind Kind { get; init; }

    /// <summary>For counts, how many; for streaks, how many consecutive months; at least 1. Unused by thresholds and firsts.</summary>
    public long Target { get; init; } = 1;

    /// <summary>For <see cref="AchievementKind.ActivityCount"/>, the activity kind counted.</summary>
    public ActivityKind? Activity { get; init; }

    /// <summary>For a <see cref="ActivityKind.Custom"/> activity, the event name counted.</summary>
    public string? EventName { get; init; }

    /// <summary>For <see cref="AchievementKind.SpendThreshold"/>, the amount in the programme's currency; greater than 0.</summary>
    public decimal Amount { get; init; }

    /// <summary>For <see cref="AchievementKind.FirstInCategory"/>, the product category (compared ordinally).</summary>
    public string? Category { get; init; }

    /// <summary>Points credited (available at once) on unlock; 0 for none.</summary>
    public long BonusPoints { get; init; }

    /// <summary>How long it lasts once unlocked.</summary>
    public AchievementValidity Validity { get; init; }

    /// <summary>Every problem with the definition, each prefixed with <paramref name="path"/>.</summary>
    internal void Validate(string path, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(Id) || Id.Length > MaxIdLength || Id.Trim().Length != Id.Length)
        {
            errors.Add($"{path}.id must be 1 to {MaxIdLength} characters without leading or trailing spaces (was '{Id}').");
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add($"{path}.name is required; give the name members see, e.g. \"Ambassador\".");
        }

        if (!Enum.IsDefined(Kind))
        {
            errors.Add($"{path}.kind must be one of {string.Join(", ", Enum.GetNames<AchievementKind>())} (was {(int)Kind}).");
            return;
        }

        if (!Enum.IsDefined(Validity))
        {
            errors.Add($"{path}.validity must be one of {string.Join(", ", Enum.GetNames<AchievementValidity>())} (was {(int)Validity}).");
        }

        if (BonusPoints < 0)
        {
            errors.Add($"{path}.bonusPoints must be 0 or greater (was {BonusPoints}).");
        }

        switch (Kind)
        {
            case AchievementKind.ActivityCount:
                CheckTarget(path, "activities", errors);
                if (Activity is not { } activity)
                {
                    errors.Add($"{path}.activity is required for an ActivityCount achievement; use one of {string.Join(", ", Enum.GetNames<ActivityKind>())}.");
                }
                else if (!Enum.IsDefined(activity))
                {
                    errors.Add($"{path}.activity must be one of {string.Join(", ", Enum.GetNames<ActivityKind>())} (was {(int)activity}).");
                }
                else if (activity == ActivityKind.Custom && string.IsNullOrWhiteSpace(EventName))
                {
                    errors.Add($"{path}.eventName is required to count Custom activities; give the event's name, e.g. \"newsletter-signup\".");
                }
                else if (activity != ActivityKind.Custom && EventName is not null)
                {
                    errors.Add($"{path}.eventName is only for Custom activities (activity was {activity}); remove it.");
                }

                break;
            case AchievementKind.ReferralCount:
                CheckTarget(path, "referrals", errors);
                break;
            case AchievementKind.Streak:
                CheckTarget(path, "consecutive months", errors);
                break;
            case AchievementKind.SpendThreshold:
                if (Amount <= 0m)
                {
                    errors.Add($"{path}.amount must be greater than 0 for a SpendThreshold achievement (was {Amount.ToString(CultureInfo.InvariantCulture)}).");
                }

                break;
            case AchievementKind.FirstInCategory:
                if (string.IsNullOrWhiteSpace(Category))
                {
                    errors.Add($"{path}.category is required for a FirstInCategory achievement; give the product category, e.g. \"books\".");
                }

                break;
        }
    }

    private void CheckTarget(string path, string what, List<string> errors)
    {
        if (Target < 1 || Target > 1_000_000)
        {
            errors.Add($"{path}.target must be between 1 and 1000000 {what} for a {Kind} achievement (was {Target}).");
        }
    }
}
