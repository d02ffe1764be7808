using Loyalty.Core.Primitives;

namespace Loyalty.Core.Analytics.Tests;

public class CustomerSummaryTests
{
    private static readonly MemberId Ann = MemberId.From("ann");

    [Fact]
    public void Creates_a_possible_history()
    {
        var s = CustomerSummary.Create(Ann, 2, 30.43, 38.86, 22.345, 1);

        s.IsRepeatBuyer.Should().BeTrue();
        s.ToString().Should().Be("ann: x=2, t_x=30.43, T=38.86, mean repeat spend 22.35, hold-out 1");
    }

    [Theory]
    [InlineData(-1, 0, 1, 0, 0, "frequency of customer ann must be 0 or more (was -1). (Parameter 'frequency')")]
    [InlineData(1, 2, 1, 5, 0, "recency of customer ann must be between 0 and the age 1 (was 2): the last repeat purchase cannot be after the end of the calibration period. (Parameter 'recency')")]
    [InlineData(0, 1, 2, 0, 0, "recency of customer ann must be 0 when frequency is 0 (was 1): a customer without repeat purchases has no last repeat purchase. (Parameter 'recency')")]
    [InlineData(1, 0, double.NaN, 0, 0, "age of customer ann must be a finite number, 0 or more (was NaN). (Parameter 'age')")]
    [InlineData(1, 0, 1, -3, 0, "meanRepeatSpend of customer ann must be a finite number, 0 or more (was -3). (Parameter 'meanRepeatSpend')")]
    [InlineData(0, 0, 1, 3, 0, "meanRepeatSpend of customer ann must be 0 when frequency is 0 (was 3): the mean is taken over repeat purchases only. (Parameter 'meanRepeatSpend')")]
    [InlineData(0, 0, 1, 0, -1, "holdoutFrequency of customer ann must be 0 or more (was -1). (Parameter 'holdoutFrequency')")]
    public void Refuses_an_impossible_history(int x, double tx, double t, double spend, int holdout, string message)
    {
        FluentActions.Invoking(() => CustomerSummary.Create(Ann, x, tx, t, spend, holdout)).Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void Refuses_a_default_customer()
    {
        FluentActions.Invoking(() => CustomerSummary.Create(default, 0, 0, 1)).Should().Throw<ArgumentException>()
            .WithMessage("customer must not be default(MemberId); create one with MemberId.From(...). (Parameter 'customer')");
    }
}
