using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;
using static Loyalty.Core.Tests.Segmentation.SegmentationData;

namespace Loyalty.Core.Tests.Segmentation;

public class RfmpBadInputTests
{
    private readonly RfmpSegmenter segmenter = new(Options());

    [Fact]
    public void A_negative_net_amount_is_refused_with_its_position()
    {
        var purchases = new[] { Purchase(1, "A", AsOf, 10m), Purchase(2, "B", AsOf, -5m) };

        var act = () => segmenter.Segment(purchases);

        act.Should().Throw<ArgumentException>().WithParameterName("purchases").WithMessage(
            "Purchase #2 (customer 2, order B) has a negative net amount (-5.00 EUR); net refunds against the orders they reverse before segmenting. (Parameter 'purchases')");
    }

    [Fact]
    public void A_purchase_in_another_currency_is_refused()
    {
        var usd = new Purchase(MemberId.From(1), OrderId.From("A"), AsOf, Money.FromDecimal(5m, "USD"));

        var act = () => segmenter.Segment([usd]);

        act.Should().Throw<ArgumentException>().WithMessage(
            "Purchase #1 (customer 1, order A) is in USD but the programme's currency is EUR; convert it before segmenting (no conversion is ever made). (Parameter 'purchases')");
    }

    [Fact]
    public void A_purchase_without_currency_is_refused()
    {
        var act = () => segmenter.Segment([new Purchase(MemberId.From(1), OrderId.From("A"), AsOf, default)]);

        act.Should().Throw<ArgumentException>().WithMessage(
            "Purchase #1 (customer 1, order A) is in no currency but the programme's currency is EUR; convert it before segmenting (no conversion is ever made). (Parameter 'purchases')");
    }

    [Fact]
    public void A_purchase_without_customer_or_order_is_refused()
    {
        var noCustomer = () => segmenter.Segment([default(Purchase)]);
        var noOrder = () => segmenter.Segment([new Purchase(MemberId.From(4), default, AsOf, Money.FromDecimal(1m, "EUR"))]);

        noCustomer.Should().Throw<ArgumentException>().WithMessage(
            "Purchase #1 has no customer (default(MemberId)); set Customer with MemberId.From(...). (Parameter 'purchases')");
        noOrder.Should().Throw<ArgumentException>().WithMessage(
            "Purchase #1 (customer 4) has no order (default(OrderId)); set Order with OrderId.From(...). (Parameter 'purchases')");
    }

    [Fact]
    public void A_blank_category_is_refused()
    {
        var act = () => segmenter.Segment([Purchase(1, "A", AsOf, 1m, "books", " ")]);

        act.Should().Throw<ArgumentException>().WithMessage(
            "Purchase #1 (customer 1, order A) lists a null or blank product category; leave unknown categories out of the list. (Parameter 'purchases')");
    }

