namespace Loyalty.Core.Ledger;

/// <summary>When a reversal needs more points than remain in the reversed earn's own lot.</summary>
public enum ShortfallPolicy
{
    /// <summary>The shortfall is taken only from other points still pending; the rest is written off.</summary>
    OnlyPending = 1,

    /// <summary>The shortfall is taken from any other unexpired points, up to the balance; the rest is written off.</summary>
    WithinBalance = 2,

    /// <summary>As <see cref="WithinBalance"/>, and what still lacks becomes a debt that later credits repay first.</summary>
    AllowNegative = 3,
}

/// <summary>The ledger's settings, bound from <c>Loyalty:Ledger</c>.</summary>
/// <remarks>A mutable options object, validated by the programme's options validator (<c>LoyaltyOptionsValidator</c>).</remarks>
public sealed class LedgerOptions
{
    /// <summary>Where these options sit in configuration, for error messages.</summary>
    internal const string ConfigurationPath = "Loyalty:Ledger";

    /// <summary>How long earned points stay pending (the return window) before they can be spent. Default zero; 0 to 3,650 days.</summary>
    public TimeSpan PendingPeriod { get; set; } = TimeSpan.Zero;

    /// <summary>When earned points expire. Default: never.</summary>
    public LedgerExpiryOptions Expiry { get; set; } = new();

    /// <summary>What a reversal does when the points it takes back are no longer there. Default <see cref="ShortfallPolicy.WithinBalance"/>.</summary>
    public ShortfallPolicy ShortfallPolicy { get; set; } = ShortfallPolicy.WithinBalance;

    /// <summary>How many times a write is retried after a concurrent write on the same account. Default 16; 0 to 1,000. (A write decided on a cached account state that the store finds stale is decided again from the store without counting as a retry.)</summary>
    public int MaxConcurrencyRetries { get; set; } = 16;

    /// <summary>How long a hold reserves points before it lapses. Default 30 minutes; 1 second to 90 days.</summary>
    public TimeSpan HoldLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How many accounts a maintenance run reads per page. Default 500; 1 to 100,000.</summary>
    public int ExpiryBatchSize { get; set; } = 500;
}

/// <summary>The expiry policy in configuration form (see <see cref="ExpiryPolicy"/>).</summary>
public sealed class LedgerExpiryOptions
{
    /// <summary>The kind. Default <see cref="ExpiryPolicyKind.None"/>.</summary>
    public ExpiryPolicyKind Policy { get; set; } = ExpiryPolicyKind.None;

    /// <summary>Rolling: days after earning (set either this or <see cref="Months"/>).</summary>
    public int Days { get; set; }

    /// <summary>Rolling: months after earning; inactivity: months without an earn or redemption.</summary>
    public int Months { get; set; }

    /// <summary>Rolling: rounding up in the programme's time zone. Default none.</summary>
    public ExpiryRounding RoundUpTo { get; set; } = ExpiryRounding.None;

    /// <summary>Fixed calendar: the month, 1 to 12.</summary>
    public int Month { get; set; }

    /// <summary>Fixed calendar: the day, 1 to 31.</summary>
    public int Day { get; set; }

    /// <summary>Fixed calendar: years after the year of earning, 0 to 100.</summary>
    public int YearsAfter { get; set; }

    /// <summary>The policy these options describe; call only on validated options.</summary>
    /// <returns>The policy.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A field is out of range.</exception>
    public ExpiryPolicy ToPolicy() => Policy switch
    {
        ExpiryPolicyKind.Rolling when Days > 0 => ExpiryPolicy.RollingDays(Days, RoundUpTo),
        ExpiryPolicyKind.Rolling => ExpiryPolicy.RollingMonths(Months, RoundUpTo),
        ExpiryPolicyKind.FixedCalendar => ExpiryPolicy.FixedCalendar(Month, Day, YearsAfter),
        ExpiryPolicyKind.Inactivity => ExpiryPolicy.Inactivity(Months),
        _ => ExpiryPolicy.Never,
    };
}

