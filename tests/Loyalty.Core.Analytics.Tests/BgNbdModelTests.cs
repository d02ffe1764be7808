using FsCheck;
using FsCheck.Xunit;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Analytics.Tests;

public class BgNbdModelTests
{
    private static readonly BgNbdModel Cdnow = new(0.2426, 4.4136, 0.7929, 2.4259);

    [Fact]
    public void Fit_on_the_CDNOW_sample_reproduces_Fader_Hardie_and_Lee_2005()
    {
        var model = BgNbdModel.Fit(CdnowSample.CustomerBase);

        model.Report!.Converged.Should().BeTrue(model.Report.Message);
        model.R.Should().BeApproximately(0.2426, 0.0005);
        model.Alpha.Should().BeApproximately(4.4136, 0.0005);
        model.A.Should().BeApproximately(0.7929, 0.0005);
        model.B.Should().BeApproximately(2.4259, 0.0005);
        model.Report.LogLikelihood.Should().BeApproximately(-9582.43, 0.005);
        model.Report.Customers.Should().Be(2357);
        model.Report.DistinctRows.Should().Be(CdnowSample.CustomerBase.Groups.Count).And.BeLessThan(2357);
    }

    [Fact]
    public void A_customer_with_2_repeat_purchases_last_at_week_30_43_observed_38_86_weeks_is_expected_to_buy_1_226_times_in_39_weeks()
    {
        var model = BgNbdModel.Fit(CdnowSample.CustomerBase);

        model.ExpectedPurchases(2, 30.43, 38.86, 39).Should().BeApproximately(1.226, 0.0005);
        Cdnow.ExpectedPurchases(2, 30.43, 38.86, 39).Should().BeApproximately(1.226, 0.0005);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(39)]
    [InlineData(78)]
    public void Expected_purchases_of_a_new_customer_equal_the_published_closed_form(double t)
    {
        // Fader, Hardie and Lee (2005), equation (9): E[X(t)] = (a+b-1)/(a-1) [1 - (α/(α+t))^r 2F1(r, b; a+b-1; t/(α+t))],
        // summed here directly, without the transformation the model uses.
        var (r, alpha, a, b) = (Cdnow.R, Cdnow.Alpha, Cdnow.A, Cdnow.B);
        var direct = (a + b - 1) / (a - 1) * (1 - (Math.Pow(alpha / (alpha + t), r) * Internal.HypergeometricTests.DirectSeries(r, b, a + b - 1, t / (alpha + t))));

        Cdnow.ExpectedPurchasesNewCustomer(t).Should().BeApproximately(direct, 1e-9);
    }

    [Fact]
    public void A_new_customer_first_buys_at_the_mean_rate_r_over_alpha()
    {
        (Cdnow.ExpectedPurchasesNewCustomer(1e-4) / 1e-4).Should().BeApproximately(Cdnow.R / Cdnow.Alpha, 1e-5);
        Cdnow.ExpectedPurchasesNewCustomer(0).Should().Be(0);
    }

    [Fact]
    public void The_conditional_expectation_equals_the_published_closed_form()
    {
        // Fader, Hardie and Lee (2005), equation (10), summed directly.
        var (r, alpha, a, b) = (Cdnow.R, Cdnow.Alpha, Cdnow.A, Cdnow.B);
        int x = 2;
        double tx = 30.43, T = 38.86, t = 39;
        var hyper = Internal.HypergeometricTests.DirectSeries(r + x, b + x, a + b + x - 1, t / (alpha + T + t));
        var numerator = (a + b + x - 1) / (a - 1) * (1 - (Math.Pow((alpha + T) / (alpha + T + t), r + x) * hyper));
        var denominator = 1 + (a / (b + x - 1) * Math.Pow((alpha + T) / (alpha + tx), r + x));

        Cdnow.ExpectedPurchases(x, tx, T, t).Should().BeApproximately(numerator / denominator, 1e-9);
        Cdnow.ProbabilityAlive(x, tx, T).Should().BeApproximately(1 / denominator, 1e-12);
    }

