using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Ledger;

namespace Loyalty.Core.Tests.Ledger;

public class LedgerOptionsValidatorTests
{
    private static IReadOnlyList<string> Failures(Action<LedgerOptions> configure)
    {
        var options = new LoyaltyOptions();
        configure(options.Ledger);
        return LoyaltyOptionsValidator.GetFailures(options);
    }

    [Fact]
    public void Defaults_are_valid() => Failures(_ => { }).Should().BeEmpty();

    [Fact]
    public void Negative_pending_period_is_reported_with_its_path()
        => Failures(o => o.PendingPeriod = TimeSpan.FromDays(-1)).Should().Equal(
            "Loyalty:Ledger:PendingPeriod: must be between 00:00:00 and 3650.00:00:00 (was -1.00:00:00); use e.g. \"14.00:00:00\" for a 14-day return window.");

    [Fact]
    public void Unknown_shortfall_policy_is_reported()
        => Failures(o => o.ShortfallPolicy = (ShortfallPolicy)7).Should().Equal(
            "Loyalty:Ledger:ShortfallPolicy: must be OnlyPending, WithinBalance or AllowNegative (was 7).");

    [Fact]
    public void Retries_out_of_range_are_reported()
        => Failures(o => o.MaxConcurrencyRetries = -1).Should().Equal(
            "Loyalty:Ledger:MaxConcurrencyRetries: must be between 0 and 1000 (was -1).");

    [Fact]
    public void Hold_lifetime_out_of_range_is_reported()
        => Failures(o => o.HoldLifetime = TimeSpan.Zero).Should().Equal(
            "Loyalty:Ledger:HoldLifetime: must be between 00:00:01 and 90.00:00:00 (was 00:00:00); use e.g. \"00:30:00\" for 30 minutes.");

    [Fact]
    public void Batch_size_out_of_range_is_reported()
        => Failures(o => o.ExpiryBatchSize = 0).Should().Equal(
            "Loyalty:Ledger:ExpiryBatchSize: must be between 1 and 100000 (was 0).");

    [Fact]
    public void Rolling_policy_needs_exactly_one_of_days_or_months()
        => Failures(o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Days = 10, Months = 2 }).Should().Equal(
            "Loyalty:Ledger:Expiry: a Rolling policy needs exactly one of Days (1-36500) or Months (1-1200) (was Days=10, Months=2).");

    [Fact]
    public void Rolling_policy_too_long_is_reported()
        => Failures(o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Months = 5000 }).Should().Equal(
            "Loyalty:Ledger:Expiry: Days must be at most 36500 and Months at most 1200 (was Days=0, Months=5000).");

    [Fact]
    public void Unknown_rounding_is_reported()
        => Failures(o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Months = 12, RoundUpTo = (ExpiryRounding)8 }).Should().Equal(
            "Loyalty:Ledger:Expiry:RoundUpTo: must be None, EndOfDay, EndOfMonth, EndOfQuarter or EndOfYear (was 8).");

    [Fact]
    public void Fixed_calendar_reports_every_bad_field()
        => Failures(o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.FixedCalendar, Month = 0, Day = 32, YearsAfter = -1 }).Should().Equal(
            "Loyalty:Ledger:Expiry:Month: must be between 1 and 12 for a FixedCalendar policy (was 0).",
            "Loyalty:Ledger:Expiry:Day: must be between 1 and 31 for a FixedCalendar policy (was 32).",
            "Loyalty:Ledger:Expiry:YearsAfter: must be between 0 and 100 (was -1).");

    [Fact]
    public void Inactivity_needs_months()
        => Failures(o => o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Inactivity }).Should().Equal(
            "Loyalty:Ledger:Expiry:Months: must be between 1 and 1200 for an Inactivity policy (was 0).");

    [Fact]
    public void Unknown_policy_is_reported()
        => Failures(o => o.Expiry = new LedgerExpiryOptions { Policy = (ExpiryPolicyKind)9 }).Should().Equal(
            "Loyalty:Ledger:Expiry:Policy: must be None, Rolling, FixedCalendar or Inactivity (was 9).");

    [Fact]
    public void Null_sections_are_reported()
    {
        var options = new LoyaltyOptions { Ledger = null! };
        LoyaltyOptionsValidator.GetFailures(options).Should().Equal(
            "Loyalty:Ledger: must not be null; remove the assignment to keep the defaults.");
        Failures(o => o.Expiry = null!).Should().Equal(
            "Loyalty:Ledger:Expiry: must not be null; set Policy to None for points that never expire.");
    }

    [Fact]
    public void Options_bind_into_policies()
    {
        new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Months = 12, RoundUpTo = ExpiryRounding.EndOfMonth }.ToPolicy()
            .ToString().Should().Be("Rolling 12 months, EndOfMonth");
        new LedgerExpiryOptions { Policy = ExpiryPolicyKind.FixedCalendar, Month = 12, Day = 31, YearsAfter = 1 }.ToPolicy()
            .ToString().Should().Be("FixedCalendar 12-31 +1 year(s)");
        new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Inactivity, Months = 18 }.ToPolicy().ToString().Should().Be("Inactivity 18 months");
    }
}
