using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Economics;

/// <summary>One purchase (positive amount) or refund (negative amount) of a customer, member or not.</summary>
/// <param name="Customer">The customer (the member id once enrolled).</param>
/// <param name="At">When it happened.</param>
/// <param name="Amount">The net merchandise amount; negative for a refund (a refund is not an order).</param>
public readonly record struct CustomerPurchase(MemberId Customer, Instant At, decimal Amount);

/// <summary>Purchase behaviour of a group of customers.</summary>
/// <param name="Customers">Customers with at least one order in the group.</param>
/// <param name="Orders">Their orders.</param>
/// <param name="Revenue">Their revenue, net of refunds.</param>
/// <param name="OrdersPerCustomerYear">Orders ÷ customer-years of exposure (each customer from their first order in the group to the end), or null without exposure.</param>
/// <param name="ChurnRate">Among customers whose first order in the group is at least the churn window before the end, the share with no order within it, or null when there are none.</param>
public sealed record CustomerGroupStats(int Customers, int Orders, Money Revenue, double? OrdersPerCustomerYear, double? ChurnRate);

/// <summary>What the programme cost and what it returned, as the articles name them.</summary>
/// <remarks>Immutable.</remarks>
public sealed record ProgrammeReturns
{
    /// <summary>The cost to the shop of the rewards redeemed (a gift at its cost price, a voucher at its amount).</summary>
    public required Money RewardCost { get; init; }

    /// <summary>Rewards redeemed.</summary>
    public required int Redemptions { get; init; }

    /// <summary>Points redeemed.</summary>
    public required long PointsRedeemed { get; init; }

    /// <summary>Points expired.</summary>
    public required long PointsExpired { get; init; }

    /// <summary>Revenue of members (orders placed while enrolled, net of their refunds).</summary>
    public required Money MemberRevenue { get; init; }

    /// <summary>Reward cost ÷ member revenue, or null without member revenue.</summary>
    public double? CostRatio => MemberRevenue.Amount > 0m ? (double)(RewardCost.Amount / MemberRevenue.Amount) : null;

    /// <summary>Members' orders while enrolled.</summary>
    public required CustomerGroupStats Members { get; init; }

    /// <summary>Customers who never enrolled.</summary>
    public required CustomerGroupStats NonMembers { get; init; }

    /// <summary>For members who bought before enrolling: orders per customer-year before enrolment, or null.</summary>
    public required double? FrequencyBeforeEnrolment { get; init; }

    /// <summary>For the same members: orders per customer-year after enrolment, or null.</summary>
    public required double? FrequencyAfterEnrolment { get; init; }

    /// <summary>Customers who were referred by a member.</summary>
    public required int ReferredCustomers { get; init; }

    /// <summary>Revenue of referred customers (all their orders, net of refunds).</summary>
    public required Money ReferredRevenue { get; init; }

    /// <summary>
    /// Computes costs and returns from purchases and the programme's redemption figures: a pure,
    /// order-independent computation.
    /// </summary>
    /// <param name="purchases">Every purchase and refund, members and non-members.</param>
    /// <param name="enrolments">When each member enrolled; customers not listed never enrolled.</param>
    /// <param name="referrers">Referee → referrer, or null.</param>
    /// <param name="rewardCost">The cost to the shop of the rewards redeemed.</param>
    /// <param name="redemptions">Rewards redeemed.</param>
    /// <param name="pointsRedeemed">Points redeemed.</param>
    /// <param name="pointsExpired">Points expired.</param>
    /// <param name="end">The end of the observation (exclusive).</param>
    /// <param name="churnAfter">How long without an order makes a customer churned (more than 0).</param>
    /// <returns>The figures.</returns>
    /// <exception cref="ArgumentException">An argument is null, a count is negative, or the churn window is not positive.</exception>
    public static ProgrammeReturns Compute(
        IEnumerable<CustomerPurchase> purchases,
        IReadOnlyDictionary<MemberId, Instant> enrolments,
        IReadOnlyDictionary<MemberId, MemberId>? referrers,
        Money rewardCost,
        int redemptions,
        long pointsRedeemed,
        long pointsExpired,
        Instant end,
        Duration churnAfter)
    {
        ArgumentNullException.ThrowIfNull(purchases);
        ArgumentNullException.ThrowIfNull(enrolments);
        Internal.Preconditions.CheckNotNegative(redemptions, nameof(redemptions));
        Internal.Preconditions.CheckNotNegative(pointsRedeemed, nameof(pointsRedeemed));
        Internal.Preconditions.CheckNotNegative(pointsExpired, nameof(pointsExpired));
        if (churnAfter <= Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(churnAfter), churnAfter, $"churnAfter must be more than 0 (was {churnAfter}), e.g. 180 days.");
        }

