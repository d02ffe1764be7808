namespace Loyalty.Core.Analytics.Tests;

public class FitOptionsTests
{
    [Theory]
    [InlineData(-1, 10, 1e-6, "FitOptions.L2Penalty must be 0 or a positive number (was -1). (Parameter 'options')")]
    [InlineData(0, 0, 1e-6, "FitOptions.MaxIterations must be 1 or more (was 0). (Parameter 'options')")]
    [InlineData(0, 10, 0, "FitOptions.GradientTolerance must be a positive number (was 0). (Parameter 'options')")]
    public void Bad_options_name_the_property_to_fix(double penalty, int iterations, double tolerance, string message)
    {
        var options = new FitOptions { L2Penalty = penalty, MaxIterations = iterations, GradientTolerance = tolerance };

        FluentActions.Invoking(() => BgNbdModel.Fit(CdnowSample.CustomerBase, options)).Should().Throw<ArgumentException>().WithMessage(message);
        FluentActions.Invoking(() => ParetoNbdModel.Fit(CdnowSample.CustomerBase, options)).Should().Throw<ArgumentException>().WithMessage(message);
        FluentActions.Invoking(() => GammaGammaModel.Fit(CdnowSample.CustomerBase, options)).Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void The_report_describes_the_fit()
    {
        var report = BgNbdModel.Fit(CdnowSample.CustomerBase).Report!;

        report.ToString().Should().StartWith("LL -9582.43 over 2,357 customers (").And.Contain("distinct rows); converged: largest gradient component ");
        report.Iterations.Should().BeGreaterThan(0);
        report.Evaluations.Should().BeGreaterThan(report.Iterations);
        report.GradientNorm.Should().BeLessThanOrEqualTo(1e-6);
    }
}