/// <summary>Validates <see cref="LedgerOptions"/>; called by the programme's options validator.</summary>
internal static class LedgerOptionsValidator
{
    public static void AddFailures(LedgerOptions? options, string prefix, List<string> failures)
    {
        if (options is null)
        {
            failures.Add($"{prefix}: must not be null; remove the assignment to keep the defaults.");
            return;
        }

        if (options.PendingPeriod < TimeSpan.Zero || options.PendingPeriod > TimeSpan.FromDays(3650))
        {
            failures.Add($"{prefix}:PendingPeriod: must be between 00:00:00 and 3650.00:00:00 (was {options.PendingPeriod}); use e.g. \"14.00:00:00\" for a 14-day return window.");
        }

        if (!Enum.IsDefined(options.ShortfallPolicy))
        {
            failures.Add($"{prefix}:ShortfallPolicy: must be OnlyPending, WithinBalance or AllowNegative (was {(int)options.ShortfallPolicy}).");
        }

        if (options.MaxConcurrencyRetries is < 0 or > 1000)
        {
            failures.Add($"{prefix}:MaxConcurrencyRetries: must be between 0 and 1000 (was {options.MaxConcurrencyRetries}).");
        }

        if (options.HoldLifetime < TimeSpan.FromSeconds(1) || options.HoldLifetime > TimeSpan.FromDays(90))
        {
            failures.Add($"{prefix}:HoldLifetime: must be between 00:00:01 and 90.00:00:00 (was {options.HoldLifetime}); use e.g. \"00:30:00\" for 30 minutes.");
        }

        if (options.ExpiryBatchSize is < 1 or > 100_000)
        {
            failures.Add($"{prefix}:ExpiryBatchSize: must be between 1 and 100000 (was {options.ExpiryBatchSize}).");
        }

        var expiry = options.Expiry;
        var path = prefix + ":Expiry";
        if (expiry is null)
        {
            failures.Add($"{path}: must not be null; set Policy to None for points that never expire.");
            return;
        }

        switch (expiry.Policy)
        {
            case ExpiryPolicyKind.None:
                break;
            case ExpiryPolicyKind.Rolling:
                if ((expiry.Days > 0) == (expiry.Months > 0) || expiry.Days < 0 || expiry.Months < 0)
                {
                    failures.Add($"{path}: a Rolling policy needs exactly one of Days (1-36500) or Months (1-1200) (was Days={expiry.Days}, Months={expiry.Months}).");
                }
                else if (expiry.Days > 36_500 || expiry.Months > 1_200)
                {
                    failures.Add($"{path}: Days must be at most 36500 and Months at most 1200 (was Days={expiry.Days}, Months={expiry.Months}).");
                }

                if (!Enum.IsDefined(expiry.RoundUpTo))
                {
                    failures.Add($"{path}:RoundUpTo: must be None, EndOfDay, EndOfMonth, EndOfQuarter or EndOfYear (was {(int)expiry.RoundUpTo}).");
                }

                break;
            case ExpiryPolicyKind.FixedCalendar:
                if (expiry.Month is < 1 or > 12)
                {
                    failures.Add($"{path}:Month: must be between 1 and 12 for a FixedCalendar policy (was {expiry.Month}).");
                }

                if (expiry.Day is < 1 or > 31)
                {
                    failures.Add($"{path}:Day: must be between 1 and 31 for a FixedCalendar policy (was {expiry.Day}).");
                }

                if (expiry.YearsAfter is < 0 or > 100)
                {
                    failures.Add($"{path}:YearsAfter: must be between 0 and 100 (was {expiry.YearsAfter}).");
                }

                break;
            case ExpiryPolicyKind.Inactivity:
                if (expiry.Months is < 1 or > 1_200)
                {
                    failures.Add($"{path}:Months: must be between 1 and 1200 for an Inactivity policy (was {expiry.Months}).");
                }

                break;
            default:
                failures.Add($"{path}:Policy: must be None, Rolling, FixedCalendar or Inactivity (was {(int)expiry.Policy}).");
                break;
        }
    }
}