        var currency = rewardCost.Currency;
        var members = new Group(end, churnAfter);
        var others = new Group(end, churnAfter);
        var before = new Dictionary<MemberId, (Instant First, int Orders)>();
        var after = new Dictionary<MemberId, int>();
        decimal referred = 0m;
        var referredCustomers = new HashSet<MemberId>();
        foreach (var p in purchases)
        {
            var enrolled = enrolments.TryGetValue(p.Customer, out var at) ? at : (Instant?)null;
            var asMember = enrolled is { } e && p.At >= e;
            if (enrolled is null)
            {
                others.Add(p);
            }
            else if (asMember)
            {
                members.Add(p);
                if (p.Amount > 0m)
                {
                    System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(after, p.Customer, out _)++;
                }
            }
            else if (p.Amount > 0m)
            {
                ref var b = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(before, p.Customer, out var seen);
                b = seen ? (b.First < p.At ? b.First : p.At, b.Orders + 1) : (p.At, 1);
            }

            if (referrers is not null && referrers.ContainsKey(p.Customer))
            {
                referred += p.Amount;
                referredCustomers.Add(p.Customer);
            }
        }

        double beforeYears = 0, afterYears = 0;
        long beforeOrders = 0, afterOrders = 0;
        foreach (var (member, (first, count)) in before)
        {
            var enrolledAt = enrolments[member];
            beforeYears += Years(enrolledAt - first);
            beforeOrders += count;
            afterYears += Years(end - enrolledAt);
            afterOrders += after.GetValueOrDefault(member);
        }

        return new ProgrammeReturns
        {
            RewardCost = rewardCost,
            Redemptions = redemptions,
            PointsRedeemed = pointsRedeemed,
            PointsExpired = pointsExpired,
            MemberRevenue = Money.FromDecimal(members.Revenue, currency),
            Members = members.ToStats(currency),
            NonMembers = others.ToStats(currency),
            FrequencyBeforeEnrolment = beforeYears > 0 ? beforeOrders / beforeYears : null,
            FrequencyAfterEnrolment = afterYears > 0 ? afterOrders / afterYears : null,
            ReferredCustomers = referredCustomers.Count,
            ReferredRevenue = Money.FromDecimal(referred, currency),
        };
    }

    private static double Years(Duration d) => Math.Max(0d, d.TotalDays / 365.25);

    private sealed class Group(Instant end, Duration churnAfter)
    {
        private readonly Dictionary<MemberId, (Instant First, Instant Last, int Orders)> customers = [];

        public decimal Revenue { get; private set; }

        public void Add(CustomerPurchase p)
        {
            Revenue += p.Amount;
            if (p.Amount <= 0m)
            {
                return;
            }

            // One lookup per purchase: the customer's figures updated in place.
            ref var c = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(customers, p.Customer, out var seen);
            c = seen ? (c.First < p.At ? c.First : p.At, c.Last > p.At ? c.Last : p.At, c.Orders + 1) : (p.At, p.At, 1);
        }

        public CustomerGroupStats ToStats(Currency currency)
        {
            double years = 0;
            long orders = 0;
            int atRisk = 0, churned = 0;
            var cutoff = end - churnAfter;
            foreach (var c in customers.Values)
            {
                years += Years(end - c.First);
                orders += c.Orders;
                if (c.First <= cutoff)
                {
                    atRisk++;
                    if (c.Last <= cutoff)
                    {
                        churned++;
                    }
                }
            }

            return new CustomerGroupStats(
                customers.Count,
                (int)orders,
                Money.FromDecimal(Revenue, currency),
                years > 0 ? orders / years : null,
                atRisk > 0 ? (double)churned / atRisk : null);
        }
    }
}
