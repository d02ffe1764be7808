using Loyalty.Core.Primitives;

namespace Loyalty.Core.Analytics.Tests;

public class GammaGammaModelTests
{
    [Fact]
    public void Fit_on_the_946_CDNOW_repeat_buyers_reproduces_Fader_and_Hardie_2013()
    {
        var model = GammaGammaModel.Fit(CdnowSample.CustomerBase);

        model.Report!.Converged.Should().BeTrue(model.Report.Message);
        model.RepeatBuyers.Should().Be(946);
        model.P.Should().BeApproximately(6.25, 0.005);
        model.Q.Should().BeApproximately(3.74, 0.005);
        model.Gamma.Should().BeApproximately(15.44, 0.005);
        model.Report.LogLikelihood.Should().BeApproximately(-4055.92, 0.005);
    }

    [Fact]
    public void Reports_the_frequency_spend_correlation_of_the_repeat_buyers()
    {
        var model = GammaGammaModel.Fit(CdnowSample.CustomerBase);

        // Fader and Hardie (2013) report a correlation of 0.11 between x and the mean spend on CDNOW.
        model.FrequencySpendCorrelation.Should().BeApproximately(0.11, 0.005);
        model.IndependenceHolds.Should().BeTrue();
    }

    [Fact]
    public void Expected_spend_shrinks_the_customer_mean_towards_the_population_mean()
    {
        var model = new GammaGammaModel(6.25, 3.74, 15.44);
        var population = 6.25 * 15.44 / (3.74 - 1);

        model.PopulationMeanSpend.Should().BeApproximately(population, 1e-12);
        model.ExpectedAverageSpend(0, 0).Should().BeApproximately(population, 1e-12);
        var weight = 6.25 * 2 / ((6.25 * 2) + 3.74 - 1);
        model.ExpectedAverageSpend(2, 100).Should().BeApproximately(((1 - weight) * population) + (weight * 100), 1e-12);
        model.ExpectedAverageSpend(2, 0).Should().BeApproximately((1 - weight) * population, 1e-12);
    }

    [Fact]
    public void Repeat_buyers_who_spent_nothing_are_left_out_of_the_fit_and_counted()
    {
        var customers = CdnowSample.CustomerBase.Customers
            .Append(CustomerSummary.Create(MemberId.From("free-samples"), 3, 20, 30, 0))
            .ToArray();

        var model = GammaGammaModel.Fit(CustomerBase.FromSummaries(customers));

        model.ZeroSpendExcluded.Should().Be(1 + CdnowSample.CustomerBase.Customers.Count(c => c.Frequency > 0 && c.MeanRepeatSpend == 0));
        model.RepeatBuyers.Should().Be(946);
    }

    [Fact]
    public void Without_two_paying_repeat_buyers_it_cannot_be_fitted()
    {
        var customers = CustomerBase.FromSummaries([
            CustomerSummary.Create(MemberId.From(1), 0, 0, 10),
            CustomerSummary.Create(MemberId.From(2), 2, 5, 10, 0),
            CustomerSummary.Create(MemberId.From(3), 1, 5, 10, 12.5),
        ]);

        FluentActions.Invoking(() => GammaGammaModel.Fit(customers)).Should().Throw<ArgumentException>().WithMessage(
            "Gamma-Gamma cannot be fitted: it needs at least 2 repeat buyers with a positive mean repeat spend, and the customer base has 1 (1 more repeat buyers spent 0). (Parameter 'customers')");
    }

    [Fact]
    public void A_q_of_1_or_less_has_no_finite_expected_spend()
    {
        var model = new GammaGammaModel(6, 0.9, 15);

        FluentActions.Invoking(() => model.ExpectedAverageSpend(2, 30)).Should().Throw<InvalidOperationException>().WithMessage(
            "The Gamma-Gamma model has q = 0.9 <= 1, so the expected spend is infinite; refit with more repeat buyers or an L2 penalty (FitOptions.L2Penalty).");
    }

    [Fact]
    public void Bad_inputs_are_refused_with_their_name()
    {
        var model = new GammaGammaModel(6.25, 3.74, 15.44);

        FluentActions.Invoking(() => model.ExpectedAverageSpend(-1, 3)).Should().Throw<ArgumentException>().WithMessage("frequency must be 0 or more (was -1). (Parameter 'frequency')");
        FluentActions.Invoking(() => model.ExpectedAverageSpend(1, double.NaN)).Should().Throw<ArgumentException>().WithMessage("meanRepeatSpend must be a finite number, 0 or more (was NaN). (Parameter 'meanRepeatSpend')");
        FluentActions.Invoking(() => model.LogLikelihood(0, 3)).Should().Throw<ArgumentException>().WithMessage("frequency must be 1 or more: the Gamma-Gamma likelihood covers repeat buyers only (was 0). (Parameter 'frequency')");
        FluentActions.Invoking(() => new GammaGammaModel(0, 1, 1)).Should().Throw<ArgumentOutOfRangeException>().WithMessage("p must be a finite number greater than 0 (was 0). (Parameter 'p')*");
    }

    [Fact]
    public void Fit_on_spends_drawn_from_known_parameters_recovers_them()
    {
        var customers = CustomerBase.FromSummaries(SyntheticCustomers.BgNbd(20_000, 0.8, 4, 0.5, 3, 273, seed: 5, spend: (6, 4, 15)));

        var model = GammaGammaModel.Fit(customers);

        model.Report!.Converged.Should().BeTrue();
        model.P.Should().BeApproximately(6, 6 * 0.15);
        model.Q.Should().BeApproximately(4, 4 * 0.15);
        model.Gamma.Should().BeApproximately(15, 15 * 0.2);
        model.IndependenceHolds.Should().BeTrue();
    }

    [Fact]
    public void Describes_itself_with_its_parameters()
    {
        new GammaGammaModel(6.25, 3.74, 15.44).ToString().Should().Be("Gamma-Gamma p=6.25 q=3.74 gamma=15.44");
    }
}
