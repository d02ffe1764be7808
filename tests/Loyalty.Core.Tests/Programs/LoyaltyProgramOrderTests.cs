using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using NodaTime;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

public class LoyaltyProgramOrderTests
{
    [Fact]
    public async Task An_order_is_earned_under_the_rules_in_force_when_it_was_placed()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        var doubleFrom = At(2026, 3, 10, 0);
        await h.Program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-03", doubleFrom, Currency.EUR, "Europe/Paris").EarnPerUnit("base", 2m).Build());
        h.Clock.Reset(At(2026, 3, 12));

        var late = (await h.Program.RecordOrderAsync(Order("A-1", Alice, At(2026, 3, 9, 23), Line("SKU", 1, 50m)))).GetValueOrThrow();
        var current = (await h.Program.RecordOrderAsync(Order("A-2", Alice, At(2026, 3, 10, 0), Line("SKU", 1, 50m)))).GetValueOrThrow();

        late.RuleSetVersion.Should().Be("2026-01");
        late.Points.Should().Be(P(50));
        current.RuleSetVersion.Should().Be("2026-03");
        current.Points.Should().Be(P(100));
    }

    [Fact]
    public async Task The_return_window_counts_from_the_orders_placement()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        var placed = h.Now;
        h.AdvanceDays(10);

        var late = (await h.Program.RecordOrderAsync(Order("A-1", Alice, placed, Line("SKU", 1, 50m)))).GetValueOrThrow();
        var old = (await h.Program.RecordOrderAsync(Order("A-2", Alice, placed - Duration.FromDays(30), Line("SKU", 1, 20m)))).GetValueOrThrow();

        late.AvailableAt.Should().Be(placed + Duration.FromDays(14));
        old.AvailableAt.Should().Be(h.Now, "its return window is over: available at once");
        (await h.BalanceAsync(Alice)).Should().Match<Loyalty.Core.Ledger.LedgerBalance>(b => b.Pending == P(50) && b.Available == P(120));
        (await h.Program.RecordOrderAsync(Order("A-1", Alice, placed, Line("SKU", 1, 50m)))).IsRepeat.Should().BeTrue();
    }

    [Fact]
    public async Task Custom_events_earn_as_their_rule_says_and_unknown_ones_earn_nothing()
    {
        using var h = new ProgramHarness();
        await h.Program.PublishRuleSetAsync(new EarningRuleSetBuilder("v1", At(2026, 1, 1), Currency.EUR, "Europe/Paris")
            .EarnPerUnit("base", 1m)
            .CustomEvent("newsletter", "newsletter-signup", 25)
            .Build());
        await h.EnrolAsync(Alice);

        var newsletter = (await h.Program.RecordActivityAsync(ActivityId.From("nl-1"), new ActivityInput(ActivityKind.Custom, Alice, h.Now, "newsletter-signup"))).GetValueOrThrow();
        var other = (await h.Program.RecordActivityAsync(ActivityId.From("x-1"), new ActivityInput(ActivityKind.Custom, Alice, h.Now, "app-install"))).GetValueOrThrow();

        newsletter.Points.Should().Be(P(25));
        newsletter.Explanation.Should().ContainSingle().Which.RuleId.Should().Be(RuleId.From("newsletter"));
        other.Points.Should().Be(P(0));
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(25));
    }

    [Fact]
    public async Task A_29_February_birthday_is_celebrated_on_28_February_and_never_before_enrolment()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        h.Clock.Reset(At(2026, 3, 1));
        await h.Program.EnrolAsync(new Enrolment(Alice) { BirthDate = new LocalDate(2000, 2, 29) });

        (await h.Program.RunMaintenanceAsync(h.Now)).Birthdays.Should().BeEmpty("this year's birthday was before enrolment");

        h.Clock.Reset(At(2027, 2, 27, 23));
        (await h.Program.RunMaintenanceAsync(h.Now)).Birthdays.Should().BeEmpty();
        h.Clock.Reset(At(2027, 2, 28, 0));
        (await h.Program.RunMaintenanceAsync(h.Now)).Birthdays.Should().Equal(new BirthdayGrant(Alice, new LocalDate(2027, 2, 28), P(50)));
        (await h.Program.RunMaintenanceAsync(h.Now)).Birthdays.Should().BeEmpty("once a year");
    }

    [Fact]
    public async Task Maintenance_as_of_a_past_instant_warns_of_the_points_expiring_after_that_instant()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        var placed = h.Now;
        var order = await h.OrderAsync("A-1", Alice, 100m);
        h.AdvanceDays(400);

        var report = await h.Program.RunMaintenanceAsync(placed + Duration.FromDays(350), expiryWarningDays: 30);

        // The 100 welcome points and the order's 100 both expire a year after they were earned:
        // within 30 days of the as-of instant, although they have lapsed by the clock's "now".
        order.Points.Should().Be(P(100));
        report.ExpiringSoon.Should().ContainSingle(w => w.MemberId == Alice)
            .Which.Total.Should().Be(P(200));
    }
}
