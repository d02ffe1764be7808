using FsCheck.Xunit;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Tests.Primitives;

public class PointsTests
{
    [Fact]
    public void Default_is_zero()
    {
        default(Points).Should().Be(Points.Zero);
        Points.Zero.IsZero.Should().BeTrue();
        Points.Zero.Value.Should().Be(0);
    }

    [Fact]
    public void Arithmetic_and_ordering_follow_the_numbers()
    {
        var seventy = Points.FromInt64(70);
        var thirtyFive = Points.FromInt64(35);

        (seventy - thirtyFive).Should().Be(thirtyFive);
        (thirtyFive + thirtyFive).Should().Be(seventy);
        (thirtyFive * 2).Should().Be(seventy);
        (-seventy).Value.Should().Be(-70);
        (-seventy).IsNegative.Should().BeTrue();
        (-seventy).Abs().Should().Be(seventy);
        Points.Min(seventy, thirtyFive).Should().Be(thirtyFive);
        Points.Max(seventy, thirtyFive).Should().Be(seventy);
        (thirtyFive < seventy).Should().BeTrue();
        (seventy >= Points.FromInt64(70)).Should().BeTrue();
        seventy.CompareTo(thirtyFive).Should().BePositive();
        seventy.ToString().Should().Be("70");
        Points.FromInt64(1250).ToString("N0", System.Globalization.CultureInfo.InvariantCulture).Should().Be("1,250");
    }

    [Fact]
    public void Addition_overflow_throws_instead_of_wrapping()
    {
        var act = () => Points.MaxValue + Points.One;
        act.Should().Throw<OverflowException>();
    }

    [Fact]
    public void Subtraction_overflow_throws()
    {
        var act = () => Points.MinValue - Points.One;
        act.Should().Throw<OverflowException>();
    }

    [Fact]
    public void Negating_min_value_throws()
    {
        var act = () => -Points.MinValue;
        act.Should().Throw<OverflowException>();
    }

    [Fact]
    public void Multiplication_overflow_throws()
    {
        var act = () => Points.MaxValue * 2;
        act.Should().Throw<OverflowException>();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void FromPositive_rejects_zero_and_negative_with_the_rule(long value)
    {
        var act = () => Points.FromPositive(value);
        act.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage($"value must be greater than 0 (was {value}). (Parameter 'value')*")
            .Which.ParamName.Should().Be("value");
    }

    [Fact]
    public void CompareTo_object_rejects_other_types()
    {
        var act = () => Points.One.CompareTo("1");
        act.Should().Throw<ArgumentException>().WithMessage("Object must be of type Points (was String).*");
        Points.One.CompareTo(null).Should().Be(1);
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public bool Addition_is_commutative_and_subtraction_inverts_it(int a, int b)
    {
        var x = Points.FromInt64(a);
        var y = Points.FromInt64(b);
        return x + y == y + x && (x + y) - y == x;
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public bool Equality_and_ordering_agree_with_long(long a, long b)
    {
        var x = Points.FromInt64(a);
        var y = Points.FromInt64(b);
        return (x == y) == (a == b)
            && (x < y) == (a < b)
            && Math.Sign(x.CompareTo(y)) == Math.Sign(a.CompareTo(b))
            && (!x.Equals(y) || x.GetHashCode() == y.GetHashCode());
    }
}