    [Fact]
    public void Fitting_the_grouped_rows_gives_the_same_log_likelihood_as_summing_customers_one_by_one()
    {
        var model = BgNbdModel.Fit(CdnowSample.CustomerBase);
        var oneByOne = CdnowSample.CustomerBase.Customers.Sum(c => model.LogLikelihood(c.Frequency, c.Recency, c.Age));

        oneByOne.Should().BeApproximately(model.Report!.LogLikelihood, 1e-6);
    }

    [Fact]
    public void A_customer_with_500_purchases_gets_finite_figures()
    {
        // The log-likelihood is that of a density in t_x, so it may be positive; it must be finite.
        Cdnow.LogLikelihood(500, 38, 38.86).Should().Match(v => double.IsFinite(v));
        Cdnow.ProbabilityAlive(500, 38.86, 38.86).Should().BeInRange(0.99, 1);
        Cdnow.ExpectedPurchases(500, 38.86, 38.86, 39).Should().BeInRange(300, 600, "a customer buying 13 times a week until today keeps doing so");
        Cdnow.ProbabilityAlive(500, 30, 38.86).Should().BeLessThan(1e-6, "500 purchases in 30 weeks, then nothing for 9 weeks");
        Cdnow.ExpectedPurchases(500, 30, 38.86, 39).Should().BeInRange(0, 1e-3);

        var customers = CdnowSample.CustomerBase.Customers.Append(CustomerSummary.Create(MemberId.From("heavy"), 500, 38, 38.86, 20));
        var model = BgNbdModel.Fit(CustomerBase.FromSummaries(customers));
        model.Report!.Converged.Should().BeTrue(model.Report.Message);
        double.IsFinite(model.Report.LogLikelihood).Should().BeTrue();
    }

    [Fact]
    public void Fit_on_customers_drawn_from_known_parameters_recovers_them()
    {
        var customers = CustomerBase.FromSummaries(SyntheticCustomers.BgNbd(20_000, 0.25, 4, 0.8, 2.5, 273, seed: 1));

        var model = BgNbdModel.Fit(customers);

        model.Report!.Converged.Should().BeTrue();
        model.R.Should().BeApproximately(0.25, 0.25 * 0.15);
        model.Alpha.Should().BeApproximately(4, 4 * 0.2);
        model.A.Should().BeApproximately(0.8, 0.8 * 0.3);
        model.B.Should().BeApproximately(2.5, 2.5 * 0.35);
    }

    [Fact]
    public void An_L2_penalty_shrinks_the_parameters_and_is_reported()
    {
        var plain = BgNbdModel.Fit(CdnowSample.CustomerBase);
        var penalised = BgNbdModel.Fit(CdnowSample.CustomerBase, new FitOptions { L2Penalty = 0.01 });

        penalised.Report!.Converged.Should().BeTrue();
        penalised.Report.L2Penalty.Should().Be(0.01);
        penalised.Alpha.Should().BeLessThan(plain.Alpha);
        penalised.Report.LogLikelihood.Should().BeLessThan(plain.Report!.LogLikelihood);
    }

    [Fact]
    public void A_fit_stopped_by_the_iteration_budget_says_it_did_not_converge()
    {
        var model = BgNbdModel.Fit(CdnowSample.CustomerBase, new FitOptions { MaxIterations = 2 });

        model.Report!.Converged.Should().BeFalse();
        model.Report.Message.Should().StartWith("not converged: largest gradient component ");
        model.Report.Message.Should().Contain("the estimates are not maximum-likelihood estimates");
        double.IsFinite(model.Report.LogLikelihood).Should().BeTrue();
    }

    [Fact]
    public void All_one_time_buyers_cannot_be_fitted()
    {
        var customers = CustomerBase.FromSummaries(Enumerable.Range(1, 50).Select(i => CustomerSummary.Create(MemberId.From(i), 0, 0, i)));

        var act = () => BgNbdModel.Fit(customers);

        act.Should().Throw<ArgumentException>().WithMessage(
            "BG/NBD cannot be fitted: none of the 50 customers bought again in the calibration period, so the purchase rate and the drop-out are not identified; use a longer calibration period. (Parameter 'customers')");
    }

    [Fact]
    public void An_empty_customer_base_cannot_be_fitted()
    {
        var act = () => BgNbdModel.Fit(CustomerBase.FromSummaries([]));

        act.Should().Throw<ArgumentException>().WithMessage(
            "The customer base has no customers; BG/NBD needs customers whose first purchase is in the calibration period. (Parameter 'customers')");
    }

