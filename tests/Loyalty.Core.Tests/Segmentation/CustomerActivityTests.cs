using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;

namespace Loyalty.Core.Tests.Segmentation;

public class CustomerActivityTests
{
    private static readonly Instant At = Instant.FromUtc(2024, 1, 1, 0, 0);
    private static readonly Money Ten = Money.FromDecimal(10m, "EUR");

    [Fact]
    public void Keeps_its_values_and_compares_by_value()
    {
        var a = CustomerActivity.From(MemberId.From(1), At, 2, Ten, 3);

        a.Customer.Should().Be(MemberId.From(1));
        a.Orders.Should().Be(2);
        a.NetAmount.Should().Be(Ten);
        a.Categories.Should().Be(3);
        a.Should().Be(CustomerActivity.From(MemberId.From(1), At, 2, Ten, 3));
        (a == CustomerActivity.From(MemberId.From(1), At, 2, Ten, 3)).Should().BeTrue();
        (a != CustomerActivity.From(MemberId.From(1), At, 3, Ten, 3)).Should().BeTrue();
        a.ToString().Should().Be("1: 2 orders, 10.00 EUR, 3 categories, last 2024-01-01T00:00:00Z");
    }

    [Fact]
    public void Bad_values_are_refused_with_what_to_fix()
    {
        FluentActions.Invoking(() => CustomerActivity.From(default, At, 1, Ten, 0)).Should().Throw<ArgumentException>().WithMessage(
            "customer must not be default(MemberId); create one with MemberId.From(...). (Parameter 'customer')");
        FluentActions.Invoking(() => CustomerActivity.From(MemberId.From(1), At, 0, Ten, 0)).Should().Throw<ArgumentOutOfRangeException>().WithMessage(
            "orders must be 1 or more for customer 1 (was 0); leave customers without orders out of the input. (Parameter 'orders')\nActual value was 0.");
        FluentActions.Invoking(() => CustomerActivity.From(MemberId.From(1), At, 1, default, 0)).Should().Throw<ArgumentException>().WithMessage(
            "netAmount of customer 1 has no currency; create it with Money.FromDecimal(amount, currency). (Parameter 'netAmount')");
        FluentActions.Invoking(() => CustomerActivity.From(MemberId.From(1), At, 1, -Ten, 0)).Should().Throw<ArgumentException>().WithMessage(
            "netAmount of customer 1 must be 0 or more (was -10.00 EUR); net refunds against the orders they reverse before segmenting. (Parameter 'netAmount')");
        FluentActions.Invoking(() => CustomerActivity.From(MemberId.From(1), At, 1, Ten, -1)).Should().Throw<ArgumentOutOfRangeException>().WithMessage(
            "categories must be 0 or more for customer 1 (was -1). (Parameter 'categories')\nActual value was -1.");
    }

    [Fact]
    public void One_order_no_money_and_no_category_are_accepted()
    {
        var a = CustomerActivity.From(MemberId.From(1), At, 1, Money.FromDecimal(0m, "EUR"), 0);

        a.Orders.Should().Be(1);
        a.NetAmount.Should().Be(Money.FromDecimal(0m, "EUR"));
        a.Categories.Should().Be(0);
        a.LastPurchaseAt.Should().Be(At);
    }

    [Fact]
    public void Activities_differing_in_one_field_are_different()
    {
        var a = CustomerActivity.From(MemberId.From(1), At, 2, Ten, 3);

        a.Should().NotBe(CustomerActivity.From(MemberId.From(2), At, 2, Ten, 3));
        a.Should().NotBe(CustomerActivity.From(MemberId.From(1), At + Duration.FromSeconds(1), 2, Ten, 3));
        a.Should().NotBe(CustomerActivity.From(MemberId.From(1), At, 2, Money.FromDecimal(11m, "EUR"), 3));
        a.Should().NotBe(CustomerActivity.From(MemberId.From(1), At, 2, Ten, 4));
        a.Equals((object)CustomerActivity.From(MemberId.From(1), At, 2, Ten, 3)).Should().BeTrue();
        a.Equals("1").Should().BeFalse();
        a.GetHashCode().Should().Be(CustomerActivity.From(MemberId.From(1), At, 2, Ten, 3).GetHashCode());
    }
}