    [Fact]
    public void Null_inputs_are_refused()
    {
        FluentActions.Invoking(() => segmenter.Segment((IEnumerable<Purchase>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("purchases");
        FluentActions.Invoking(() => segmenter.Segment((IReadOnlyList<CustomerActivity>)null!)).Should().Throw<ArgumentNullException>().WithParameterName("customers");
        FluentActions.Invoking(() => new RfmpSegmenter(null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void Pre_aggregated_customers_are_checked()
    {
        var later = CustomerActivity.From(MemberId.From(9), AsOf + Duration.FromDays(1), 1, Money.FromDecimal(1m, "EUR"), 0);
        var dollars = CustomerActivity.From(MemberId.From(8), AsOf, 1, Money.FromDecimal(1m, "USD"), 0);
        var old = Customer(7, 400, 1, 1m, 0);
        var windowed = new RfmpSegmenter(Options() with { Window = Period.FromYears(1) });

        FluentActions.Invoking(() => segmenter.Segment([Customer(1, 1, 1, 1m, 0), later])).Should().Throw<ArgumentException>().WithMessage(
            "Customer #2 (9) has a last purchase at 2024-07-01T12:00:00Z, after the as-of instant 2024-06-30T12:00:00Z; aggregate only purchases up to the as-of instant. (Parameter 'customers')");
        FluentActions.Invoking(() => segmenter.Segment([dollars])).Should().Throw<ArgumentException>().WithMessage(
            "Customer #1 (8) spent in USD but the programme's currency is EUR; convert it before segmenting (no conversion is ever made). (Parameter 'customers')");
        FluentActions.Invoking(() => segmenter.Segment([default(CustomerActivity)])).Should().Throw<ArgumentException>().WithMessage(
            "Customer #1 is default(CustomerActivity); create activities with CustomerActivity.From(...). (Parameter 'customers')");
        FluentActions.Invoking(() => windowed.Segment([old])).Should().Throw<ArgumentException>().WithMessage(
            "Customer #1 (7) has a last purchase at 2023-05-27T12:00:00Z, before the window start 2023-06-30T12:00:00Z; leave customers without a purchase in the window out of the input. (Parameter 'customers')");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(11)]
    public void Score_count_outside_2_to_10_is_refused(int k)
    {
        var act = () => new RfmpSegmenter(Options() with { ScoreCount = k });

        act.Should().Throw<ArgumentException>().WithParameterName("options").WithMessage(
            $"RfmpOptions.ScoreCount must be between 2 and 10 inclusive (was {k}). (Parameter 'options')");
    }

    [Fact]
    public void The_default_map_needs_five_scores()
    {
        var act = () => new RfmpSegmenter(Options() with { ScoreCount = 4 });

        act.Should().Throw<ArgumentException>().WithMessage(
            "RfmpOptions.SegmentMap names a 5×5 grid but ScoreCount is 4; create a map with SegmentMap.Create(4, ...) or set ScoreCount to 5. (Parameter 'options')");
    }

    [Fact]
    public void Fixed_bounds_must_give_as_many_scores_as_ScoreCount()
    {
        var act = () => new RfmpSegmenter(Options() with { Monetary = ScoreScale.FromUpperBounds(50, 100) });

        act.Should().Throw<ArgumentException>().WithMessage(
            "RfmpOptions.Monetary has 2 upper bounds, which give 3 scores, but ScoreCount is 5; give 4 upper bounds or set ScoreCount to 3. (Parameter 'options')");
    }

    [Fact]
    public void Missing_zone_currency_or_scale_and_bad_windows_are_refused()
    {
        FluentActions.Invoking(() => new RfmpSegmenter(Options() with { TimeZone = null! })).Should().Throw<ArgumentException>().WithMessage(
            "RfmpOptions.TimeZone must be set to the programme's time zone, e.g. DateTimeZoneProviders.Tzdb[\"Europe/Paris\"]. (Parameter 'options')");
        FluentActions.Invoking(() => new RfmpSegmenter(Options() with { Currency = default })).Should().Throw<ArgumentException>().WithMessage(
            "RfmpOptions.Currency must be set to the programme's currency, e.g. Currency.EUR. (Parameter 'options')");
        FluentActions.Invoking(() => new RfmpSegmenter(Options() with { Product = null! })).Should().Throw<ArgumentException>().WithMessage(
            "RfmpOptions.Product must not be null; use ScoreScale.Quantiles or ScoreScale.FromUpperBounds(...). (Parameter 'options')");
        FluentActions.Invoking(() => new RfmpSegmenter(Options() with { SegmentMap = null! })).Should().Throw<ArgumentException>().WithMessage(
            "RfmpOptions.SegmentMap must not be null; use SegmentMap.Default or SegmentMap.Create(...). (Parameter 'options')");
        FluentActions.Invoking(() => new RfmpSegmenter(Options() with { Window = Period.FromMonths(-1) })).Should().Throw<ArgumentException>().WithMessage(
            "RfmpOptions.Window must be a positive period such as Period.FromMonths(12) (was P-1M); leave it null to take every purchase. (Parameter 'options')");
        FluentActions.Invoking(() => new RfmpSegmenter(Options() with { Window = Period.Zero })).Should().Throw<ArgumentException>().WithMessage(
            "RfmpOptions.Window must be a positive period such as Period.FromMonths(12) (was P0D); leave it null to take every purchase. (Parameter 'options')");
    }

    [Fact]
    public void Every_entry_point_names_a_null_argument()
    {
        FluentActions.Invoking(() => segmenter.Retention(null!)).Should().Throw<ArgumentNullException>().WithParameterName("purchases");
        FluentActions.Invoking(() => segmenter.Retention(null!, 3)).Should().Throw<ArgumentNullException>().WithParameterName("purchases");
        FluentActions.Invoking(() => segmenter.PurchaseCycles(null!)).Should().Throw<ArgumentNullException>().WithParameterName("purchases");
        FluentActions.Invoking(() => segmenter.Aggregate(null!, out _)).Should().Throw<ArgumentNullException>().WithParameterName("purchases");
        var result = segmenter.Segment([Customer(1, 1, 1, 1m, 0)]);
        FluentActions.Invoking(() => result.MovementsSince(null!)).Should().Throw<ArgumentNullException>().WithParameterName("earlier");
    }
}
