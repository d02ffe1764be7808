using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Ledger;

namespace Loyalty.Core.Tests.Ledger;

/// <summary>The ledger options' ranges are inclusive: each documented limit is accepted, one step beyond it is reported.</summary>
public class LedgerOptionsBoundaryTests
{
    private static IReadOnlyList<string> Failures(Action<LedgerOptions> configure)
    {
        var options = new LoyaltyOptions();
        configure(options.Ledger);
        return LoyaltyOptionsValidator.GetFailures(options);
    }

    public static TheoryData<string, Action<LedgerOptions>> Limits => new()
    {
        { "pending period 0", o => o.PendingPeriod = TimeSpan.Zero },
        { "pending period 3650 days", o => o.PendingPeriod = TimeSpan.FromDays(3650) },
        { "retries 0", o => o.MaxConcurrencyRetries = 0 },
        { "retries 1000", o => o.MaxConcurrencyRetries = 1000 },
        { "hold lifetime 1 s", o => o.HoldLifetime = TimeSpan.FromSeconds(1) },
        { "hold lifetime 90 days", o => o.HoldLifetime = TimeSpan.FromDays(90) },
        { "batch size 1", o => o.ExpiryBatchSize = 1 },
        { "batch size 100000", o => o.ExpiryBatchSize = 100_000 },
        { "rolling 1 day", o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Days = 1 } },
        { "rolling 36500 days", o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Days = 36_500 } },
        { "rolling 1 month", o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Months = 1 } },
        { "rolling 1200 months", o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Months = 1_200 } },
        { "fixed 1 January, same year", o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.FixedCalendar, Month = 1, Day = 1, YearsAfter = 0 } },
        { "fixed 31 December, 100 years after", o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.FixedCalendar, Month = 12, Day = 31, YearsAfter = 100 } },
        { "fixed 15 June, 1 year after", o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.FixedCalendar, Month = 6, Day = 15, YearsAfter = 1 } },
        { "inactivity 1 month", o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Inactivity, Months = 1 } },
        { "inactivity 1200 months", o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Inactivity, Months = 1_200 } },
    };

    [Theory]
    [MemberData(nameof(Limits))]
    public void Each_documented_limit_is_accepted(string limit, Action<LedgerOptions> configure)
        => Failures(configure).Should().BeEmpty(limit);

    public static TheoryData<Action<LedgerOptions>, string> BeyondLimits => new()
    {
        { o => o.PendingPeriod = TimeSpan.FromDays(3650) + TimeSpan.FromTicks(1),
            "Loyalty:Ledger:PendingPeriod: must be between 00:00:00 and 3650.00:00:00 (was 3650.00:00:00.0000001); use e.g. \"14.00:00:00\" for a 14-day return window." },
        { o => o.MaxConcurrencyRetries = 1001, "Loyalty:Ledger:MaxConcurrencyRetries: must be between 0 and 1000 (was 1001)." },
        { o => o.HoldLifetime = TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1),
            "Loyalty:Ledger:HoldLifetime: must be between 00:00:01 and 90.00:00:00 (was 00:00:00.9999999); use e.g. \"00:30:00\" for 30 minutes." },
        { o => o.HoldLifetime = TimeSpan.FromDays(90) + TimeSpan.FromTicks(1),
            "Loyalty:Ledger:HoldLifetime: must be between 00:00:01 and 90.00:00:00 (was 90.00:00:00.0000001); use e.g. \"00:30:00\" for 30 minutes." },
        { o => o.ExpiryBatchSize = 100_001, "Loyalty:Ledger:ExpiryBatchSize: must be between 1 and 100000 (was 100001)." },
        { o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Days = 36_501 },
            "Loyalty:Ledger:Expiry: Days must be at most 36500 and Months at most 1200 (was Days=36501, Months=0)." },
        { o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Months = 1_201 },
            "Loyalty:Ledger:Expiry: Days must be at most 36500 and Months at most 1200 (was Days=0, Months=1201)." },
        { o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling },
            "Loyalty:Ledger:Expiry: a Rolling policy needs exactly one of Days (1-36500) or Months (1-1200) (was Days=0, Months=0)." },
        { o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Days = -1, Months = 3 },
            "Loyalty:Ledger:Expiry: a Rolling policy needs exactly one of Days (1-36500) or Months (1-1200) (was Days=-1, Months=3)." },
        { o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.FixedCalendar, Month = 13, Day = 1 },
            "Loyalty:Ledger:Expiry:Month: must be between 1 and 12 for a FixedCalendar policy (was 13)." },
        { o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.FixedCalendar, Month = 1, Day = 0 },
            "Loyalty:Ledger:Expiry:Day: must be between 1 and 31 for a FixedCalendar policy (was 0)." },
        { o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.FixedCalendar, Month = 1, Day = 1, YearsAfter = 101 },
            "Loyalty:Ledger:Expiry:YearsAfter: must be between 0 and 100 (was 101)." },
        { o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Inactivity, Months = 0 },
            "Loyalty:Ledger:Expiry:Months: must be between 1 and 1200 for an Inactivity policy (was 0)." },
        { o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Inactivity, Months = 1_201 },
            "Loyalty:Ledger:Expiry:Months: must be between 1 and 1200 for an Inactivity policy (was 1201)." },
        { o => o.Expiry = new LedgerExpiryOptions { Policy = (ExpiryPolicyKind)9 },
            "Loyalty:Ledger:Expiry:Policy: must be None, Rolling, FixedCalendar or Inactivity (was 9)." },
    };

    [Theory]
    [MemberData(nameof(BeyondLimits))]
    public void One_step_beyond_a_limit_is_reported_with_its_exact_message(Action<LedgerOptions> configure, string expected)
        => Failures(configure).Should().Equal(expected);

    [Fact]
    public void A_null_expiry_is_reported_after_the_other_failures()
        => Failures(o => { o.ExpiryBatchSize = 0; o.Expiry = null!; }).Should().Equal(
            "Loyalty:Ledger:ExpiryBatchSize: must be between 1 and 100000 (was 0).",
            "Loyalty:Ledger:Expiry: must not be null; set Policy to None for points that never expire.");
}
