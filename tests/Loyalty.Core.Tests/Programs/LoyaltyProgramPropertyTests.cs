using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

public class LoyaltyProgramPropertyTests
{
    /// <summary>An order of 1 to 4 lines (quantity 1 to 4, price 0.01 to 200.00, shoes or not) and a shuffled list of unit refunds.</summary>
    public static class Arbitraries
    {
        public static Arbitrary<(int Quantity, decimal Price, bool Shoes)[]> Lines() =>
            Gen.ArrayOf(
                    from quantity in Gen.Choose(1, 4)
                    from cents in Gen.Choose(1, 20_000)
                    from shoes in Gen.Elements(true, false)
                    select (quantity, cents / 100m, shoes))
                .Where(a => a.Length is >= 1 and <= 4)
                .ToArbitrary();
    }

    [Property(MaxTest = 60 / PropertyRuns.Divisor, Arbitrary = [typeof(Arbitraries)])]
    public Property Refunding_every_unit_in_any_order_and_retrying_reverses_exactly_what_the_order_earned((int Quantity, decimal Price, bool Shoes)[] lines, int seed)
    {
        using var h = new ProgramHarness();
        h.ConfigureAsync().GetAwaiter().GetResult();
        h.EnrolAsync(Alice).GetAwaiter().GetResult();
        var orderLines = lines.Select((l, i) => new OrderLine("SKU-" + i, l.Quantity, l.Price, categories: [l.Shoes ? "shoes" : "clothing"])).ToArray();
        var earned = h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, orderLines)).GetAwaiter().GetResult().GetValueOrThrow().Points;

        var random = new Random(seed);
        var units = lines.SelectMany((l, i) => Enumerable.Repeat(i, l.Quantity)).OrderBy(_ => random.Next()).ToList();
        var reversed = Points.Zero;
        for (var k = 0; k < units.Count; k++)
        {
            var request = new RefundRequest(RefundId.From("R-" + k), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(units[k], 1)));
            reversed += h.Program.RecordRefundAsync(request).GetAwaiter().GetResult().GetValueOrThrow().PointsReversed;
            h.Program.RecordRefundAsync(request).GetAwaiter().GetResult().IsRepeat.Should().BeTrue();
        }

        var balance = h.BalanceAsync(Alice).GetAwaiter().GetResult();
        return (reversed == earned && balance.Pending == Points.Zero && balance.Reversed == earned)
            .Label($"earned {earned}, reversed {reversed}, pending left {balance.Pending}");
    }
}
