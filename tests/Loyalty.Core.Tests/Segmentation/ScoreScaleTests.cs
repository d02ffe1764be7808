using Loyalty.Core.Segmentation;

namespace Loyalty.Core.Tests.Segmentation;

public class ScoreScaleTests
{
    [Fact]
    public void Upper_bounds_are_kept_and_described()
    {
        var scale = ScoreScale.FromUpperBounds(1, 2, 4, 9);

        scale.IsQuantile.Should().BeFalse();
        scale.UpperBounds.Should().Equal(1m, 2m, 4m, 9m);
        scale.ToString().Should().Be("upper bounds 1 | 2 | 4 | 9");
        ScoreScale.Quantiles.IsQuantile.Should().BeTrue();
        ScoreScale.Quantiles.ToString().Should().Be("quantiles");
    }

    [Fact]
    public void Bounds_must_be_strictly_ascending()
    {
        var act = () => ScoreScale.FromUpperBounds(1, 3, 3);

        act.Should().Throw<ArgumentException>().WithParameterName("upperBounds").WithMessage(
            "upperBounds must be strictly ascending, but bound 3 (3) is not greater than bound 2 (3). (Parameter 'upperBounds')");
    }

    [Fact]
    public void Between_one_and_nine_bounds_are_needed()
    {
        FluentActions.Invoking(() => ScoreScale.FromUpperBounds()).Should().Throw<ArgumentException>().WithMessage(
            "upperBounds must hold 1 to 9 bounds (one fewer than the number of scores), was 0. (Parameter 'upperBounds')");
        FluentActions.Invoking(() => ScoreScale.FromUpperBounds(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)).Should().Throw<ArgumentException>().WithMessage(
            "upperBounds must hold 1 to 9 bounds (one fewer than the number of scores), was 10. (Parameter 'upperBounds')");
        FluentActions.Invoking(() => ScoreScale.FromUpperBounds(null!)).Should().Throw<ArgumentNullException>().WithParameterName("upperBounds");
    }

    [Fact]
    public void One_and_nine_bounds_are_the_limits_accepted()
    {
        ScoreScale.FromUpperBounds(5).UpperBounds.Should().Equal(5m);
        ScoreScale.FromUpperBounds(1, 2, 3, 4, 5, 6, 7, 8, 9).UpperBounds.Should().HaveCount(9);
    }

    [Fact]
    public void Later_changes_to_the_callers_array_do_not_change_the_scale()
    {
        var bounds = new[] { 10m, 20m };
        var scale = ScoreScale.FromUpperBounds(bounds);

        bounds[0] = 15m;

        scale.UpperBounds.Should().Equal(10m, 20m);
    }
}
