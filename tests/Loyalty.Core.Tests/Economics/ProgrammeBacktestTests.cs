using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Earning;
using Loyalty.Core.Economics;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Tests.Programs;
using NodaTime;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Economics;

public class ProgrammeBacktestTests
{
    private static readonly BacktestSettings Settings = new(Currency.EUR, Paris, seed: 7);

    /// <summary>The harness programme as a candidate: same rules, ladder, return window and expiry; a voucher and a gift.</summary>
    private static ProgrammeCandidate Live(RedemptionBehaviour? redemption = null, ExpiryPolicy? expiry = null) => new("live", Rules)
    {
        Tiers = Ladder,
        PendingPeriod = Duration.FromDays(14),
        Expiry = expiry ?? ExpiryPolicy.RollingMonths(12),
        Rewards = RewardCatalog.Create([
            RewardDefinition.AmountOffVoucher(RewardId.From("voucher-5"), "5 € voucher", P(500), Money.FromDecimal(5m, Currency.EUR)),
            RewardDefinition.GiftProduct(RewardId.From("mug"), "Mug", P(200), "MUG").WithCostToShop(Money.FromDecimal(1.80m, Currency.EUR)),
        ]),
        Redemption = redemption ?? RedemptionBehaviour.None,
    };

    /// <summary>A reproducible stream: members, orders over months (some shoes), line refunds, enrolment dates.</summary>
    private static BacktestInput Stream(int seed, int members, int orderCount, int months, double refundShare = 0.15)
    {
        var random = new Random(seed);
        var start = At(2026, 3, 1);
        var span = (At(2026, 3, 1).InZone(Paris).Date.PlusMonths(months).AtStartOfDayInZone(Paris).ToInstant() - start).TotalTicks;
        var orders = new List<EarningOrder>();
        var refunds = new List<RefundRequest>();
        var enrolments = new Dictionary<MemberId, Instant>();
        for (var i = 0; i < orderCount; i++)
        {
            var member = MemberId.From("m" + random.Next(members));
            var at = start + Duration.FromTicks((long)(random.NextDouble() * span * 0.9));
            var lines = Enumerable.Range(0, random.Next(1, 4))
                .Select(k => Line($"SKU-{i}-{k}", random.Next(1, 3), random.Next(500, 30_000) / 100m, random.Next(4) == 0 ? "shoes" : "clothing"))
                .ToArray();
            var order = Order("o" + i, member, at, lines);
            orders.Add(order);
            if (!enrolments.TryGetValue(member, out var enrolled) || at < enrolled)
            {
                enrolments[member] = at;
            }

            if (random.NextDouble() < refundShare)
            {
                refunds.Add(new RefundRequest(RefundId.From("r" + i), order.Id, OrderRefund.ForLines(new LineRefund(0, 1))) { RefundedAt = at + Duration.FromDays(random.Next(1, 30)) });
            }
        }

        return new BacktestInput { Orders = orders, Refunds = refunds, Enrolments = enrolments };
    }

