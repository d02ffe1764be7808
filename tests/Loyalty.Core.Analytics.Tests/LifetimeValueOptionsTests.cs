namespace Loyalty.Core.Analytics.Tests;

public class LifetimeValueOptionsTests
{
    [Theory]
    [InlineData(0, 0.1, 1, "LifetimeValueOptions.Months must be between 1 and 1200 (was 0). (Parameter 'options')")]
    [InlineData(12, -0.1, 1, "LifetimeValueOptions.AnnualDiscountRate must be 0 or a positive number such as 0.10 for 10 % a year (was -0.1). (Parameter 'options')")]
    [InlineData(12, 0.1, 1.5, "LifetimeValueOptions.Margin must be greater than 0 and at most 1, e.g. 0.3 for a 30 % gross margin (was 1.5). (Parameter 'options')")]
    [InlineData(12, 0.1, 0, "LifetimeValueOptions.Margin must be greater than 0 and at most 1, e.g. 0.3 for a 30 % gross margin (was 0). (Parameter 'options')")]
    public void Bad_options_name_the_property_to_fix(int months, double rate, double margin, string message)
    {
        var options = new LifetimeValueOptions { Months = months, AnnualDiscountRate = rate, Margin = margin };

        FluentActions.Invoking(() => LifetimeValueReport.Compute(CdnowSample.CustomerBase, new BgNbdModel(1, 1, 1, 1), new GammaGammaModel(1, 2, 1), options))
            .Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void Defaults_are_a_year_at_10_percent_on_revenue()
    {
        var options = LifetimeValueOptions.Default;

        options.Months.Should().Be(12);
        options.AnnualDiscountRate.Should().Be(0.10);
        options.Margin.Should().Be(1);
    }
}
