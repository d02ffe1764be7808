using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Households;
using Loyalty.Core.Programs;

namespace Loyalty.Core.Tests.Programs;

/// <summary>The arithmetic of a pooled spend: shares add up, never exceed a member's points, and proportional shares stay within one point of exact.</summary>
public sealed class HouseholdPlanTests
{
    [Property(MaxTest = 500 / PropertyRuns.Divisor)]
    public Property Shares_add_up_and_stay_within_each_members_points(PositiveInt[] balances, PositiveInt ask, bool proportional)
    {
        var available = balances.Take(8).Select(b => (long)b.Get).ToArray();
        var points = Math.Min(ask.Get, available.Sum());
        var order = proportional ? HouseholdSpendingOrder.Proportional : HouseholdSpendingOrder.OwnerFirst;
        if (available.Length == 0 || points == 0)
        {
            return true.ToProperty();
        }

        var shares = HouseholdPlan.Shares(order, available, points)!;
        var total = available.Sum();
        var exact = !proportional || shares.Select((s, i) => Math.Abs(s - ((decimal)points * available[i] / total))).All(d => d < 1m);
        return (shares.Sum() == points && shares.Select((s, i) => s >= 0 && s <= available[i]).All(ok => ok) && exact).ToProperty();
    }

    [Fact]
    public void Too_few_points_in_the_pool_give_no_plan()
    {
        HouseholdPlan.Shares(HouseholdSpendingOrder.OwnerFirst, [100, 50], 151).Should().BeNull();
        HouseholdPlan.Shares(HouseholdSpendingOrder.OwnerFirst, [100, 50], 120).Should().Equal(100, 20);
        HouseholdPlan.Shares(HouseholdSpendingOrder.Proportional, [0, 300], 120).Should().Equal(0, 120);
    }
}