    [Fact]
    public async Task Replaying_gives_exactly_the_points_the_live_programme_gives_for_the_same_orders()
    {
        var input = Stream(seed: 11, members: 30, orderCount: 120, months: 8);
        var backtest = await ProgrammeBacktest.RunAsync(Live(), input, Settings);

        using var h = await new ProgramHarness().ConfigureAsync();
        var events = input.Enrolments!.Select(e => (At: e.Value, Kind: 0, Key: e.Key.Value))
            .Concat(input.Orders.Select(o => (At: o.PlacedAt, Kind: 1, Key: o.Id.Value)))
            .Concat(input.Refunds.Select(r => (At: r.RefundedAt!.Value, Kind: 2, Key: r.RefundId.Value)))
            .OrderBy(e => e.At).ThenBy(e => e.Kind).ThenBy(e => e.Key, StringComparer.Ordinal);
        var live = new Dictionary<OrderId, Points>();
        foreach (var e in events)
        {
            h.Clock.Reset(e.At);
            switch (e.Kind)
            {
                case 0:
                    (await h.Program.EnrolAsync(new Enrolment(MemberId.From(e.Key)) { EnrolledAt = e.At })).Succeeded.Should().BeTrue();
                    break;
                case 1:
                    var order = input.Orders.Single(o => o.Id.Value == e.Key);
                    live[order.Id] = (await h.Program.RecordOrderAsync(order)).GetValueOrThrow().Points;
                    break;
                default:
                    (await h.Program.RecordRefundAsync(input.Refunds.Single(r => r.RefundId.Value == e.Key))).Succeeded.Should().BeTrue();
                    break;
            }
        }

        backtest.OrderPoints.Should().BeEquivalentTo(live);
        live.Values.Distinct().Count().Should().BeGreaterThan(10, "the orders exercise the base rate, the shoes multiplier and the tier multipliers");
        var end = Settings.TimeZone.AtStartOfDay(backtest.Months[^1].Month.PlusMonths(1).OnDayOfMonth(1)).ToInstant();
        h.Clock.Reset(end);
        var liveTiers = new Dictionary<MemberId, TierId>();
        foreach (var (member, balance) in backtest.Balances)
        {
            var liveBalance = await h.Ledger.GetBalanceAsync(member);
            (balance.Available, balance.Pending, balance.Earned, balance.Reversed, balance.Expired)
                .Should().Be((liveBalance.Available, liveBalance.Pending, liveBalance.Earned, liveBalance.Reversed, liveBalance.Expired), member.Value);
            liveTiers[member] = (await h.Program.GetMemberSummaryAsync(member)).GetValueOrThrow().Tier.Tier.Id;
        }

        // Tiers: every member ends in the tier the live programme gives, and the month's members per tier count them.
        backtest.MemberTiers.Should().BeEquivalentTo(liveTiers);
        liveTiers.Values.Distinct().Should().HaveCountGreaterThan(1, "the members end in different tiers (the ladder and its multipliers are exercised)");
        backtest.Months[^1].MembersPerTier.Where(p => p.Value > 0).Should().BeEquivalentTo(liveTiers.GroupBy(t => t.Value).Select(g => new KeyValuePair<TierId, int>(g.Key, g.Count())));
    }

