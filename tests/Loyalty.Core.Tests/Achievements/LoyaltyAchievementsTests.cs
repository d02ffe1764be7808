using Loyalty.Core.Achievements;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Tests.Programs;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.Tests.Achievements;

/// <summary>Achievements through the programme (DI, in-memory stores): unlocked in the same write as the order or activity.</summary>
public sealed class LoyaltyAchievementsTests : IDisposable
{
    private static readonly MemberId Alice = MemberId.From("alice");
    private static readonly MemberId Bob = MemberId.From("bob");
    private static readonly MemberId Carol = MemberId.From("carol");
    private readonly FakeClock clock = new(Instant.FromUtc(2026, 3, 2, 9, 0));
    private ServiceProvider? provider;

    public void Dispose() => provider?.Dispose();

    private static AchievementSet Set(AchievementRefundPolicy policy) => AchievementSet.Create(
        [
            new AchievementDefinition { Id = "critic", Name = "Critic", Kind = AchievementKind.ActivityCount, Activity = ActivityKind.Review, Target = 3, BonusPoints = 30 },
            new AchievementDefinition { Id = "bookworm", Name = "Bookworm", Kind = AchievementKind.FirstInCategory, Category = "books", BonusPoints = 25 },
            new AchievementDefinition { Id = "big", Name = "Big spender", Kind = AchievementKind.SpendThreshold, Amount = 100m, BonusPoints = 50, Validity = AchievementValidity.CalendarYear },
        ],
        policy);

    private async Task<(LoyaltyProgram Program, LoyaltyAchievements Achievements)> StartAsync(AchievementRefundPolicy policy = AchievementRefundPolicy.Keep)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        services.AddLoyalty(o =>
            {
                o.ProgramId = "club";
                o.Currency = "EUR";
                o.TimeZone = "Europe/Paris";
            })
            .UseInMemoryStores()
            .UseTiers(ProgramHarness.Ladder)
            .AddAchievements(Set(policy));
        provider = services.BuildServiceProvider(validateScopes: true);
        var program = provider.CreateScope().ServiceProvider.GetRequiredService<LoyaltyProgram>();
        await program.PublishRuleSetAsync(ProgramHarness.Rules);
        foreach (var member in new[] { Alice, Bob, Carol })
        {
            (await program.EnrolAsync(new Enrolment(member))).GetValueOrThrow();
        }

