using FluentAssertions;
using Loyalty.Core.Earning;
using Loyalty.Core.Economics;
using Loyalty.Core.Primitives;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Tests.Economics;

/// <summary>A backtest replays orders at a merchant with the merchant's own rule sets on top, as the programme records them.</summary>
public sealed class MerchantRuleSetBacktestTests
{
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    private static readonly MerchantId Grocer = MerchantId.From("grocer");
    private static readonly MerchantId Bookshop = MerchantId.From("bookshop");
    private static readonly MemberId Alice = MemberId.From("alice");

    [Fact]
    public async Task Orders_at_a_merchant_earn_its_own_rules_on_top_of_the_candidates_with_the_version_of_their_instant()
    {
        var candidate = new ProgrammeCandidate("coalition", Rules("2026-01", At(2026, 1, 1)).EarnPerUnit("base", 1m).Build())
        {
            MerchantRuleSets = new Dictionary<MerchantId, EarningRuleSetHistory>
            {
                [Grocer] = EarningRuleSetHistory.Create([
                    Rules("g1", At(2026, 1, 1)).EarnPerUnit("base", 2m).FixedBonus("welcome", 50).Build(),
                    Rules("g2", At(2026, 1, 15)).EarnPerUnit("base", 3m).Build(),
                ]),
            },
        };
        var input = new BacktestInput
        {
            Orders =
            [
                Order("G-1", At(2026, 1, 10), 20m, Grocer),    // 20 + 40 + 50 (g1)
                Order("G-2", At(2026, 1, 20), 20m, Grocer),    // 20 + 60 (g2)
                Order("B-1", At(2026, 1, 20), 20m, Bookshop),  // 20
                Order("S-1", At(2026, 1, 20), 20m, null),      // 20
            ],
            Refunds = [],
        };

        var result = await ProgrammeBacktest.RunAsync(candidate, input, new BacktestSettings(Currency.EUR, Paris, seed: 1));

        result.OrderPoints[OrderId.From("G-1")].Should().Be(Points.FromInt64(110));
        result.OrderPoints[OrderId.From("G-2")].Should().Be(Points.FromInt64(80));
        result.OrderPoints[OrderId.From("B-1")].Should().Be(Points.FromInt64(20));
        result.OrderPoints[OrderId.From("S-1")].Should().Be(Points.FromInt64(20));
    }

    [Fact]
    public async Task A_merchant_rule_counted_under_the_id_of_a_candidate_rule_is_refused_before_the_replay()
    {
        var candidate = new ProgrammeCandidate("coalition", Rules("2026-01", At(2026, 1, 1)).EarnPerUnit("base", 1m).FixedBonus("grocer/bonus", 5).Build())
        {
            MerchantRuleSets = new Dictionary<MerchantId, EarningRuleSetHistory>
            {
                [Grocer] = EarningRuleSetHistory.Create([Rules("g1", At(2026, 1, 1)).FixedBonus("bonus", 10).Build()]),
            },
        };
        var input = new BacktestInput { Orders = [Order("G-1", At(2026, 1, 10), 20m, Grocer)], Refunds = [] };

        var act = () => ProgrammeBacktest.RunAsync(candidate, input, new BacktestSettings(Currency.EUR, Paris, seed: 1));
        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be(
            "Rule \"bonus\" of merchant 'grocer' in candidate 'coalition' is counted as \"grocer/bonus\", the id of a rule of its rule set 2026-01; give one of them another id. (Parameter 'candidate')");
    }

    private static EarningRuleSetBuilder Rules(string version, Instant from) => new(version, from, Currency.EUR, "Europe/Paris");

    private static Instant At(int year, int month, int day) => new LocalDateTime(year, month, day, 10, 0).InZoneLeniently(Paris).ToInstant();

    private static EarningOrder Order(string id, Instant at, decimal amount, MerchantId? store) =>
        new(OrderId.From(id), Alice, at, Currency.EUR, [new OrderLine("ITEM", 1, amount)], store: store);
}