    [Fact]
    public void Parameters_must_be_positive()
    {
        var act = () => new BgNbdModel(0.2, -1, 0.8, 2.4);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("alpha must be a finite number greater than 0 (was -1). (Parameter 'alpha')*");
    }

    [Fact]
    public void Impossible_histories_are_refused()
    {
        FluentActions.Invoking(() => Cdnow.ProbabilityAlive(2, 40, 38)).Should().Throw<ArgumentException>()
            .WithMessage("recency must be between 0 and the age 38 (was 40). (Parameter 'recency')");
        FluentActions.Invoking(() => Cdnow.ExpectedPurchases(0, 3, 38, 10)).Should().Throw<ArgumentException>()
            .WithMessage("recency must be 0 when frequency is 0 (was 3). (Parameter 'recency')");
        FluentActions.Invoking(() => Cdnow.ExpectedPurchases(1, 3, 38, double.NaN)).Should().Throw<ArgumentException>()
            .WithMessage("horizon must be a finite number, 0 or more (was NaN). (Parameter 'horizon')");
        FluentActions.Invoking(() => Cdnow.LogLikelihood(-1, 0, 38)).Should().Throw<ArgumentException>()
            .WithMessage("frequency must be 0 or more (was -1). (Parameter 'frequency')");
    }

    [Fact]
    public void Describes_itself_with_its_parameters()
    {
        Cdnow.ToString().Should().Be("BG/NBD r=0.2426 alpha=4.4136 a=0.7929 b=2.4259");
    }

    [Property(MaxTest = 300)]
    public bool Probability_alive_is_a_probability_and_falls_with_time_since_the_last_purchase(PositiveInt frequency, NonNegativeInt recencyDays, PositiveInt gapDays, PositiveInt moreDays)
    {
        var x = frequency.Get % 600;
        var tx = (recencyDays.Get % 2000) / 7.0;
        var t1 = tx + ((gapDays.Get % 2000) / 7.0);
        var t2 = t1 + ((moreDays.Get % 2000) / 7.0);
        var p1 = Cdnow.ProbabilityAlive(x, x == 0 ? 0 : tx, t1);
        var p2 = Cdnow.ProbabilityAlive(x, x == 0 ? 0 : tx, t2);
        return p1 is >= 0 and <= 1 && p2 is >= 0 and <= 1 && p2 <= p1;
    }

    [Property(MaxTest = 300)]
    public bool Expected_purchases_grow_with_the_horizon_and_are_never_NaN(NonNegativeInt frequency, NonNegativeInt recencyDays, NonNegativeInt gapDays, PositiveInt horizonDays, PositiveInt moreDays)
    {
        var x = frequency.Get % 600;
        var tx = x == 0 ? 0 : (recencyDays.Get % 2000) / 7.0;
        var t = tx + ((gapDays.Get % 2000) / 7.0);
        var h1 = (horizonDays.Get % 3650) / 7.0;
        var h2 = h1 + ((moreDays.Get % 3650) / 7.0);
        var e1 = Cdnow.ExpectedPurchases(x, tx, t, h1);
        var e2 = Cdnow.ExpectedPurchases(x, tx, t, h2);
        return double.IsFinite(e1) && double.IsFinite(e2) && e1 >= 0 && e2 >= e1 * (1 - 1e-12);
    }

    [Property(MaxTest = 100)]
    public bool The_expectation_is_continuous_through_a_equal_to_1(PositiveInt frequency, PositiveInt horizonDays)
    {
        var x = frequency.Get % 50;
        var h = 1 + ((horizonDays.Get % 700) / 7.0);
        var at = new BgNbdModel(0.3, 5, 1, 2.5).ExpectedPurchases(x, x == 0 ? 0 : 10, 20, h);
        var near = new BgNbdModel(0.3, 5, 1 + 1e-7, 2.5).ExpectedPurchases(x, x == 0 ? 0 : 10, 20, h);
        return double.IsFinite(at) && Math.Abs(at - near) <= 1e-5 * Math.Max(1, at);
    }
}
