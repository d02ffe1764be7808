using FsCheck;
using FsCheck.Xunit;
using Loyalty.Core.Analytics.Tests.Internal;

namespace Loyalty.Core.Analytics.Tests;

public class ParetoNbdModelTests
{
    private static readonly ParetoNbdModel Cdnow = new(0.5533, 10.5776, 0.6061, 11.6689);

    [Fact]
    public void Fit_on_the_CDNOW_sample_reproduces_the_published_estimates()
    {
        var model = ParetoNbdModel.Fit(CdnowSample.CustomerBase);

        model.Report!.Converged.Should().BeTrue(model.Report.Message);
        model.R.Should().BeApproximately(0.553, 0.005);
        model.Alpha.Should().BeApproximately(10.578, 0.005);
        model.S.Should().BeApproximately(0.606, 0.005);
        model.Beta.Should().BeApproximately(11.669, 0.005);
        model.Report.LogLikelihood.Should().BeApproximately(-9595.0, 0.05);
    }

    [Theory]
    [InlineData(0.55, 10.6, 0.61, 11.7, 2, 30.43, 38.86)] // α < β
    [InlineData(0.55, 11.7, 0.61, 10.6, 2, 30.43, 38.86)] // α > β
    [InlineData(0.55, 3, 0.61, 40, 7, 12, 38.86)]
    [InlineData(0.55, 40, 0.61, 3, 7, 12, 38.86)]
    [InlineData(0.55, 40, 0.61, 3, 0, 0, 20)]
    public void The_likelihood_equals_Fader_and_Hardies_expression_summed_directly(double r, double alpha, double s, double beta, int x, double tx, double T)
    {
        // Fader and Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related Expressions", equations (22)-(24).
        double a0;
        if (alpha >= beta)
        {
            a0 = (HypergeometricTests.DirectSeries(r + s + x, s + 1, r + s + x + 1, (alpha - beta) / (alpha + tx)) / Math.Pow(alpha + tx, r + s + x))
                - (HypergeometricTests.DirectSeries(r + s + x, s + 1, r + s + x + 1, (alpha - beta) / (alpha + T)) / Math.Pow(alpha + T, r + s + x));
        }
        else
        {
            a0 = (HypergeometricTests.DirectSeries(r + s + x, r + x, r + s + x + 1, (beta - alpha) / (beta + tx)) / Math.Pow(beta + tx, r + s + x))
                - (HypergeometricTests.DirectSeries(r + s + x, r + x, r + s + x + 1, (beta - alpha) / (beta + T)) / Math.Pow(beta + T, r + s + x));
        }

        var gamma = MathNet.Numerics.SpecialFunctions.GammaLn(r + x) - MathNet.Numerics.SpecialFunctions.GammaLn(r);
        var likelihood = Math.Exp(gamma) * Math.Pow(alpha, r) * Math.Pow(beta, s)
            * ((1 / (Math.Pow(alpha + T, r + x) * Math.Pow(beta + T, s))) + (s / (r + s + x) * a0));
        var alive = 1 / (1 + (s / (r + s + x) * Math.Pow(alpha + T, r + x) * Math.Pow(beta + T, s) * a0));
        var model = new ParetoNbdModel(r, alpha, s, beta);

        model.LogLikelihood(x, tx, T).Should().BeApproximately(Math.Log(likelihood), 1e-9);
        model.ProbabilityAlive(x, tx, T).Should().BeApproximately(alive, 1e-9);
    }

    [Fact]
    public void The_conditional_expectation_equals_the_published_closed_form()
    {
        // E[Y(t) | x, t_x, T] = (r + x)(β + T) / ((α + T)(s - 1)) [1 - ((β + T)/(β + T + t))^(s - 1)] P(alive)
        var (r, alpha, s, beta) = (Cdnow.R, Cdnow.Alpha, Cdnow.S, Cdnow.Beta);
        var expected = (r + 2) * (beta + 38.86) / ((alpha + 38.86) * (s - 1)) * (1 - Math.Pow((beta + 38.86) / (beta + 38.86 + 39), s - 1))
            * Cdnow.ProbabilityAlive(2, 30.43, 38.86);

        Cdnow.ExpectedPurchases(2, 30.43, 38.86, 39).Should().BeApproximately(expected, 1e-12);
        Cdnow.ExpectedPurchasesNewCustomer(39).Should().BeApproximately(r * beta / (alpha * (s - 1)) * (1 - Math.Pow(beta / (beta + 39), s - 1)), 1e-12);
    }

