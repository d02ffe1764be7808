using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;
using static Loyalty.Core.Tests.Earning.EarningFixtures;

namespace Loyalty.Core.Tests.Earning;

/// <summary>Generated orders, refund plans and rule sets for the earning properties.</summary>
public static class EarningArbitraries
{
    private static readonly string[] Categories = ["shoes", "tops", "garden", "books"];
    private static readonly string?[] Brands = ["Acme", "GreenCo", null];

    public static Gen<OrderLine> LineGen { get; } =
        from sku in Gen.Elements("a", "b", "c", "d", "e", "f")
        from category in Gen.Elements(Categories)
        from brand in Gen.Elements(Brands)
        from quantity in Gen.Choose(1, 5)
        from cents in Gen.Choose(0, 20_000)
        from discountPercent in Gen.Choose(0, 100)
        from giftCard in Gen.Frequency((7, Gen.Constant(false)), (1, Gen.Constant(true)))
        let unit = cents / 100m
        let discount = decimal.Round(quantity * unit * discountPercent / 100m, 2, MidpointRounding.ToZero)
        select new OrderLine(sku, quantity, unit, discount, [category], brand, giftCard);

    public static Gen<EarningOrder> OrderGen { get; } =
        from lines in Gen.NonEmptyListOf(LineGen).Select(l => l.Take(6).ToArray())
        from shipping in Gen.Choose(0, 1_500)
        from tax in Gen.Choose(0, 5_000)
        from pointsPercent in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(0, 100)))
        from hour in Gen.Choose(0, 24 * 60)
        let total = lines.Sum(l => l.NetAmount) + (shipping / 100m) + (tax / 100m)
        let paid = decimal.Round(total * pointsPercent / 100m, 2, MidpointRounding.ToZero)
        select new EarningOrder(OrderId.From("o-1"), Alice, Instant.FromUtc(2026, 3, 25, 0, 0).Plus(Duration.FromHours(hour)), Currency.EUR, lines, shipping / 100m, tax / 100m, paid);

    public static Gen<EarningUsage> UsageGen { get; } =
        from periodPoints in Gen.Choose(0, 1_200)
        from budgetUsed in Gen.Choose(0, 60_000)
        select EarningUsage.Empty
            .WithPeriod(RuleId.From("capped"), new UsagePeriod(CapPeriod.Month, new LocalDate(2026, 3, 1)), new UsageTotals(Points.FromInt64(periodPoints), 1))
            .WithCampaign(RuleId.From("capped"), Points.FromInt64(budgetUsed));

    public static Gen<EarningCondition> ConditionGen { get; } = Gen.OneOf(
        Gen.Choose(0, 300).Select(min => Conditions.Subtotal(min)),
        Gen.Elements(Categories).Select(c => Conditions.AnyLine(LineSelector.ForCategories(c))),
        Gen.Elements("web", "app").Select(c => Conditions.Channel(c)),
        Gen.Choose(1, 7).Select(d => Conditions.DaysOfWeek((IsoDayOfWeek)d)),
        Gen.Choose(0, 22).Select(h => Conditions.TimeOfDay(new LocalTime(h, 0), new LocalTime(h + 1, 30))),
        Gen.Choose(0, 5).Select(n => Conditions.Not(Conditions.OrderCount(n))),
        Gen.Constant(Conditions.Any(Conditions.Segment("vip"), Conditions.Tier(TierId.From("gold")))));

    public static Gen<EarningRule> RuleGen(int index) =>
        from kind in Gen.Choose(0, 5)
        from priority in Gen.Choose(-5, 5)
        from amount in Gen.Choose(1, 500)
        from rounding in Gen.Elements(PointsRounding.Floor, PointsRounding.HalfUp, PointsRounding.HalfEven, PointsRounding.Ceiling)
        from condition in Gen.Frequency((1, ConditionGen.Select(c => (EarningCondition?)c)), (1, Gen.Constant<EarningCondition?>(null)))
        from category in Gen.Elements(Categories)
        select Configure(kind switch
        {
            0 => new FixedBonusRule { Points = Points.FromInt64(amount), Per = BonusBasis.PerUnit, Lines = LineSelector.ForCategories(category) },
            1 => new MultiplierRule { BaseRule = RuleId.From("base"), Multiplier = 1m + (amount / 100m), Lines = LineSelector.ForCategories(category) },
            2 => new ThresholdBonusRule { Threshold = amount, Points = Points.FromInt64(amount * 2), Clawback = amount % 2 == 0 ? BonusClawback.Keep : BonusClawback.ReverseBelowThreshold },
            3 => new OrderCountBonusRule { OrderNumber = 1 + (amount % 3), Points = Points.FromInt64(amount) },
            4 => new ActivityRule { Activity = ActivityKind.Review, Points = Points.FromInt64(amount), Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Month, MaxAwards = 5 } } },
            _ => (EarningRule)new SpendRule { PointsPerUnit = amount / 100m, ExcludedLines = LineSelector.ForCategories(category), IncludeShipping = amount % 2 == 0 },
        }, index, priority, rounding, condition);

    public static Gen<EarningRuleSet> RuleSetGen { get; } =
        from generated in Gen.ListOf(RuleGen(0))
        let rules = generated.Take(8).Select((r, i) => r with { Id = RuleId.From($"r{i}"), Group = i % 3 == 0 ? "best" : null }).ToArray()
        let seed = Rules().EarnPerUnit("base", 1m).Group("best", StackingMode.BestOf).ToDefinition()
        select EarningRuleSet.Create(seed with { Rules = [.. seed.Rules, .. rules] });

    /// <summary>Caps of every kind, or none.</summary>
    public static Gen<RuleCaps?> CapsGen { get; } = Gen.Frequency(
        (2, Gen.Constant<RuleCaps?>(null)),
        (1, from perOrder in Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Choose(1, 300)))
            from period in Gen.Elements(CapPeriod.Day, CapPeriod.Week, CapPeriod.Month, CapPeriod.Year)
            from maxPoints in Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Choose(1, 1_000)))
            from maxAwards in Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Choose(1, 3)))
            from budget in Gen.Frequency((1, Gen.Constant(0)), (1, Gen.Choose(1, 2_000)))
            select (RuleCaps?)new RuleCaps
            {
                PerOrder = perOrder == 0 ? null : Points.FromInt64(perOrder),
                PerMember = maxPoints == 0 && maxAwards == 0 ? null : new PeriodCap
                {
                    Period = period,
                    MaxPoints = maxPoints == 0 ? null : Points.FromInt64(maxPoints),
                    MaxAwards = maxAwards == 0 ? null : maxAwards,
                },
                CampaignBudget = budget == 0 ? null : Points.FromInt64(budget),
            }));

    /// <summary>Rules of every kind with every stacking option (best-of and first-match groups, exclusivity) and caps.</summary>
    public static Gen<EarningRule> StackingRuleGen { get; } =
        from kind in Gen.Choose(0, 7)
        from priority in Gen.Choose(-3, 3)
        from amount in Gen.Choose(1, 500)
        from rounding in Gen.Elements(PointsRounding.Floor, PointsRounding.HalfUp, PointsRounding.HalfEven, PointsRounding.Ceiling)
        from condition in Gen.Frequency((1, ConditionGen.Select(c => (EarningCondition?)c)), (2, Gen.Constant<EarningCondition?>(null)))
        from category in Gen.Elements(Categories)
        from brand in Gen.Elements("Acme", "GreenCo")
        from groupName in Gen.Elements<string?>(null, null, "best", "first")
        from exclusive in Gen.Frequency((6, Gen.Constant(false)), (1, Gen.Constant(true)))
        from caps in CapsGen
        select (kind switch
        {
            0 => new FixedBonusRule { Points = Points.FromInt64(amount), Per = BonusBasis.PerUnit, Lines = LineSelector.ForBrands(brand) },
            1 => new MultiplierRule { BaseRule = RuleId.From("base"), Multiplier = 1m + (amount / 100m), Lines = LineSelector.ForCategories(category) },
            2 => new ThresholdBonusRule { Threshold = amount, Points = Points.FromInt64(amount * 2), Clawback = amount % 2 == 0 ? BonusClawback.Keep : BonusClawback.ReverseBelowThreshold },
            3 => new OrderCountBonusRule { OrderNumber = 1 + (amount % 3), Points = Points.FromInt64(amount) },
            4 => new ActivityRule { Activity = ActivityKind.Review, Points = Points.FromInt64(amount) },
            5 => new TierMultiplierRule { BaseRule = RuleId.From("base") },
            6 => new FixedBonusRule { Points = Points.FromInt64(amount), Lines = amount % 2 == 0 ? null : LineSelector.ForCategories(category) },
            _ => (EarningRule)new SpendRule { PointsPerUnit = amount / 100m, ExcludedLines = LineSelector.ForCategories(category), IncludeShipping = amount % 2 == 0, IncludeTax = amount % 3 == 0 },
        }) with
        {
            Priority = priority,
            Rounding = rounding,
            Condition = condition,
            Group = groupName,
            Exclusive = exclusive && groupName != "best",
            Caps = caps,
        };

    /// <summary>Rule sets mixing every rule kind, stacking mode and cap.</summary>
    public static Gen<EarningRuleSet> StackingRuleSetGen { get; } =
        from generated in Gen.ListOf(StackingRuleGen)
        let rules = generated.Take(10).Select((r, i) => r with { Id = RuleId.From($"r{i}") }).ToArray()
        let seed = Rules().EarnPerUnit("base", 1m).Group("best", StackingMode.BestOf).Group("first", StackingMode.FirstMatch).ToDefinition()
        select EarningRuleSet.Create(seed with { Rules = [.. seed.Rules, .. rules] });

    /// <summary>Members with or without a tier, multiplier, earlier orders and segments.</summary>
    public static Gen<MemberContext> MemberGen { get; } =
        from tier in Gen.Elements<string?>(null, "silver", "gold")
        from multiplier in Gen.Choose(0, 200)
        from previous in Gen.Choose(0, 3)
        from vip in Gen.Elements(true, false)
        select new MemberContext(tier is null ? null : TierId.From(tier), multiplier / 100m, previous, segments: vip ? ["vip"] : null);

    /// <summary>A rule set, an order (sometimes in another currency), a member and how many times the order was already recorded.</summary>
    public static Gen<(EarningRuleSet RuleSet, EarningOrder Order, MemberContext Member, int Repeats)> EvaluationCaseGen { get; } =
        from ruleSet in StackingRuleSetGen
        from order in OrderGen
        from usd in Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)))
        from member in MemberGen
        from repeats in Gen.Choose(0, 3)
        select (ruleSet, usd ? new EarningOrder(order.Id, order.Member, order.PlacedAt, Currency.USD, order.Lines, order.Shipping, order.Tax, order.PaidWithPoints) : order, member, repeats);

    /// <summary>Orders whose amounts need more than 12 decimal places, or more than 64 bits at one scale: the engine's decimal path.</summary>
    public static Gen<EarningOrder> UnusualAmountsOrderGen { get; } =
        from order in OrderGen
        from shape in Gen.Elements(0.0000000000001m, 0.000000000000000001m, 1.000000000000000001m)
        select new EarningOrder(
            order.Id,
            order.Member,
            order.PlacedAt,
            order.Currency,
            order.Lines.Select(l => new OrderLine(l.Sku, l.Quantity, l.UnitPrice * shape, l.Discount * shape, l.Categories, l.Brand, l.IsGiftCard)).ToArray(),
            order.Shipping * shape,
            order.Tax * shape,
            order.PaidWithPoints * shape);

    public static Arbitrary<EarningOrder> Orders() => OrderGen.ToArbitrary();

    public static Arbitrary<EarningUsage> Usages() => UsageGen.ToArbitrary();

    public static Arbitrary<EarningRuleSet> RuleSets() => RuleSetGen.ToArbitrary();

    private static EarningRule Configure(EarningRule rule, int index, int priority, PointsRounding rounding, EarningCondition? condition) =>
        rule with { Id = RuleId.From($"r{index}"), Priority = priority, Rounding = rounding, Condition = condition, Group = index % 3 == 0 && !rule.Exclusive ? "best" : null };
}

