using FluentAssertions;
using Loyalty.Core.Coalition;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using NodaTime;
using Xunit;
using static Loyalty.Core.Tests.Coalition.CoalitionHarness;

namespace Loyalty.Core.Tests.Coalition;

/// <summary>Each partner's own versioned earning rule set, on top of the coalition-wide rules.</summary>
public sealed class MerchantRuleSetTests
{
    private static readonly MemberId Alice = MemberId.From("alice");
    private static readonly ProgramId Miles = ProgramId.From("miles");

    [Fact]
    public async Task A_partners_own_rule_set_adds_to_the_coalition_wide_rules_only_in_its_shop_and_the_receipt_says_where_each_line_came_from()
    {
        using var h = await ConfiguredAsync();

        // The grocer's own "base" has the coalition rule's id: it is recorded as "grocer/base".
        (await h.Coalition.PublishMerchantRuleSetAsync(Grocer, GrocerRules("g1", At(2026, 1, 1, 0), perEuro: 2m, bonus: 50))).Should().BeTrue();
        h.AdvanceTo(At(2026, 1, 10));

        var grocer = await h.EarnAsync("G-1", Alice, Grocer, 20m);
        grocer.Points.Should().Be(P(110)); // 20 coalition-wide + 40 + 50 of the grocer's own rules
        grocer.RuleSetVersion.Should().Be("2026-01");
        grocer.MerchantRuleSetVersion.Should().Be("g1");
        grocer.Earning.MerchantRuleSetVersion.Should().Be("g1");
        grocer.Explanation.Select(l => (l.RuleId.Value, l.Points.Value, l.RuleSetVersion, l.Merchant)).Should().Equal(
            ("base", 20L, "2026-01", (MerchantId?)null),
            ("grocer/base", 40L, "g1", Grocer),
            ("grocer/welcome", 50L, "g1", Grocer));
        grocer.Explanation[1].Text.Should().Be("   +40  " + GrocerRules("g1", At(2026, 1, 1, 0), perEuro: 2m, bonus: 50).Describe(RuleId.From("base")));

        var bookshop = await h.EarnAsync("B-1", Alice, Bookshop, 20m);
        bookshop.Points.Should().Be(P(20));
        bookshop.MerchantRuleSetVersion.Should().BeNull();
        bookshop.Explanation.Should().ContainSingle().Which.RuleSetVersion.Should().Be("2026-01");
        (await h.Ledger.GetBalanceAsync(Alice)).Pending.Should().Be(P(130));
    }

    [Fact]
    public async Task An_order_earns_under_the_partners_version_in_force_at_its_instant_even_when_recorded_later()
    {
        using var h = await ConfiguredAsync();
        await h.Coalition.PublishMerchantRuleSetAsync(Grocer, GrocerRules("g1", At(2026, 1, 1, 0), perEuro: 1m, bonus: 50));
        await h.Coalition.PublishMerchantRuleSetAsync(Grocer, GrocerRules("g2", At(2026, 1, 15, 0), perEuro: 1m, bonus: 80));
        h.AdvanceTo(At(2026, 1, 20));

        var early = (await h.Coalition.RecordOrderAsync(new EarningOrder(OrderId.From("G-early"), Alice, At(2026, 1, 10), Currency.EUR, [new OrderLine("ITEM", 1, 10m)], store: Grocer))).GetValueOrThrow();
        early.Points.Should().Be(P(70)); // 10 + 10 + 50 (g1)
        early.MerchantRuleSetVersion.Should().Be("g1");

        var late = await h.EarnAsync("G-late", Alice, Grocer, 10m);
        late.Points.Should().Be(P(100)); // 10 + 10 + 80 (g2)
        late.MerchantRuleSetVersion.Should().Be("g2");

        var history = await h.Coalition.GetMerchantRuleSetsAsync(Grocer);
        history.Versions.Select(v => v.Version).Should().Equal("g1", "g2");
        (await h.Coalition.GetMerchantRuleSetsAsync(Bookshop)).Versions.Should().BeEmpty();
    }

