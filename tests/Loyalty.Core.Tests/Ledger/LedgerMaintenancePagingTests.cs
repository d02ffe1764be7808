using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Tests.Ledger;

/// <summary>An expiry run reads due accounts page by page (ExpiryBatchSize) until a page comes back short.</summary>
public class LedgerMaintenancePagingTests
{
    [Fact]
    public async Task An_expiry_run_reads_every_page_of_due_accounts()
    {
        var h = new LedgerHarness(o =>
        {
            o.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Days = 30 };
            o.ExpiryBatchSize = 2;
        });
        for (var i = 0; i < 5; i++)
        {
            await h.EarnAsync(10 + i, $"e{i}", member: MemberId.From($"m{i}"));
        }

        h.Advance(Duration.FromDays(30));
        (await h.Ledger.ExpireDueAsync(h.Clock.GetCurrentInstant())).Should().Be(new ExpiryRunResult(5, 5, Points.FromInt64(60), 0));
        (await h.BalanceAsync(MemberId.From("m4"))).Expired.Should().Be(Points.FromInt64(14));
        (await h.Ledger.ExpireDueAsync(h.Clock.GetCurrentInstant())).Should().Be(new ExpiryRunResult(0, 0, Points.FromInt64(0), 0));
    }

    [Fact]
    public void A_null_zone_is_refused_even_by_a_policy_without_an_inactivity_deadline()
        => FluentActions.Invoking(() => ExpiryPolicy.RollingDays(30).InactivityDeadline(Instant.FromUtc(2026, 1, 31, 0, 0), null!))
            .Should().Throw<ArgumentNullException>().WithParameterName("zone");
}