    [Fact]
    public async Task Every_month_end_counts_the_members_per_tier_the_live_programme_gives_at_that_instant()
    {
        // Two years of orders: statuses are won, kept without orders, requalified and lost at the end of their
        // validity, so the month ends that evaluate only the members whose tier can have moved are exercised.
        // Half the members stop ordering after five months: their statuses run out at the end of their validity
        // with no new entry (the month ends that skip unchanged members must still see those ends).
        var stream = Stream(seed: 5, members: 30, orderCount: 320, months: 26, refundShare: 0.1);
        var stop = At(2026, 8, 1);
        var orders = stream.Orders.Where(o => o.PlacedAt < stop || int.Parse(o.Member.Value[1..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 1).ToList();
        var kept = orders.Select(o => o.Id).ToHashSet();
        var input = new BacktestInput { Orders = orders, Refunds = stream.Refunds.Where(r => kept.Contains(r.OrderId)).ToList(), Enrolments = stream.Enrolments };
        var backtest = await ProgrammeBacktest.RunAsync(Live(), input, Settings);

        using var h = await new ProgramHarness().ConfigureAsync();
        var events = input.Enrolments!.Select(e => (At: e.Value, Kind: 0, Key: e.Key.Value))
            .Concat(input.Orders.Select(o => (At: o.PlacedAt, Kind: 1, Key: o.Id.Value)))
            .Concat(input.Refunds.Select(r => (At: r.RefundedAt!.Value, Kind: 2, Key: r.RefundId.Value)))
            .OrderBy(e => e.At).ThenBy(e => e.Kind).ThenBy(e => e.Key, StringComparer.Ordinal)
            .ToList();
        var enrolled = new List<MemberId>();
        var next = 0;
        foreach (var month in backtest.Months)
        {
            var end = Settings.TimeZone.AtStartOfDay(month.Month.PlusMonths(1).OnDayOfMonth(1)).ToInstant();
            for (; next < events.Count && events[next].At < end; next++)
            {
                var e = events[next];
                h.Clock.Reset(e.At);
                switch (e.Kind)
                {
                    case 0:
                        (await h.Program.EnrolAsync(new Enrolment(MemberId.From(e.Key)) { EnrolledAt = e.At })).Succeeded.Should().BeTrue();
                        enrolled.Add(MemberId.From(e.Key));
                        break;
                    case 1:
                        (await h.Program.RecordOrderAsync(input.Orders.Single(o => o.Id.Value == e.Key))).Succeeded.Should().BeTrue();
                        break;
                    default:
                        (await h.Program.RecordRefundAsync(input.Refunds.Single(r => r.RefundId.Value == e.Key))).Succeeded.Should().BeTrue();
                        break;
                }
            }

            h.Clock.Reset(end);
            var counts = new Dictionary<TierId, int>();
            foreach (var member in enrolled)
            {
                var tier = (await h.Program.GetMemberSummaryAsync(member)).GetValueOrThrow().Tier.Tier.Id;
                counts[tier] = counts.GetValueOrDefault(tier) + 1;
            }

            month.MembersPerTier.Where(p => p.Value > 0).Should().BeEquivalentTo(counts, $"the month end of {month.Month}");
        }

        backtest.Months.Should().HaveCountGreaterThan(20);
        backtest.Months.Select(m => m.MembersPerTier.Single(p => p.Key == TierId.From("bronze")).Value).Distinct().Should().HaveCountGreaterThan(2, "members move between tiers over the two years");
    }

    [Fact]
    public async Task The_result_is_the_same_whatever_the_number_of_partitions_replayed_in_parallel()
    {
        var input = Stream(seed: 21, members: 40, orderCount: 600, months: 14, refundShare: 0.2);
        var candidate = Live(RedemptionBehaviour.BestAffordable(0.35), ExpiryPolicy.RollingMonths(4));
        var one = await ProgrammeBacktest.RunAsync(candidate, input, new BacktestSettings(Currency.EUR, Paris, seed: 4) { Partitions = 1 });
        foreach (var partitions in new[] { 2, 3, 7 })
        {
            var many = await ProgrammeBacktest.RunAsync(candidate, input, new BacktestSettings(Currency.EUR, Paris, seed: 4) { Partitions = partitions });
            many.Months.Should().BeEquivalentTo(one.Months, o => o.WithStrictOrdering(), $"{partitions} partitions");
            many.OrderPoints.Should().Equal(one.OrderPoints);
            many.Balances.Should().Equal(one.Balances);
            many.MemberTiers.Should().Equal(one.MemberTiers);
            many.Liability.Should().BeEquivalentTo(one.Liability);
            many.Breakage.Should().BeEquivalentTo(one.Breakage);
            many.Returns.Should().BeEquivalentTo(one.Returns);
        }

        one.Redeemed.Should().BeGreaterThan(0);
        one.Expired.Should().BeGreaterThan(0);
        one.Months.Sum(m => m.Reversed).Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_series_and_another_seed_other_redemptions()
    {
        var input = Stream(seed: 3, members: 20, orderCount: 300, months: 12);
        var candidate = Live(RedemptionBehaviour.BestAffordable(0.4), ExpiryPolicy.RollingMonths(3));
        var a = await ProgrammeBacktest.RunAsync(candidate, input, Settings);
        var b = await ProgrammeBacktest.RunAsync(candidate, input, Settings);
        var c = await ProgrammeBacktest.RunAsync(candidate, input, new BacktestSettings(Currency.EUR, Paris, seed: 8));

        a.Months.Should().BeEquivalentTo(b.Months, o => o.WithStrictOrdering());
        a.Redeemed.Should().BeGreaterThan(0);
        a.Expired.Should().BeGreaterThan(0);
        c.Months.Select(m => m.Redeemed).Should().NotEqual(a.Months.Select(m => m.Redeemed));
        a.RewardCost.Amount.Should().Be(a.Months.Sum(m => m.RewardCost.Amount)).And.BeGreaterThan(0m);
        a.Months.Should().HaveCount(12);
        a.Months[^1].MembersPerTier.Sum(p => p.Value).Should().Be(a.Months[^1].Members);
        a.Months[^1].Liability.Should().Be(a.Liability.Outstanding.Value);
    }

    [Fact]
    public async Task Two_candidates_compare_side_by_side_on_the_same_orders()
    {
        var input = Stream(seed: 5, members: 15, orderCount: 200, months: 10);
        var generous = Live(RedemptionBehaviour.BestAffordable(0.5));
        var lean = new ProgrammeCandidate("lean", new EarningRuleSetBuilder("lean", At(2026, 1, 1), Currency.EUR, "Europe/Paris").EarnPerUnit("base", 0.5m).Build())
        {
            Tiers = Ladder,
            Expiry = ExpiryPolicy.RollingMonths(6),
            Rewards = generous.Rewards,
            Redemption = RedemptionBehaviour.BestAffordable(0.5),
        };
        var comparison = await ProgrammeBacktest.CompareAsync(generous, lean, input, Settings);

        comparison.First.Issued.Should().BeGreaterThan(comparison.Second.Issued);
        comparison.First.Months.Select(m => m.Revenue).Should().Equal(comparison.Second.Months.Select(m => m.Revenue));
        comparison.Verdict().Should().StartWith("lean costs ").And.Contain(" of member revenue in rewards against ").And.Contain("live");
    }

    public static class Arbitraries
    {
        public static Arbitrary<(int Seed, int Members, int Orders, int Months, int ExpiryMonths, int RedeemPercent)> Streams() =>
            (from seed in Gen.Choose(0, 10_000)
             from members in Gen.Choose(1, 8)
             from orders in Gen.Choose(1, 60)
             from months in Gen.Choose(1, 9)
             from expiry in Gen.Choose(0, 4)
             from redeem in Gen.Choose(0, 100)
             select (seed, members, orders, months, expiry, redeem)).ToArbitrary();
    }

    [Property(MaxTest = 40 / PropertyRuns.Divisor, Arbitrary = [typeof(Arbitraries)])]
    public Property Every_month_issued_equals_redeemed_plus_expired_plus_outstanding((int Seed, int Members, int Orders, int Months, int ExpiryMonths, int RedeemPercent) s)
    {
        var input = Stream(s.Seed, s.Members, s.Orders, s.Months, refundShare: 0.3);
        var candidate = Live(RedemptionBehaviour.BestAffordable(s.RedeemPercent / 100d), s.ExpiryMonths == 0 ? ExpiryPolicy.Never : ExpiryPolicy.RollingDays(s.ExpiryMonths * 20));
        var result = ProgrammeBacktest.RunAsync(candidate, input, new BacktestSettings(Currency.EUR, Paris, s.Seed) { Partitions = 1 + ((s.Seed & int.MaxValue) % 3) }).GetAwaiter().GetResult();
        long issued = 0, redeemed = 0, expired = 0;
        var failures = new List<string>();
        foreach (var m in result.Months)
        {
            issued += m.Issued;
            redeemed += m.Redeemed;
            expired += m.Expired;
            if (issued != redeemed + expired + m.Outstanding)
            {
                failures.Add($"{m.Month}: issued {issued} != redeemed {redeemed} + expired {expired} + outstanding {m.Outstanding}");
            }
        }

        var balances = result.Balances.Values;
        var end = balances.Sum(b => b.Available.Value + b.Pending.Value + b.Held.Value);
        return (failures.Count == 0 && end == result.Months[^1].Outstanding).Label(string.Join("; ", failures) + $" end {end}");
    }

    [Fact]
    public async Task An_order_in_another_currency_is_refused_and_nothing_is_replayed()
    {
        var input = new BacktestInput { Orders = [Order("o1", Alice, At(2026, 3, 2), Line("A", 1, 10m)), new EarningOrder(OrderId.From("o2"), Alice, At(2026, 3, 3), Currency.USD, [Line("B", 1, 10m)])] };
        var act = () => ProgrammeBacktest.RunAsync(Live(), input, Settings);
        (await act.Should().ThrowAsync<ArgumentException>())
            .WithMessage("Order 'o2' is in USD, but the programme's currency is EUR; convert the orders before the backtest (amounts are never converted). (Parameter 'input')");
    }

    [Fact]
    public async Task A_reward_without_a_cost_to_the_shop_is_refused()
    {
        var candidate = new ProgrammeCandidate("x", Rules) { Rewards = RewardCatalog.Create([RewardDefinition.PercentageDiscount(RewardId.From("ten"), "10 %", P(300), 10m)]) };
        var act = () => ProgrammeBacktest.RunAsync(candidate, Stream(1, 1, 1, 1), Settings);
        (await act.Should().ThrowAsync<ArgumentException>())
            .WithMessage("Reward 'ten' of candidate 'x' has no cost to the shop; give it one with WithCostToShop (\"costToShop\" in JSON), e.g. a gift's cost price. (Parameter 'candidate')");
    }

    [Fact]
    public async Task A_refund_without_an_instant_or_of_an_unknown_order_is_refused()
    {
        var orders = new[] { Order("o1", Alice, At(2026, 3, 2), Line("A", 1, 10m)) };
        var noInstant = new BacktestInput { Orders = orders, Refunds = [new RefundRequest(RefundId.From("r1"), OrderId.From("o1"), OrderRefund.ForAmount(5m))] };
        (await FluentActions.Awaiting(() => ProgrammeBacktest.RunAsync(Live(), noInstant, Settings)).Should().ThrowAsync<ArgumentException>())
            .WithMessage("Refund 'r1' has no RefundedAt; a backtest replays refunds at their own instant. (Parameter 'input')");
        var unknown = new BacktestInput { Orders = orders, Refunds = [new RefundRequest(RefundId.From("r1"), OrderId.From("o9"), OrderRefund.ForAmount(5m)) { RefundedAt = At(2026, 3, 5) }] };
        (await FluentActions.Awaiting(() => ProgrammeBacktest.RunAsync(Live(), unknown, Settings)).Should().ThrowAsync<ArgumentException>())
            .WithMessage("Refund 'r1' is of order 'o9', which is not among the orders. (Parameter 'input')");
    }

    [Fact]
    public void A_redemption_probability_outside_0_to_1_is_refused()
    {
        var act = () => RedemptionBehaviour.BestAffordable(1.5);
        act.Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("probability must be between 0 and 1 inclusive (was 1.5); write 95 % as 0.95. (Parameter 'probability')*");
    }

    [Fact]
    public async Task Without_enrolment_dates_customers_enrol_at_their_first_order_and_non_members_earn_nothing_with_them()
    {
        var orders = new[]
        {
            Order("o1", Alice, At(2026, 3, 2), Line("A", 1, 100m)),
            Order("o2", Bob, At(2026, 3, 3), Line("B", 1, 50m)),
            Order("o3", Bob, At(2026, 4, 3), Line("C", 1, 50m)),
        };
        var everyone = await ProgrammeBacktest.RunAsync(Live(), new BacktestInput { Orders = orders }, Settings);
        everyone.OrderPoints.Keys.Should().HaveCount(3);
        everyone.Months[0].Members.Should().Be(2);

        var bobLater = new BacktestInput { Orders = orders, Enrolments = new Dictionary<MemberId, Instant> { [Alice] = At(2026, 3, 1), [Bob] = At(2026, 4, 1) } };
        var partly = await ProgrammeBacktest.RunAsync(Live(), bobLater, Settings);
        partly.OrderPoints.Keys.Select(k => k.Value).Should().BeEquivalentTo("o1", "o3");
        partly.Months[0].MemberRevenue.Should().Be(Money.FromDecimal(100m, Currency.EUR));
        partly.Months[0].Revenue.Should().Be(Money.FromDecimal(150m, Currency.EUR));
        partly.Returns.FrequencyBeforeEnrolment.Should().NotBeNull();
    }
}
