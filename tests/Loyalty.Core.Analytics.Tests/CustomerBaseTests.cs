using FsCheck;
using FsCheck.Xunit;
using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;

namespace Loyalty.Core.Analytics.Tests;

public class CustomerBaseTests
{
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];

    private static CustomerBaseOptions Options(TimeUnit unit = TimeUnit.Days, LocalDate? holdoutEnd = null) => new()
    {
        TimeZone = Paris,
        Currency = Currency.EUR,
        CalibrationEnd = new LocalDate(2025, 3, 31),
        HoldoutEnd = holdoutEnd,
        Unit = unit,
    };

    private static Purchase Buy(string customer, string order, int month, int day, decimal amount, int hour = 12) =>
        new(MemberId.From(customer), OrderId.From(order), new LocalDateTime(2025, month, day, hour, 0).InZoneLeniently(Paris).ToInstant(), Money.FromDecimal(amount, Currency.EUR));

    [Fact]
    public void The_CDNOW_sample_gives_the_published_summary()
    {
        var customers = CdnowSample.CustomerBase;

        customers.Customers.Should().HaveCount(2357);
        customers.RepeatBuyers.Should().Be(946, "1,411 of the 2,357 customers made no repeat purchase in the 39 weeks (Fader, Hardie and Lee 2005)");
        customers.Groups.Sum(g => g.Count).Should().Be(2357);
        customers.HoldoutLength.Should().BeApproximately(39, 1e-12);
        customers.Warnings.Should().BeEmpty();
        var first = customers.Customers.Single(c => c.Customer == MemberId.From("00004"));
        first.Frequency.Should().Be(2);
        first.Recency.Should().BeApproximately(30.43, 0.005);
        first.Age.Should().BeApproximately(38.86, 0.005);
        first.MeanRepeatSpend.Should().BeApproximately((29.73 + 14.96) / 2, 1e-9);
        first.HoldoutFrequency.Should().Be(1);
    }

    [Fact]
    public void Orders_of_one_day_count_once_and_their_amounts_add_up()
    {
        var customers = CustomerBase.FromPurchases(
            [
                Buy("ann", "1", 1, 1, 10),
                Buy("ann", "2", 1, 1, 5, hour: 20),
                Buy("ann", "3", 1, 11, 20),
                Buy("ann", "4", 1, 11, 10, hour: 18),
                Buy("ann", "5", 1, 21, 30),
            ],
            Options());

        var ann = customers.Customers.Single();
        ann.Frequency.Should().Be(2);
        ann.Recency.Should().Be(20);
        ann.Age.Should().Be(89);
        ann.MeanRepeatSpend.Should().Be(30, "days 11 (20 + 10) and 21 (30); the first day is left out");
    }

    [Fact]
    public void Lines_of_one_order_count_on_the_orders_earliest_day()
    {
        var customers = CustomerBase.FromPurchases(
            [
                Buy("bob", "A", 1, 1, 10),
                Buy("bob", "B", 1, 8, 10),
                Buy("bob", "B", 1, 9, 5),
            ],
            Options());

        var bob = customers.Customers.Single();
        bob.Frequency.Should().Be(1);
        bob.Recency.Should().Be(7);
        bob.MeanRepeatSpend.Should().Be(15);
    }

    [Fact]
    public void Days_are_local_days_of_the_programmes_zone()
    {
        // 23:30 in Paris on 1 January is 22:30 UTC: still 1 January.
        var customers = CustomerBase.FromPurchases([Buy("cy", "1", 1, 1, 10, hour: 1), Buy("cy", "2", 1, 1, 10, hour: 23)], Options());

        customers.Customers.Single().Frequency.Should().Be(0);
    }

    [Fact]
    public void Weeks_are_days_over_seven()
    {
        var customers = CustomerBase.FromPurchases([Buy("d", "1", 1, 1, 10), Buy("d", "2", 1, 11, 10)], Options(TimeUnit.Weeks));

        customers.Customers.Single().Recency.Should().Be(10 / 7.0);
        customers.Customers.Single().Age.Should().Be(89 / 7.0);
    }

    [Fact]
    public void Hold_out_purchases_are_counted_apart_and_later_ones_are_left_out()
    {
        var customers = CustomerBase.FromPurchases(
            [
                Buy("e", "1", 3, 1, 10),
                Buy("e", "2", 4, 2, 10),
                Buy("e", "3", 4, 2, 10, hour: 15),
                Buy("e", "4", 5, 5, 10),
                Buy("e", "5", 7, 1, 10),
                Buy("late", "6", 4, 5, 10),
            ],
            Options(holdoutEnd: new LocalDate(2025, 6, 30)));

        var e = customers.Customers.Single();
        e.Frequency.Should().Be(0);
        e.HoldoutFrequency.Should().Be(2);
        customers.HoldoutLength.Should().Be(91);
        customers.PurchasesAfterPeriod.Should().Be(1);
        customers.CustomersFirstBuyingAfterCalibration.Should().Be(1);
        customers.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void A_hold_out_period_beyond_the_data_is_reported_as_a_warning()
    {
        var customers = CustomerBase.FromPurchases([Buy("f", "1", 1, 1, 10), Buy("f", "2", 4, 10, 10)], Options(holdoutEnd: new LocalDate(2025, 12, 31)));

        customers.Warnings.Should().Equal(
            "The hold-out period ends on 2025-12-31, after the latest purchase (2025-04-10): hold-out frequencies count no purchase after 2025-04-10, so comparisons with predictions for the full hold-out length are biased low.");
        customers.Customers.Single().HoldoutFrequency.Should().Be(1);
    }

    [Fact]
    public void A_calibration_period_beyond_the_data_is_reported_as_a_warning()
    {
        var customers = CustomerBase.FromPurchases([Buy("g", "1", 1, 1, 10)], Options());

        customers.Warnings.Should().Equal(
            "The calibration period ends on 2025-03-31, after the latest purchase (2025-01-01): every customer looks inactive since then; end the calibration period at the end of the data.");
    }

    [Fact]
    public void Zero_amount_orders_count_as_purchases_with_no_spend()
    {
        var customers = CustomerBase.FromPurchases([Buy("h", "1", 1, 1, 10), Buy("h", "2", 1, 5, 0)], Options());

        customers.Customers.Single().Frequency.Should().Be(1);
        customers.Customers.Single().MeanRepeatSpend.Should().Be(0);
    }

    [Fact]
    public void Bad_purchases_are_refused_with_their_position()
    {
        FluentActions.Invoking(() => CustomerBase.FromPurchases([Buy("a", "1", 1, 1, 10), default], Options()))
            .Should().Throw<ArgumentException>().WithMessage("purchases[1] has no customer (default MemberId); set Purchase.Customer with MemberId.From(...). (Parameter 'purchases')");
        FluentActions.Invoking(() => CustomerBase.FromPurchases([Buy("a", "1", 1, 1, 10) with { Order = default }], Options()))
            .Should().Throw<ArgumentException>().WithMessage("purchases[0] of customer a has no order (default OrderId); set Purchase.Order with OrderId.From(...). (Parameter 'purchases')");
        FluentActions.Invoking(() => CustomerBase.FromPurchases([Buy("a", "1", 1, 1, 10) with { NetAmount = Money.FromDecimal(10, Currency.FromCode("USD")) }], Options()))
            .Should().Throw<ArgumentException>().WithMessage("purchases[0] (order 1) is in USD, not in the programme's currency EUR; no conversion is made, so convert the amounts first. (Parameter 'purchases')");
        FluentActions.Invoking(() => CustomerBase.FromPurchases([Buy("a", "1", 1, 1, -10)], Options()))
            .Should().Throw<ArgumentException>().WithMessage("purchases[0] (order 1) has a negative net amount (-10.00 EUR); net refunds against the orders they reverse first. (Parameter 'purchases')");
    }

    [Fact]
    public void Bad_options_are_refused_with_the_property_to_fix()
    {
        FluentActions.Invoking(() => CustomerBase.FromPurchases([], Options(holdoutEnd: new LocalDate(2025, 3, 31))))
            .Should().Throw<ArgumentException>().WithMessage("CustomerBaseOptions.HoldoutEnd (2025-03-31) must be after CalibrationEnd (2025-03-31); leave it null for no hold-out period. (Parameter 'options')");
        FluentActions.Invoking(() => CustomerBase.FromPurchases([], Options() with { TimeZone = null! }))
            .Should().Throw<ArgumentException>().WithMessage("CustomerBaseOptions.TimeZone must be set to the programme's time zone, e.g. DateTimeZoneProviders.Tzdb[\"Europe/Paris\"]. (Parameter 'options')");
        FluentActions.Invoking(() => CustomerBase.FromPurchases([], Options() with { Currency = default }))
            .Should().Throw<ArgumentException>().WithMessage("CustomerBaseOptions.Currency must be set to the programme's currency, e.g. Currency.EUR. (Parameter 'options')");
        FluentActions.Invoking(() => CustomerBase.FromPurchases([], Options() with { Unit = (TimeUnit)9 }))
            .Should().Throw<ArgumentException>().WithMessage("CustomerBaseOptions.Unit must be TimeUnit.Days or TimeUnit.Weeks (was 9). (Parameter 'options')");
    }

    [Fact]
    public void Summaries_must_be_one_per_customer()
    {
        var s = CustomerSummary.Create(MemberId.From(1), 0, 0, 3);

        FluentActions.Invoking(() => CustomerBase.FromSummaries([s, s])).Should().Throw<ArgumentException>()
            .WithMessage("summaries contain customer 1 twice; give one summary per customer. (Parameter 'summaries')");
        FluentActions.Invoking(() => CustomerBase.FromSummaries([s, default])).Should().Throw<ArgumentException>()
            .WithMessage("summaries[1] is default(CustomerSummary); create summaries with CustomerSummary.Create(...). (Parameter 'summaries')");
        FluentActions.Invoking(() => CustomerBase.FromSummaries([s], TimeUnit.Weeks, -1)).Should().Throw<ArgumentException>()
            .WithMessage("holdoutLength must be a finite number, 0 or more (was -1). (Parameter 'holdoutLength')");
    }

    [Property(MaxTest = 200)]
    public bool Summaries_do_not_depend_on_the_order_of_the_purchases_and_group_counts_add_up(int[] seeds, int shuffleSeed)
    {
        var lines = seeds.Select(s =>
        {
            var v = (uint)s;
            return Buy("c" + (v % 5), "o" + (v / 5 % 9), 1 + (int)(v / 45 % 5), 1 + (int)(v / 225 % 28), v / 6300 % 100, hour: (int)(v % 23));
        }).ToArray();
        var shuffled = lines.ToArray();
        new Random(shuffleSeed).Shuffle(shuffled);

        var a = CustomerBase.FromPurchases(lines, Options(holdoutEnd: new LocalDate(2025, 5, 31)));
        var b = CustomerBase.FromPurchases(shuffled, Options(holdoutEnd: new LocalDate(2025, 5, 31)));
        var byCustomer = b.Customers.ToDictionary(c => c.Customer);
        return a.Customers.Count == b.Customers.Count
            && a.Customers.All(c => byCustomer[c.Customer].Frequency == c.Frequency && byCustomer[c.Customer].Recency == c.Recency
                && byCustomer[c.Customer].Age == c.Age && Math.Abs(byCustomer[c.Customer].MeanRepeatSpend - c.MeanRepeatSpend) < 1e-9
                && byCustomer[c.Customer].HoldoutFrequency == c.HoldoutFrequency)
            && a.Groups.Sum(g => g.Count) == a.Customers.Count
            && a.Customers.All(c => c.Recency <= c.Age && double.IsFinite(c.MeanRepeatSpend));
    }
}
