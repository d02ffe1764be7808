using Loyalty.Core.Economics;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Tests.Economics;

public class ProgrammeReturnsTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 1, 1, 0, 0);

    private static Instant Day(int day) => Start + Duration.FromDays(day);

    [Fact]
    public void Members_and_non_members_are_compared_on_frequency_churn_and_revenue()
    {
        MemberId a = MemberId.From("a"), b = MemberId.From("b"), c = MemberId.From("c"), d = MemberId.From("d");
        var purchases = new[]
        {
            new CustomerPurchase(a, Day(0), 50m),     // before a enrols (day 73)
            new CustomerPurchase(a, Day(100), 100m),
            new CustomerPurchase(a, Day(200), 100m),
            new CustomerPurchase(a, Day(210), -20m),  // a refund: revenue, not an order
            new CustomerPurchase(b, Day(10), 80m),    // member from day 10, churned
            new CustomerPurchase(c, Day(5), 30m),     // never a member
            new CustomerPurchase(c, Day(300), 30m),
            new CustomerPurchase(d, Day(20), 40m),    // referred by c, never a member, churned
        };
        var enrolments = new Dictionary<MemberId, Instant> { [a] = Day(73), [b] = Day(10) };
        var end = Day(365);
        var r = ProgrammeReturns.Compute(purchases, enrolments, new Dictionary<MemberId, MemberId> { [d] = c }, Money.FromDecimal(9m, Currency.EUR), 2, 900, 150, end, Duration.FromDays(180));

        r.MemberRevenue.Should().Be(Money.FromDecimal(260m, Currency.EUR));
        r.CostRatio.Should().BeApproximately(9d / 260d, 1e-12);
        (r.Members.Customers, r.Members.Orders, r.Members.Revenue, r.Members.ChurnRate).Should().Be((2, 3, Money.FromDecimal(260m, Currency.EUR), 0.5));
        r.Members.OrdersPerCustomerYear.Should().BeApproximately(3 / ((265d + 355d) / 365.25), 1e-12);
        r.NonMembers.Customers.Should().Be(2);
        r.NonMembers.Orders.Should().Be(3);
        r.NonMembers.ChurnRate.Should().Be(0.5);
        r.NonMembers.OrdersPerCustomerYear.Should().BeApproximately(3 / ((360d + 345d) / 365.25), 1e-12);
        r.FrequencyBeforeEnrolment.Should().BeApproximately(1 / (73d / 365.25), 1e-12);
        r.FrequencyAfterEnrolment.Should().BeApproximately(2 / (292d / 365.25), 1e-12);
        r.ReferredCustomers.Should().Be(1);
        r.ReferredRevenue.Should().Be(Money.FromDecimal(40m, Currency.EUR));
        r.PointsExpired.Should().Be(150);
    }

    [Fact]
    public void A_churn_window_that_is_not_positive_is_refused()
    {
        var act = () => ProgrammeReturns.Compute([], new Dictionary<MemberId, Instant>(), null, Money.Zero(Currency.EUR), 0, 0, 0, Start, Duration.Zero);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("churnAfter must be more than 0 (was 0:00:00:00), e.g. 180 days.*");
    }
}