    [Fact]
    public async Task Exclusive_rules_act_within_their_own_set_only()
    {
        using var h = await ConfiguredAsync();

        // The grocer's exclusive flash bonus skips the grocer's later rule, not the coalition's base rule.
        await h.Coalition.PublishMerchantRuleSetAsync(Grocer, new EarningRuleSetBuilder("g1", At(2026, 1, 1, 0), Currency.EUR, "Europe/Paris")
            .FixedBonus("flash", 5, configure: r => r with { Exclusive = true, Priority = -1 })
            .EarnPerUnit("extra", 1m)
            .Build());
        h.AdvanceTo(At(2026, 1, 10));
        var january = await h.EarnAsync("G-1", Alice, Grocer, 20m);
        january.Points.Should().Be(P(25));
        january.Earning[RuleId.From("base")].Outcome.Should().Be(RuleOutcome.Fired);
        january.Earning[RuleId.From("grocer/flash")].Awarded.Should().Be(P(5));
        january.Earning[RuleId.From("grocer/extra")].Outcome.Should().Be(RuleOutcome.ExcludedByExclusiveRule);

        // A coalition-wide exclusive promotion skips the coalition's base rule, not the grocer's rules.
        await h.Program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-02", At(2026, 2, 1, 0), Currency.EUR, "Europe/Paris")
            .FixedBonus("promo", 10, configure: r => r with { Exclusive = true, Priority = -1 })
            .EarnPerUnit("base", 1m)
            .Build());
        h.AdvanceTo(At(2026, 2, 5));
        var february = await h.EarnAsync("G-2", Alice, Grocer, 20m);
        february.Points.Should().Be(P(15)); // promo 10 + flash 5
        february.Earning[RuleId.From("base")].Outcome.Should().Be(RuleOutcome.ExcludedByExclusiveRule);
        february.Earning[RuleId.From("grocer/flash")].Outcome.Should().Be(RuleOutcome.Fired);
    }

    [Fact]
    public async Task Per_member_caps_of_rules_with_the_same_id_in_two_sets_are_counted_apart_and_kept_across_orders()
    {
        using var h = new CoalitionHarness();
        await h.Program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-01", At(2025, 12, 1, 0), Currency.EUR, "Europe/Paris")
            .EarnPerUnit("base", 1m)
            .FixedBonus("bonus", 30, configure: r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Month, MaxPoints = P(50) } } })
            .Build());
        foreach (var merchant in new[] { Grocer, Bookshop })
        {
            await h.Coalition.RegisterPartnerAsync(PartnerOf(merchant, merchant.Value, Currency.EUR));
            await h.Coalition.AddAgreementAsync(PerPoint(merchant, Currency.EUR, 0.01m));
        }

        await h.Coalition.PublishMerchantRuleSetAsync(Grocer, new EarningRuleSetBuilder("g1", At(2026, 1, 1, 0), Currency.EUR, "Europe/Paris")
            .FixedBonus("bonus", 30, configure: r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Month, MaxPoints = P(40) } } })
            .Build());
        await h.EnrolAsync(Alice);
        h.AdvanceTo(At(2026, 1, 10));

        (await h.EarnAsync("G-1", Alice, Grocer, 10m)).Points.Should().Be(P(70));   // 10 + 30 + 30
        var second = await h.EarnAsync("G-2", Alice, Grocer, 10m);
        second.Points.Should().Be(P(40));                                             // 10 + 20 (50 − 30) + 10 (40 − 30)
        second.Earning[RuleId.From("bonus")].Awarded.Should().Be(P(20));
        second.Earning[RuleId.From("grocer/bonus")].Awarded.Should().Be(P(10));
        (await h.EarnAsync("B-1", Alice, Bookshop, 10m)).Points.Should().Be(P(10));  // the coalition's cap is used up
        (await h.EarnAsync("G-3", Alice, Grocer, 10m)).Points.Should().Be(P(10));    // both caps are used up

        // The kept state, rebuilt from the history, gives the same usage: an order recorded late replays it.
        var late = (await h.Coalition.RecordOrderAsync(new EarningOrder(OrderId.From("G-0"), Alice, At(2026, 1, 9), Currency.EUR, [new OrderLine("ITEM", 1, 10m)], store: Grocer))).GetValueOrThrow();
        late.Points.Should().Be(P(10));

        h.AdvanceTo(At(2026, 2, 3));
        (await h.EarnAsync("G-4", Alice, Grocer, 10m)).Points.Should().Be(P(70));   // a new month: both caps start again
    }

    [Fact]
    public async Task A_refund_takes_back_what_the_versions_that_earned_gave_not_todays_rules()
    {
        using var h = await ConfiguredAsync();
        await h.Coalition.PublishMerchantRuleSetAsync(Grocer, GrocerRules("g1", At(2026, 1, 1, 0), perEuro: 2m, bonus: null));
        h.AdvanceTo(At(2026, 1, 10));
        (await h.EarnAsync("G-1", Alice, Grocer, 100m)).Points.Should().Be(P(300));

        await h.Coalition.PublishMerchantRuleSetAsync(Grocer, GrocerRules("g2", At(2026, 1, 12, 0), perEuro: 5m, bonus: null));
        h.AdvanceTo(At(2026, 1, 20));
        var refund = (await h.Coalition.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("G-1"), OrderRefund.ForAmount(50m)))).GetValueOrThrow();
        refund.PointsReversed.Should().Be(P(150)); // 50 of the coalition's base + 100 of g1's 2 per euro (g2 would say 250)

        var recorded = (await h.Program.Members.ListRefundsAsync(Miles, OrderId.From("G-1"))).Should().ContainSingle().Subject;
        recorded.Result.Rules.Select(r => (r.RuleId.Value, r.Points.Value)).Should().Equal(("base", 50L), ("grocer/base", 100L));
        (await h.Ledger.GetBalanceAsync(Alice)).Pending.Should().Be(P(150));
    }

    [Fact]
    public async Task A_quote_at_a_partner_adds_its_rules_as_the_order_will()
    {
        using var h = await ConfiguredAsync();
        await h.Coalition.PublishMerchantRuleSetAsync(Grocer, GrocerRules("g1", At(2026, 1, 1, 0), perEuro: 2m, bonus: 50));
        h.AdvanceTo(At(2026, 1, 10));

        var quote = (await h.Program.QuoteAsync(h.Order("Q-1", Alice, Grocer, 20m))).GetValueOrThrow();
        quote.Points.Should().Be(P(110));
        quote.Earning.MerchantRuleSetVersion.Should().Be("g1");
        quote.Explanation.Select(l => l.RuleSetVersion).Should().Equal("2026-01", "g1", "g1");
        (await h.Program.QuoteAsync(h.Order("Q-2", Alice, Bookshop, 20m))).GetValueOrThrow().Points.Should().Be(P(20));
    }

    [Fact]
    public async Task An_activity_at_a_partner_earns_its_activity_rules_too()
    {
        using var h = await ConfiguredAsync();
        await h.Coalition.PublishMerchantRuleSetAsync(Grocer, new EarningRuleSetBuilder("g1", At(2026, 1, 1, 0), Currency.EUR, "Europe/Paris")
            .CustomEvent("tasting", "tasting", 25)
            .Build());
        h.AdvanceTo(At(2026, 1, 10));

        var atGrocer = (await h.Coalition.RecordActivityAsync(ActivityId.From("A-1"), new ActivityInput(ActivityKind.Custom, Alice, At(2026, 1, 10), "tasting") { Merchant = Grocer })).GetValueOrThrow();
        atGrocer.Points.Should().Be(P(25));
        atGrocer.Explanation.Should().ContainSingle(l => l.Points.Value == 25).Which.Should().BeEquivalentTo(new { RuleSetVersion = "g1", Merchant = (MerchantId?)Grocer });

        var atBookshop = (await h.Coalition.RecordActivityAsync(ActivityId.From("A-2"), new ActivityInput(ActivityKind.Custom, Alice, At(2026, 1, 10), "tasting") { Merchant = Bookshop })).GetValueOrThrow();
        atBookshop.Points.Should().Be(P(0));
    }

    [Fact]
    public async Task Publishing_for_an_unknown_partner_is_refused_and_nothing_is_written()
    {
        using var h = await ConfiguredAsync();
        var nowhere = MerchantId.From("nowhere");
        var act = () => h.Coalition.PublishMerchantRuleSetAsync(nowhere, GrocerRules("n1", At(2026, 1, 1, 0), 1m, null));
        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("Merchant 'nowhere' is not a partner of programme 'miles'; register it with RegisterPartnerAsync first. (Parameter 'merchant')");
        (await h.Coalition.GetMerchantRuleSetsAsync(nowhere)).Versions.Should().BeEmpty();
    }

    [Fact]
    public async Task Publishing_for_a_partner_that_left_or_leaves_before_the_rules_take_effect_is_refused_and_nothing_is_written()
    {
        using var h = await ConfiguredAsync();
        h.AdvanceTo(At(2026, 1, 10));
        await h.Coalition.RecordPartnerLeavingAsync(Grocer, new LocalDate(2026, 2, 1));

        var after = () => h.Coalition.PublishMerchantRuleSetAsync(Grocer, GrocerRules("g1", At(2026, 2, 5, 0), 1m, null));
        (await after.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be(
            "Rule set g1 of partner 'grocer' takes effect on 2026-02-05, but the partner leaves the coalition on 2026-02-01; it would never apply. Nothing was published. (Parameter 'ruleSet')");

        h.AdvanceTo(At(2026, 2, 2));
        var left = () => h.Coalition.PublishMerchantRuleSetAsync(Grocer, GrocerRules("g1", At(2026, 1, 1, 0), 1m, null));
        (await left.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be(
            "Partner 'grocer' left the coalition on 2026-02-01; a partner that left cannot publish earning rules (rule set g1 was not published). (Parameter 'merchant')");
        (await h.Coalition.GetMerchantRuleSetsAsync(Grocer)).Versions.Should().BeEmpty();
    }

    [Fact]
    public async Task A_rule_set_in_another_currency_or_time_zone_is_refused_like_the_programmes()
    {
        using var h = await ConfiguredAsync();
        var usd = () => h.Coalition.PublishMerchantRuleSetAsync(Grocer, new EarningRuleSetBuilder("g1", At(2026, 1, 1, 0), Currency.USD, "Europe/Paris").EarnPerUnit("x", 1m).Build());
        (await usd.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("Rule set g1 is in USD but the programme's currency is EUR; build it in EUR. (Parameter 'ruleSet')");
        var london = () => h.Coalition.PublishMerchantRuleSetAsync(Grocer, new EarningRuleSetBuilder("g1", At(2026, 1, 1, 0), Currency.EUR, "Europe/London").EarnPerUnit("x", 1m).Build());
        (await london.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("Rule set g1 computes its calendar in Europe/London but the programme's time zone is Europe/Paris; build it in Europe/Paris. (Parameter 'ruleSet')");
        (await h.Coalition.GetMerchantRuleSetsAsync(Grocer)).Versions.Should().BeEmpty();
    }

    [Fact]
    public async Task Rule_ids_that_cannot_be_namespaced_or_would_collide_are_refused_on_both_sides()
    {
        using var h = await ConfiguredAsync();
        var slash = () => h.Coalition.PublishMerchantRuleSetAsync(Grocer, new EarningRuleSetBuilder("g1", At(2026, 1, 1, 0), Currency.EUR, "Europe/Paris").EarnPerUnit("fresh/veg", 1m).Build());
        (await slash.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be(
            "Rule set g1 of merchant 'grocer' cannot be published: rule \"fresh/veg\" holds a '/'; a merchant's rule ids may not (its rules are recorded as \"grocer/{rule id}\"). (Parameter 'ruleSet')");
        var longId = new string('r', 122);
        var tooLong = () => h.Coalition.PublishMerchantRuleSetAsync(Grocer, new EarningRuleSetBuilder("g1", At(2026, 1, 1, 0), Currency.EUR, "Europe/Paris").EarnPerUnit(longId, 1m).Build());
        (await tooLong.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be(
            $"Rule set g1 of merchant 'grocer' cannot be published: rule \"{longId}\" is recorded as \"grocer/{longId}\", 129 characters, more than the 128 a rule id may have; shorten it. (Parameter 'ruleSet')");

        // A coalition-wide rule already named "grocer/bonus": the grocer's "bonus" would be recorded under its id.
        await h.Program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-02", At(2026, 2, 1, 0), Currency.EUR, "Europe/Paris").EarnPerUnit("base", 1m).FixedBonus("grocer/bonus", 5).Build());
        var clash = () => h.Coalition.PublishMerchantRuleSetAsync(Grocer, GrocerRules("g1", At(2026, 1, 1, 0), 1m, 10, bonusId: "bonus"));
        (await clash.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be(
            "Rule \"bonus\" of merchant 'grocer' is recorded as \"grocer/bonus\", the id of a rule of the programme's rule set 2026-02; give the merchant's rule another id. (Parameter 'ruleSet')");
        (await h.Coalition.GetMerchantRuleSetsAsync(Grocer)).Versions.Should().BeEmpty();

        // The other way round: the bookshop's "gift", then a programme rule "bookshop/gift".
        await h.Coalition.PublishMerchantRuleSetAsync(Bookshop, new EarningRuleSetBuilder("b1", At(2026, 1, 1, 0), Currency.EUR, "Europe/Paris").FixedBonus("gift", 5).Build());
        var programme = () => h.Program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-03", At(2026, 3, 1, 0), Currency.EUR, "Europe/Paris").EarnPerUnit("base", 1m).FixedBonus("bookshop/gift", 5).Build());
        (await programme.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be(
            "Rule \"bookshop/gift\" of rule set 2026-03 has the id merchant 'bookshop''s own rule \"gift\" (its rule set b1) is recorded under; give the programme's rule another id. (Parameter 'ruleSet')");
    }

    [Fact]
    public async Task A_partners_version_label_or_instant_used_twice_is_refused_and_the_same_rule_set_again_changes_nothing()
    {
        using var h = await ConfiguredAsync();
        var g1 = GrocerRules("g1", At(2026, 1, 1, 0), 1m, 10);
        (await h.Coalition.PublishMerchantRuleSetAsync(Grocer, g1)).Should().BeTrue();
        (await h.Coalition.PublishMerchantRuleSetAsync(Grocer, g1)).Should().BeFalse();

        // The coalition-wide history uses "2026-01"; the grocer's own history may use it too, and g1's instant.
        (await h.Coalition.PublishMerchantRuleSetAsync(Bookshop, GrocerRules("g1", At(2026, 1, 1, 0), 1m, 10))).Should().BeTrue();

        var label = () => h.Coalition.PublishMerchantRuleSetAsync(Grocer, GrocerRules("g1", At(2026, 1, 5, 0), 2m, 10));
        (await label.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be("Version \"g1\" is already in the history; give the new rule set another version. (Parameter 'ruleSet')");
        var instant = () => h.Coalition.PublishMerchantRuleSetAsync(Grocer, GrocerRules("g2", At(2026, 1, 1, 0), 2m, 10));
        (await instant.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be($"Version \"g1\" already takes effect at {At(2026, 1, 1, 0)}; give \"g2\" another effective instant. (Parameter 'ruleSet')");
        (await h.Coalition.GetMerchantRuleSetsAsync(Grocer)).Versions.Should().ContainSingle();
    }

    private static async Task<CoalitionHarness> ConfiguredAsync()
    {
        var h = await new CoalitionHarness().ConfigureAsync(
            (PartnerOf(Grocer, "Grocer", Currency.EUR), PerPoint(Grocer, Currency.EUR, 0.01m)),
            (PartnerOf(Bookshop, "Bookshop", Currency.EUR), PerPoint(Bookshop, Currency.EUR, 0.01m)));
        await h.EnrolAsync(Alice);
        return h;
    }

    private static EarningRuleSet GrocerRules(string version, Instant from, decimal perEuro, long? bonus, string bonusId = "welcome")
    {
        var builder = new EarningRuleSetBuilder(version, from, Currency.EUR, "Europe/Paris").EarnPerUnit("base", perEuro);
        return (bonus is { } b ? builder.FixedBonus(bonusId, b) : builder).Build();
    }
}