        return (program, provider.GetRequiredService<LoyaltyAchievements>());
    }

    private static EarningOrder Order(string id, MemberId member, decimal amount, string category = "books") =>
        ProgramHarness.Order(id, member, Instant.FromUtc(2026, 3, 2, 8, 0), ProgramHarness.Line("sku-" + id, 1, amount, category));

    [Fact]
    public async Task An_order_unlocks_in_the_same_call_credits_the_bonus_once_and_the_summary_shows_progress()
    {
        var (program, _) = await StartAsync();

        var receipt = (await program.RecordOrderAsync(Order("o-1", Alice, 40m))).GetValueOrThrow();
        var summary = (await program.GetMemberSummaryAsync(Alice)).GetValueOrThrow();

        summary.Achievements.Should().Equal(
            new AchievementStatus("critic", "Critic", AchievementKind.ActivityCount, 0, 3, null, null),
            new AchievementStatus("bookworm", "Bookworm", AchievementKind.FirstInCategory, 1, 1, Instant.FromUtc(2026, 3, 2, 8, 0), null),
            new AchievementStatus("big", "Big spender", AchievementKind.SpendThreshold, 40, 100, null, null));
        summary.Balance.Earned.Should().Be(Points.FromInt64(100 + 40 + 25), "welcome 100, the order 40, the Bookworm bonus 25");
        receipt.Points.Should().Be(Points.FromInt64(40));
    }

    [Fact]
    public async Task Retried_and_parallel_orders_unlock_each_achievement_once()
    {
        var (program, achievements) = await StartAsync();

        var first = await program.RecordOrderAsync(Order("o-1", Alice, 30m));
        var retries = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => program.RecordOrderAsync(Order("o-1", Alice, 30m)))));
        var parallel = await Task.WhenAll(Enumerable.Range(2, 8).Select(i => Task.Run(() => program.RecordOrderAsync(Order("o-" + i, Alice, 30m)))));

        first.Succeeded.Should().BeTrue();
        retries.Should().OnlyContain(r => r.IsRepeat);
        parallel.Should().OnlyContain(r => r.Succeeded && !r.IsRepeat);
        var state = await provider!.GetRequiredService<IAchievementStore>().GetAsync(ProgramId.From("club"), Alice);
        state!.Unlocks.Select(u => u.AchievementId).Should().BeEquivalentTo(["bookworm", "big"]);
        state.Progress.Single(p => p.AchievementId == "big").Spent.Should().Be(270m);
        state.Progress.Single(p => p.AchievementId == "bookworm").Count.Should().Be(9);
        var summary = (await program.GetMemberSummaryAsync(Alice)).GetValueOrThrow();
        summary.Balance.Earned.Should().Be(Points.FromInt64(100 + 270 + 25 + 50));
        (await achievements.GetAchievementsAsync(Alice)).Count(a => a.IsUnlocked).Should().Be(2);
    }

    [Fact]
    public async Task Under_the_revoke_policy_a_refund_that_undoes_the_cause_revokes_and_reverses_the_bonus()
    {
        var (program, achievements) = await StartAsync(AchievementRefundPolicy.Revoke);
        (await program.RecordOrderAsync(Order("o-1", Alice, 120m, "clothing"))).GetValueOrThrow();
        var before = (await program.GetMemberSummaryAsync(Alice)).GetValueOrThrow();

        (await program.RecordRefundAsync(new RefundRequest(RefundId.From("r-1"), OrderId.From("o-1"), OrderRefund.ForAmount(30m)))).GetValueOrThrow();
        (await program.RecordRefundAsync(new RefundRequest(RefundId.From("r-1"), OrderId.From("o-1"), OrderRefund.ForAmount(30m)))).IsRepeat.Should().BeTrue();
        var after = (await program.GetMemberSummaryAsync(Alice)).GetValueOrThrow();

        before.Achievements.Single(a => a.AchievementId == "big").IsUnlocked.Should().BeTrue();
        after.Achievements.Single(a => a.AchievementId == "big").Should().Match<AchievementStatus>(a => !a.IsUnlocked && a.Progress == 90);
        (before.Balance.Earned - after.Balance.Earned).Should().Be(Points.Zero);
        (after.Balance.Available + after.Balance.Pending).Should().Be(before.Balance.Available + before.Balance.Pending - Points.FromInt64(30 + 50), "the refund takes back 30 points and the revocation the 50-point bonus");
        (await achievements.ExportMemberAsync(Alice))!.Unlocks.Single().RevokedAt.Should().NotBeNull();
    }

    [Fact]
    public async Task Under_the_keep_policy_a_refund_lowers_progress_but_the_achievement_and_its_bonus_stay()
    {
        var (program, _) = await StartAsync(AchievementRefundPolicy.Keep);
        (await program.RecordOrderAsync(Order("o-1", Alice, 120m, "clothing"))).GetValueOrThrow();

        (await program.RecordRefundAsync(new RefundRequest(RefundId.From("r-1"), OrderId.From("o-1"), OrderRefund.ForAmount(30m)))).GetValueOrThrow();

        (await program.GetMemberSummaryAsync(Alice)).GetValueOrThrow().Achievements.Single(a => a.AchievementId == "big")
            .Should().Match<AchievementStatus>(a => a.IsUnlocked && a.Progress == 90);
    }

    [Fact]
    public async Task Reviews_unlock_the_count_and_the_monthly_leaderboard_shows_names_or_pseudonyms_never_ids_nor_opted_out_members()
    {
        var (program, achievements) = await StartAsync();
        var n = 0;
        async Task ReviewAsync(MemberId member, int times)
        {
            for (var i = 0; i < times; i++)
            {
                (await program.RecordActivityAsync(ActivityId.From("review-" + n++), new ActivityInput(ActivityKind.Review, member, clock.GetCurrentInstant()))).GetValueOrThrow();
            }
        }

        await achievements.SetDisplayNameAsync(Alice, "Ali la lectrice");
        await achievements.SetLeaderboardOptOutAsync(Bob, true);
        await ReviewAsync(Alice, 3);
        await ReviewAsync(Bob, 5);
        await ReviewAsync(Carol, 1);

        var board = await achievements.GetLeaderboardAsync(ActivityKind.Review, LeaderboardPeriod.Month, clock.GetCurrentInstant());
        var nextMonth = await achievements.GetLeaderboardAsync(ActivityKind.Review, LeaderboardPeriod.Month, Instant.FromUtc(2026, 4, 2, 0, 0));
        var referrers = await achievements.GetLeaderboardAsync(ActivityKind.ReferralCompleted, LeaderboardPeriod.Year, clock.GetCurrentInstant());

        board.Should().Equal(new LeaderboardEntry(1, "Ali la lectrice", 3), new LeaderboardEntry(2, achievements.Pseudonym(Carol), 1));
        board.Should().NotContain(e => e.DisplayName.Contains("bob", StringComparison.OrdinalIgnoreCase) || e.DisplayName.Contains("carol", StringComparison.OrdinalIgnoreCase));
        achievements.Pseudonym(Carol).Should().MatchRegex("^Member [0-9A-F]{6}$");
        nextMonth.Should().BeEmpty();
        referrers.Should().BeEmpty();
        (await achievements.GetAchievementsAsync(Alice)).First().IsUnlocked.Should().BeTrue();
        (await achievements.GetAchievementsAsync(Bob)).First().IsUnlocked.Should().BeTrue("opting out of leaderboards keeps the achievements");
    }

    [Fact]
    public async Task A_display_name_that_looks_like_an_e_mail_is_refused_with_the_exact_error()
    {
        var (_, achievements) = await StartAsync();

        await FluentActions.Awaiting(() => achievements.SetDisplayNameAsync(Alice, "alice@example.com")).Should().ThrowAsync<ArgumentException>()
            .WithMessage("displayName 'alice@example.com' looks like an e-mail address, which a leaderboard never shows; choose a nickname, or pass null for a pseudonym. (Parameter 'displayName')");
        await FluentActions.Awaiting(() => achievements.SetDisplayNameAsync(Alice, " Ali")).Should().ThrowAsync<ArgumentException>()
            .WithMessage("displayName must be 1 to 40 characters without leading or trailing spaces or control characters (was ' Ali'); or pass null for a pseudonym. (Parameter 'displayName')");
    }

    [Fact]
    public async Task Erasure_removes_the_member_s_achievements()
    {
        var (program, achievements) = await StartAsync();
        (await program.RecordOrderAsync(Order("o-1", Alice, 40m))).GetValueOrThrow();

        (await achievements.EraseMemberAsync(Alice)).Should().BeTrue();

        (await achievements.ExportMemberAsync(Alice)).Should().BeNull();
    }
}
