using Loyalty.Core.Achievements;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Tests.Achievements;

public sealed class AchievementEngineTests
{
    private static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];
    private static readonly MemberId Alice = MemberId.From("alice");

    private static readonly AchievementSet Regular = AchievementSet.Create([new AchievementDefinition { Id = "regular", Name = "Regular", Kind = AchievementKind.Streak, Target = 4, BonusPoints = 100 }]);

    private static MemberAchievements Empty => new() { ProgramId = ProgramId.From("club"), MemberId = Alice };

    private static EarningOrder Order(string id, Instant placedAt, decimal amount = 20m, string category = "clothing") =>
        new(OrderId.From(id), Alice, placedAt, Currency.EUR, [new OrderLine("sku", 1, amount, categories: [category])]);

    private static MemberAchievements Apply(AchievementSet set, MemberAchievements state, EarningOrder order, DateTimeZone zone) =>
        AchievementEngine.ApplyOrder(set, state, order, zone)!.State;

    [Fact]
    public void A_streak_counts_calendar_months_in_the_programme_zone_across_the_DST_change_and_a_month_boundary()
    {
        // Paris: summer time starts on 29 March 2026. 31 March 22:30 UTC is already 1 April 00:30 in Paris.
        var orders = new[]
        {
            Order("jan", Instant.FromUtc(2026, 1, 15, 12, 0)),
            Order("feb", Instant.FromUtc(2026, 2, 28, 22, 30)), // 23:30 in Paris, still February
            Order("mar", Instant.FromUtc(2026, 3, 29, 1, 30)),  // 03:30 CEST, the night of the change
            Order("apr", Instant.FromUtc(2026, 3, 31, 22, 30)), // 00:30 CEST on 1 April
        };
        var paris = Empty;
        var utc = Empty;
        AchievementChange? last = null;
        foreach (var order in orders)
        {
            last = AchievementEngine.ApplyOrder(Regular, paris, order, Paris);
            paris = last!.State;
            utc = Apply(Regular, utc, order, DateTimeZone.Utc);
        }

        last!.Unlocked.Should().ContainSingle().Which.Should().Be(new AchievementUnlock("regular", 0, Instant.FromUtc(2026, 3, 31, 22, 30), "order:apr", 100, AchievementEngine.BonusTransaction(Alice, "regular", 0, 0), null));
        paris.Progress.Single().Months.Select(m => m.Month % 12 + 1).Should().Equal(1, 2, 3, 4);
        utc.Unlocks.Should().BeEmpty("in UTC the last order is on 31 March, so only three months are in a row");
        AchievementEngine.Status(Regular, utc, DateTimeZone.Utc, Instant.FromUtc(2026, 4, 2, 0, 0)).Single().Progress.Should().Be(3);
    }

    [Fact]
    public void A_gap_month_breaks_the_streak_and_a_second_order_in_a_month_adds_nothing()
    {
        var state = Empty;
        foreach (var (id, month) in new[] { ("a", 1), ("b", 2), ("b2", 2), ("c", 4), ("d", 5), ("e", 6) })
        {
            state = Apply(Regular, state, Order(id, Instant.FromUtc(2026, month, 10, 12, 0)), Paris);
        }

        state.Unlocks.Should().BeEmpty();
        state = Apply(Regular, state, Order("f", Instant.FromUtc(2026, 7, 10, 12, 0)), Paris);
        state.Unlocks.Should().ContainSingle();
        state = Apply(Regular, state, Order("g", Instant.FromUtc(2026, 8, 10, 12, 0)), Paris);
        state.Unlocks.Should().ContainSingle("a permanent achievement unlocks once");
    }

    [Fact]
    public void A_yearly_achievement_is_valid_until_the_end_of_its_year_and_is_earned_again_the_next_year()
    {
        var critic = AchievementSet.Create([new AchievementDefinition { Id = "critic", Name = "Critic", Kind = AchievementKind.ActivityCount, Activity = ActivityKind.Review, Target = 2, Validity = AchievementValidity.CalendarYear, BonusPoints = 20 }]);
        var state = Empty;
        var n = 0;
        MemberAchievements Review(Instant at) => AchievementEngine.ApplyActivity(critic, state, ActivityId.From("r" + n++), new ActivityInput(ActivityKind.Review, Alice, at), Paris).State;

        state = Review(Instant.FromUtc(2026, 11, 2, 10, 0));
        state = Review(Instant.FromUtc(2026, 12, 31, 22, 0)); // 23:00 in Paris: still 2026
        var during = AchievementEngine.Status(critic, state, Paris, Instant.FromUtc(2026, 12, 31, 22, 59)).Single();
        var after = AchievementEngine.Status(critic, state, Paris, Instant.FromUtc(2026, 12, 31, 23, 0)).Single(); // midnight in Paris
        state = Review(Instant.FromUtc(2027, 2, 1, 10, 0));
        var halfway = AchievementEngine.Status(critic, state, Paris, Instant.FromUtc(2027, 2, 2, 0, 0)).Single();
        state = Review(Instant.FromUtc(2027, 3, 1, 10, 0));

        during.Should().Be(new AchievementStatus("critic", "Critic", AchievementKind.ActivityCount, 2, 2, Instant.FromUtc(2026, 12, 31, 22, 0), Instant.FromUtc(2026, 12, 31, 23, 0)));
        after.IsUnlocked.Should().BeFalse();
        after.Progress.Should().Be(0);
        halfway.Progress.Should().Be(1);
        state.Unlocks.Select(u => (u.Year, u.BonusTransaction)).Should().Equal(
            (2026, AchievementEngine.BonusTransaction(Alice, "critic", 2026, 0)),
            (2027, AchievementEngine.BonusTransaction(Alice, "critic", 2027, 0)));
    }

    [Fact]
    public void Under_the_revoke_policy_a_refund_below_the_threshold_revokes_and_under_keep_it_stays()
    {
        var definition = new AchievementDefinition { Id = "big", Name = "Big spender", Kind = AchievementKind.SpendThreshold, Amount = 100m, BonusPoints = 50 };
        var revoke = AchievementSet.Create([definition], AchievementRefundPolicy.Revoke);
        var keep = AchievementSet.Create([definition], AchievementRefundPolicy.Keep);
        var order = Order("o", Instant.FromUtc(2026, 5, 1, 10, 0), 120m);
        var refundedAt = Instant.FromUtc(2026, 5, 3, 10, 0);

        var revoked = AchievementEngine.ApplyRefund(revoke, Apply(revoke, Empty, order, Paris), order, 30m, false, refundedAt, Paris)!;
        var kept = AchievementEngine.ApplyRefund(keep, Apply(keep, Empty, order, Paris), order, 30m, false, refundedAt, Paris)!;
        var smallRefund = AchievementEngine.ApplyRefund(revoke, Apply(revoke, Empty, order, Paris), order, 20m, false, refundedAt, Paris)!;

        revoked.Revoked.Should().ContainSingle().Which.RevokedAt.Should().Be(refundedAt);
        revoked.State.Unlocks.Single().IsRevoked.Should().BeTrue();
        AchievementEngine.Status(revoke, revoked.State, Paris, refundedAt).Single().Should().Match<AchievementStatus>(s => !s.IsUnlocked && s.Progress == 90);
        kept.Revoked.Should().BeEmpty();
        AchievementEngine.Status(keep, kept.State, Paris, refundedAt).Single().Should().Match<AchievementStatus>(s => s.IsUnlocked && s.Progress == 90);
        smallRefund.Revoked.Should().BeEmpty("100 € is still spent");
    }

    [Fact]
    public void A_first_in_a_category_unlocks_on_the_first_order_with_a_line_in_it_and_a_full_refund_revokes_it()
    {
        var set = AchievementSet.Create([new AchievementDefinition { Id = "bookworm", Name = "Bookworm", Kind = AchievementKind.FirstInCategory, Category = "books" }], AchievementRefundPolicy.Revoke);
        var shoes = Order("shoes", Instant.FromUtc(2026, 5, 1, 10, 0), 50m, "shoes");
        var book = Order("book", Instant.FromUtc(2026, 5, 2, 10, 0), 15m, "books");

        var state = Apply(set, Empty, shoes, Paris);
        state.Unlocks.Should().BeEmpty();
        state = Apply(set, state, book, Paris);
        state.Unlocks.Should().ContainSingle().Which.CausedBy.Should().Be("order:book");
        var partial = AchievementEngine.ApplyRefund(set, state, book, 5m, fullyRefunded: false, Instant.FromUtc(2026, 5, 3, 0, 0), Paris);
        var full = AchievementEngine.ApplyRefund(set, state, book, 15m, fullyRefunded: true, Instant.FromUtc(2026, 5, 3, 0, 0), Paris)!;

        partial.Should().BeNull();
        full.Revoked.Should().ContainSingle();
    }

    [Fact]
    public void A_set_without_order_achievements_writes_nothing_for_an_order() =>
        AchievementEngine.ApplyOrder(AchievementSet.Create([new AchievementDefinition { Id = "amb", Name = "Ambassador", Kind = AchievementKind.ReferralCount, Target = 3 }]), Empty, Order("o", Instant.FromUtc(2026, 5, 1, 10, 0)), Paris).Should().BeNull();
}