[Properties(Arbitrary = [typeof(EarningArbitraries)], MaxTest = 100 / PropertyRuns.Divisor)]
public class EarningPropertyTests
{
    private static readonly EarningRuleSet Programme = Rules()
        .Group("promo", StackingMode.BestOf)
        .EarnPerUnit("base", 1m, r => r with { IncludeShipping = true })
        .Multiply("shoes-x2", "base", 2m, LineSelector.ForCategories("shoes"))
        .FixedBonus("eco", 3, BonusBasis.PerUnit, LineSelector.ForBrands("GreenCo"))
        .ThresholdBonus("big", 100m, 500, r => r with { Clawback = BonusClawback.ReverseBelowThreshold, Group = "promo" })
        .FixedBonus("flat", 120, configure: r => r with { Group = "promo" })
        .OrderCountBonus("first", 1, 300)
        .TierMultiplier("tier", "base")
        .EarnPerUnit("capped", 2.5m, r => r with
        {
            Rounding = PointsRounding.HalfEven,
            Caps = new RuleCaps
            {
                PerOrder = Points.FromInt64(400),
                PerMember = new PeriodCap { Period = CapPeriod.Month, MaxPoints = Points.FromInt64(1_000) },
                CampaignBudget = Points.FromInt64(50_000),
            },
        })
        .Build();

