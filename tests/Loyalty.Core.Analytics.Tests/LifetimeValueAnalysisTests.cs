using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using NodaTime;

namespace Loyalty.Core.Analytics.Tests;

public class LifetimeValueAnalysisTests
{
    private static LifetimeValueAnalysisOptions Options => new()
    {
        TimeZone = DateTimeZone.Utc,
        Currency = Currency.FromCode("USD"),
        CalibrationEnd = CdnowSample.CalibrationEnd,
        HoldoutEnd = CdnowSample.HoldoutEnd,
    };

    [Fact]
    public void One_call_from_purchases_to_the_ranked_report_and_the_segments()
    {
        var analysis = LifetimeValueAnalysis.Run(CdnowSample.Purchases, Options with { Value = new LifetimeValueOptions { Margin = 0.3 } });

        analysis.PurchaseModel.Should().BeOfType<BgNbdModel>();
        analysis.PurchaseModel.ToString().Should().Be("BG/NBD r=0.2426 alpha=4.4136 a=0.7929 b=2.4259");
        analysis.SpendModel.ToString().Should().Be("Gamma-Gamma p=6.2496 q=3.7442 gamma=15.4435");
        analysis.Report.Customers.Should().HaveCount(2357);
        analysis.Report.Customers[0].Rank.Should().Be(1);
        analysis.Segments.Sum(s => s.Customers).Should().Be(2357);
        analysis.Segments.Sum(s => s.TotalValue).Should().BeApproximately(analysis.Report.TotalValue, 1e-6);
        analysis.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void Pareto_NBD_can_be_chosen_and_segments_left_out()
    {
        var analysis = LifetimeValueAnalysis.Run(CdnowSample.Purchases, Options with { Model = PurchaseModelKind.ParetoNbd, SegmentByRfmp = false });

        analysis.PurchaseModel.Should().BeOfType<ParetoNbdModel>();
        analysis.Segments.Should().BeEmpty();
    }

    [Fact]
    public void A_fit_that_does_not_converge_is_an_error_not_a_silent_answer()
    {
        var act = () => LifetimeValueAnalysis.Run(CdnowSample.Purchases, Options with { Fit = new FitOptions { MaxIterations = 2 } });

        act.Should().Throw<InvalidOperationException>().WithMessage(
            "The BG/NBD fit did not converge (not converged: largest gradient component * after 2 iterations *); set FitOptions.L2Penalty (e.g. 0.01), raise FitOptions.MaxIterations, or use a longer calibration period.");
    }

    [Fact]
    public void Customers_spending_along_with_their_frequency_raise_a_warning()
    {
        // Heavy buyers spend more per purchase: the Gamma-Gamma independence assumption fails.
        var purchases = new List<Purchase>();
        var start = Instant.FromUtc(2025, 1, 1, 12, 0);
        for (var c = 1; c <= 60; c++)
        {
            var orders = 1 + (c % 12);
            for (var k = 0; k < orders; k++)
            {
                purchases.Add(new Purchase(MemberId.From(c), OrderId.From($"{c}-{k}"), start + Duration.FromDays((k * 7) + (c % 5)), Money.FromDecimal(10 * orders, Currency.EUR)));
            }
        }

        var analysis = LifetimeValueAnalysis.Run(purchases, new LifetimeValueAnalysisOptions
        {
            TimeZone = DateTimeZone.Utc,
            Currency = Currency.EUR,
            CalibrationEnd = new LocalDate(2025, 3, 23),
            Fit = new FitOptions { L2Penalty = 0.001 },
        });

        analysis.SpendModel.IndependenceHolds.Should().BeFalse();
        analysis.Warnings.Should().Equal(
            "Frequency and mean spend are correlated (1.00 over 55 repeat buyers, beyond ±0.3): the Gamma-Gamma model assumes they are independent, so expected spends are biased.");
    }

    [Fact]
    public void Only_one_time_buyers_is_a_clear_error()
    {
        var purchases = Enumerable.Range(1, 20).Select(i => new Purchase(MemberId.From(i), OrderId.From(i), Instant.FromUtc(2025, 1, i, 10, 0), Money.FromDecimal(12, Currency.EUR)));

        var act = () => LifetimeValueAnalysis.Run(purchases, new LifetimeValueAnalysisOptions { TimeZone = DateTimeZone.Utc, Currency = Currency.EUR, CalibrationEnd = new LocalDate(2025, 3, 31) });

        act.Should().Throw<ArgumentException>().WithMessage("BG/NBD cannot be fitted: none of the 20 customers bought again in the calibration period, *");
    }

    [Fact]
    public void Null_sub_options_are_refused()
    {
        FluentActions.Invoking(() => LifetimeValueAnalysis.Run(CdnowSample.Purchases, Options with { Fit = null! }))
            .Should().Throw<ArgumentException>().WithMessage("LifetimeValueAnalysisOptions.Fit and .Value must not be null; leave them out to use the defaults. (Parameter 'options')");
    }
}