    [Fact]
    public void An_s_of_exactly_1_uses_the_logarithmic_limit()
    {
        var model = new ParetoNbdModel(0.5, 10, 1, 12);

        model.ExpectedPurchasesNewCustomer(39).Should().BeApproximately(0.5 * 12 / 10 * Math.Log((12 + 39) / 12.0), 1e-12);
    }

    [Fact]
    public void A_customer_with_500_purchases_gets_finite_figures()
    {
        Cdnow.LogLikelihood(500, 38, 38.86).Should().Match(v => double.IsFinite(v));
        Cdnow.ProbabilityAlive(500, 38.86, 38.86).Should().BeInRange(0.99, 1);
        Cdnow.ExpectedPurchases(500, 38.86, 38.86, 39).Should().BeInRange(300, 600, "a customer buying 13 times a week until today keeps doing so");
        Cdnow.ProbabilityAlive(500, 1, 38.86).Should().BeInRange(0, 1e-6, "500 purchases in the first week then nothing for 37 weeks");
    }

    [Fact]
    public void Fit_on_customers_drawn_from_known_parameters_recovers_them()
    {
        var customers = CustomerBase.FromSummaries(SyntheticCustomers.ParetoNbd(8_000, 0.55, 10.5, 0.6, 11.5, 273, seed: 3));

        var model = ParetoNbdModel.Fit(customers);

        model.Report!.Converged.Should().BeTrue(model.Report.Message);
        model.R.Should().BeApproximately(0.55, 0.55 * 0.2);
        model.Alpha.Should().BeApproximately(10.5, 10.5 * 0.3);
        model.S.Should().BeApproximately(0.6, 0.6 * 0.5);
        model.Beta.Should().BeApproximately(11.5, 11.5 * 0.8);
    }

    [Fact]
    public void All_one_time_buyers_cannot_be_fitted()
    {
        var customers = CustomerBase.FromSummaries([CustomerSummary.Create(Loyalty.Core.Primitives.MemberId.From(1), 0, 0, 10)]);

        FluentActions.Invoking(() => ParetoNbdModel.Fit(customers)).Should().Throw<ArgumentException>().WithMessage(
            "Pareto/NBD cannot be fitted: none of the 1 customers bought again in the calibration period, so the purchase rate and the drop-out are not identified; use a longer calibration period. (Parameter 'customers')");
    }

    [Property(MaxTest = 200)]
    public bool Probability_alive_is_a_probability_and_falls_with_time_since_the_last_purchase(PositiveInt frequency, NonNegativeInt recencyDays, PositiveInt gapDays, PositiveInt moreDays)
    {
        var x = frequency.Get % 600;
        var tx = (recencyDays.Get % 2000) / 7.0;
        var t1 = tx + ((gapDays.Get % 2000) / 7.0);
        var t2 = t1 + ((moreDays.Get % 2000) / 7.0);
        var p1 = Cdnow.ProbabilityAlive(x, tx, t1);
        var p2 = Cdnow.ProbabilityAlive(x, tx, t2);
        return p1 is >= 0 and <= 1 && p2 is >= 0 and <= 1 && p2 <= p1 + 1e-12;
    }

    [Property(MaxTest = 200)]
    public bool Expected_purchases_grow_with_the_horizon_and_are_never_NaN(NonNegativeInt frequency, NonNegativeInt recencyDays, NonNegativeInt gapDays, PositiveInt horizonDays, PositiveInt moreDays)
    {
        var x = frequency.Get % 600;
        var tx = x == 0 ? 0 : (recencyDays.Get % 2000) / 7.0;
        var t = tx + ((gapDays.Get % 2000) / 7.0);
        var h1 = (horizonDays.Get % 3650) / 7.0;
        var h2 = h1 + ((moreDays.Get % 3650) / 7.0);
        var e1 = Cdnow.ExpectedPurchases(x, tx, t, h1);
        var e2 = Cdnow.ExpectedPurchases(x, tx, t, h2);
        return double.IsFinite(e1) && double.IsFinite(e2) && e1 >= 0 && e2 >= e1;
    }
}