    private static readonly MemberContext Gold = new(tier: TierId.From("gold"), tierEarnMultiplier: 1.5m);

    private static EarningOrder WithLines(EarningOrder order, IReadOnlyList<OrderLine> lines) =>
        new(order.Id, order.Member, order.PlacedAt, order.Currency, lines, order.Shipping, order.Tax, Math.Min(order.PaidWithPoints, lines.Sum(l => l.NetAmount) + order.Shipping + order.Tax));

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public void Line_order_never_changes_the_result(EarningOrder order, int seed)
    {
        var shuffled = order.Lines.OrderBy(_ => new Random(seed).Next()).Reverse().ToArray();

        var a = Evaluate(Programme, order, Gold);
        var b = Evaluate(Programme, WithLines(order, shuffled), Gold);

        b.Total.Should().Be(a.Total);
        b.Rules.Select(r => (r.RuleId, r.Outcome, r.Desired, r.Rounded, r.Awarded))
            .Should().Equal(a.Rules.Select(r => (r.RuleId, r.Outcome, r.Desired, r.Rounded, r.Awarded)));
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public void Adding_an_eligible_line_never_lowers_base_points(EarningOrder order, PositiveInt cents)
    {
        var extra = new OrderLine("extra", 1, cents.Get / 100m, categories: ["books"]);

        var before = Evaluate(Programme, order)[RuleId.From("base")].Awarded;
        var after = Evaluate(Programme, WithLines(order, [.. order.Lines, extra]))[RuleId.From("base")].Awarded;

        after.Should().BeGreaterThanOrEqualTo(before);
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public void Caps_always_hold_and_allocations_sum_to_the_award(EarningOrder order, EarningUsage usage)
    {
        var capped = RuleId.From("capped");
        var month = UsagePeriod.Containing(CapPeriod.Month, order.PlacedAt.InZone(Programme.TimeZone).Date);
        var result = Evaluate(Programme, order, Gold, usage);
        var entry = result[capped];

        entry.Awarded.Value.Should().BeLessThanOrEqualTo(400);
        (entry.Awarded + usage.ForPeriod(capped, month).Points).Value.Should().BeLessThanOrEqualTo(Math.Max(1_000, usage.ForPeriod(capped, month).Points.Value));
        (entry.Awarded + usage.ForCampaign(capped)).Value.Should().BeLessThanOrEqualTo(Math.Max(50_000, usage.ForCampaign(capped).Value));
        entry.Awarded.Should().BeLessThanOrEqualTo(entry.Rounded);
        foreach (var rule in result.Rules)
        {
            rule.Allocation.ToArray().Sum().Should().Be(rule.Awarded.Value);
            rule.Allocation.ToArray().Should().NotContain(p => p < 0);
        }

        result.Total.Value.Should().Be(result.Rules.Sum(r => r.Awarded.Value));
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public void A_full_refund_reverses_exactly_the_award(EarningOrder order)
    {
        var recorded = Evaluate(Programme, order, Gold);
        var all = OrderRefund.ForLines(order.Lines.Select((l, i) => new LineRefund(i, l.Quantity)).ToArray());

        var refund = EarningEngine.Instance.ComputeRefund(order, recorded, [], all);

        refund.Total.Should().Be(recorded.Total);
        refund.IsFullRefund.Should().BeTrue();
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public void Any_sequence_of_partial_refunds_never_exceeds_the_award(EarningOrder order, int seed)
    {
        var random = new Random(seed);
        var recorded = Evaluate(Programme, order, Gold);
        var previous = new List<OrderRefund>();
        long taken = 0;
        var byAmount = random.Next(3) == 0 && order.NetSubtotal > 0m;
        var remaining = order.Lines.Select(l => l.Quantity).ToArray();
        var amountLeft = order.NetSubtotal;

        while (byAmount ? amountLeft > 0m : remaining.Any(q => q > 0))
        {
            OrderRefund refund;
            if (byAmount)
            {
                var amount = Math.Min(amountLeft, Math.Max(0.01m, decimal.Round(order.NetSubtotal * random.Next(1, 60) / 100m, 2)));
                amountLeft -= amount;
                refund = OrderRefund.ForAmount(amount);
            }
            else
            {
                var line = random.Next(remaining.Length);
                if (remaining[line] == 0)
                {
                    continue;
                }

                var quantity = random.Next(1, remaining[line] + 1);
                remaining[line] -= quantity;
                refund = OrderRefund.ForLines(new LineRefund(line, quantity));
            }

            var result = EarningEngine.Instance.ComputeRefund(order, recorded, previous, refund);
            result.Rules.Should().NotContain(r => r.Points.Value < 0);
            taken += result.Total.Value;
            previous.Add(refund);
            taken.Should().BeLessThanOrEqualTo(recorded.Total.Value);
        }

        if (!byAmount || order.NetSubtotal > 0m)
        {
            taken.Should().Be(recorded.Total.Value, "the whole order has been refunded");
        }
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public Property The_engine_gives_exactly_the_reference_evaluation() =>
        Prop.ForAll(EarningArbitraries.EvaluationCaseGen.ToArbitrary(), c =>
        {
            // Usage grows as the same order is recorded again, so that caps and budgets get reached.
            var usage = EarningUsage.Empty;
            for (var i = 0; i < c.Repeats; i++)
            {
                usage = usage.Apply(ReferenceEarningEngine.EvaluateOrder(c.RuleSet, c.Order, c.Member, usage, isQuote: false).UsageDeltas);
            }

            ShouldBeIdentical(EarningEngine.Instance.Evaluate(c.RuleSet, c.Order, c.Member, usage), ReferenceEarningEngine.EvaluateOrder(c.RuleSet, c.Order, c.Member, usage, isQuote: false));
            ShouldBeIdentical(EarningEngine.Instance.Quote(c.RuleSet, c.Order, c.Member, usage), ReferenceEarningEngine.EvaluateOrder(c.RuleSet, c.Order, c.Member, usage, isQuote: true));
            var review = new ActivityInput(ActivityKind.Review, Alice, c.Order.PlacedAt);
            ShouldBeIdentical(EarningEngine.Instance.Evaluate(c.RuleSet, review, c.Member, usage), ReferenceEarningEngine.Evaluate(c.RuleSet, review, c.Member, usage));
            return true;
        });

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public Property Amounts_beyond_64_bit_integers_are_evaluated_exactly_as_the_reference() =>
        Prop.ForAll(EarningArbitraries.StackingRuleSetGen.ToArbitrary(), EarningArbitraries.UnusualAmountsOrderGen.ToArbitrary(), EarningArbitraries.MemberGen.ToArbitrary(), (ruleSet, order, member) =>
        {
            EarningResult expected;
            try
            {
                expected = ReferenceEarningEngine.EvaluateOrder(ruleSet, order, member, EarningUsage.Empty, isQuote: false);
            }
            catch (OverflowException)
            {
                FluentActions.Invoking(() => EarningEngine.Instance.Evaluate(ruleSet, order, member, EarningUsage.Empty)).Should().Throw<OverflowException>();
                return true;
            }

            ShouldBeIdentical(EarningEngine.Instance.Evaluate(ruleSet, order, member, EarningUsage.Empty), expected);
            return true;
        });

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public Property Refunds_from_the_engine_result_equal_refunds_from_the_reference_result() =>
        Prop.ForAll(EarningArbitraries.EvaluationCaseGen.ToArbitrary(), Gen.Choose(0, 1_000).ToArbitrary(), (c, seed) =>
        {
            var random = new Random(seed);
            var recorded = EarningEngine.Instance.Evaluate(c.RuleSet, c.Order, c.Member, EarningUsage.Empty);
            var reference = ReferenceEarningEngine.EvaluateOrder(c.RuleSet, c.Order, c.Member, EarningUsage.Empty, isQuote: false);
            var refund = OrderRefund.ForLines(c.Order.Lines.Select((l, i) => new LineRefund(i, random.Next(0, l.Quantity + 1))).Where(r => r.Quantity > 0).DefaultIfEmpty(new LineRefund(0, 1)).ToArray());

            var fromEngine = EarningEngine.Instance.ComputeRefund(c.Order, recorded, [], refund);
            var fromReference = EarningEngine.Instance.ComputeRefund(c.Order, reference, [], refund);

            fromEngine.Total.Should().Be(fromReference.Total);
            fromEngine.Rules.Should().Equal(fromReference.Rules);
            return true;
        });

    [Property(MaxTest = 200 / PropertyRuns.Divisor)]
    public Property Rounding_gives_what_decimal_rounding_gives() =>
        Prop.ForAll(
            Gen.OneOf(
                from low in Gen.Choose(int.MinValue, int.MaxValue)
                from mid in Gen.Choose(int.MinValue, int.MaxValue)
                from high in Gen.Elements(0, 0, 0, 1, int.MaxValue)
                from negative in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
                from scale in Gen.Choose(0, 28)
                select new decimal(low, mid, high, negative, (byte)scale),
                from whole in Gen.Choose(0, 100_000)
                from half in Gen.Elements(0.5m, 0.50m, 0.500000m, 0.49m, 0.51m, 0m, 0.000m)
                select whole + half).ToArbitrary(),
            Gen.Elements(PointsRounding.Floor, PointsRounding.HalfUp, PointsRounding.HalfEven, PointsRounding.Ceiling).ToArbitrary(),
            (value, rounding) =>
            {
                long expected;
                try
                {
                    expected = ReferenceEarningEngine.Round(value, rounding);
                }
                catch (OverflowException)
                {
                    FluentActions.Invoking(() => EarningEngine.Round(value, rounding)).Should().Throw<OverflowException>();
                    return true;
                }

                return EarningEngine.Round(value, rounding) == expected;
            });

    private static void ShouldBeIdentical(EarningResult actual, EarningResult expected)
    {
        actual.Total.Should().Be(expected.Total);
        actual.Rules.Count.Should().Be(expected.Rules.Count);
        for (var i = 0; i < expected.Rules.Count; i++)
        {
            var a = actual.Rules[i];
            var e = expected.Rules[i];
            (a.RuleId, a.Outcome, a.Reversal, a.Desired, a.Rounded, a.Awarded, a.Allocation.IsEmpty)
                .Should().Be((e.RuleId, e.Outcome, e.Reversal, e.Desired, e.Rounded, e.Awarded, e.Allocation.IsEmpty), "rule {0} must be explained the same way", e.RuleId);
            a.Allocation.ToArray().Should().Equal(e.Allocation.ToArray());
            actual[e.RuleId].Should().Be(a);
        }

        actual.Rules.Should().Equal(Enumerable.Range(0, actual.Rules.Count).Select(i => actual.Rules[i]), "enumerating gives the indexed entries");
        actual.UsageDeltas.Should().Equal(expected.UsageDeltas);
        actual.Thresholds.Should().Equal(expected.Thresholds);
        actual.ToJson().Should().Be(expected.ToJson(), "the stored form, decimal scales included, must not change");
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public void Json_round_trip_gives_an_equal_rule_set(EarningRuleSet ruleSet, EarningOrder order)
    {
        var back = EarningRuleSet.FromJson(ruleSet.ToJson());

        back.Should().Be(ruleSet);
        back.Descriptions.Should().BeEquivalentTo(ruleSet.Descriptions);
        Evaluate(back, order).ToJson().Should().Be(Evaluate(ruleSet, order).ToJson());
    }
}
