using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Engagement;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Tests.Programs;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using static Loyalty.Core.Tests.Engagement.EngagementData;

namespace Loyalty.Core.Tests.Engagement;

/// <summary>The service end to end, through DI and the in-memory stores: members, orders and points written by the programme, planned from the stores.</summary>
public sealed class EngagementServiceTests : IDisposable
{
    private static readonly MemberId Alice = MemberId.From("alice");
    private static readonly MemberId Bob = MemberId.From("bob");
    private readonly ServiceProvider provider;
    private IServiceScope? scope;
    private readonly FakeClock clock = new(At(2026, 3, 2, 10));

    public EngagementServiceTests()
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
            .AddEngagement(o =>
            {
                o.Caps = [new ContactCapOptions { Name = "email-daily", Channel = EngagementChannel.Email, MaxMessages = 1, CalendarDays = 1 }];
                o.QuietHours = [new QuietHoursOptions { Start = new TimeOnly(21, 0), End = new TimeOnly(8, 0) }];
            });
        provider = services.BuildServiceProvider(validateScopes: true);
    }

    private LoyaltyProgram Program => (scope ??= provider.CreateScope()).ServiceProvider.GetRequiredService<LoyaltyProgram>();

    private EngagementService Service => provider.GetRequiredService<EngagementService>();

    public void Dispose()
    {
        scope?.Dispose();
        provider.Dispose();
    }

    private async Task SetUpAsync()
    {
        await Program.PublishRuleSetAsync(ProgramHarness.Rules);
        await Program.PublishRewardAsync(ProgramHarness.Voucher);
        (await Program.EnrolAsync(new Enrolment(Alice) { BirthDate = new LocalDate(1990, 3, 3) })).GetValueOrThrow();
        (await Program.EnrolAsync(new Enrolment(Bob))).GetValueOrThrow();
        (await Service.RecordConsentAsync(Alice, EngagementChannel.Email, ConsentStatus.Granted, "signup-form")).Status.Should().Be(ConsentRecordStatus.Added);
    }

    [Fact]
    public async Task Members_are_planned_from_the_stores_with_a_reason_for_every_message_held()
    {
        await SetUpAsync();

        var plan = await Service.PlanAsync(clock.GetCurrentInstant());

        plan.MembersPlanned.Should().Be(2);
        plan.Messages.Should().ContainSingle().Which.Should().Match<PlannedMessage>(m =>
            m.MessageId == "alice/welcome/day-0" && m.Channel == EngagementChannel.Email && m.SendAt == At(2026, 3, 2, 10));
        plan.Held.Should().ContainSingle().Which.Should().Match<HeldMessage>(h =>
            h.MessageId == "bob/welcome/day-0" && h.Reason == HoldReason.NoConsent && h.Explanation == "no consent (Email: never given)");
    }

    [Fact]
    public async Task Recording_a_send_is_idempotent_and_a_sent_message_is_never_planned_again()
    {
        await SetUpAsync();
        var now = clock.GetCurrentInstant();
        var welcome = (await Service.PlanAsync(now)).Messages.Single();

        (await Service.RecordSentAsync(welcome, now)).Status.Should().Be(ContactRecordStatus.Added);
        (await Service.RecordSentAsync(welcome, now)).Status.Should().Be(ContactRecordStatus.Exists);
        var conflict = await Service.RecordSentAsync(welcome with { Channel = EngagementChannel.Sms }, now);
        conflict.Status.Should().Be(ContactRecordStatus.Conflict);
        conflict.Existing!.Channel.Should().Be(EngagementChannel.Email);

        clock.Advance(Duration.FromHours(1));
        var again = await Service.PlanAsync(clock.GetCurrentInstant());
        again.Messages.Should().BeEmpty();
        again.Held.Where(h => h.MemberId == Alice).Should().ContainSingle().Which.Reason.Should().Be(HoldReason.AlreadySent);
    }

    [Fact]
    public async Task An_opt_out_recorded_between_two_runs_stops_the_next_message_at_once()
    {
        await SetUpAsync();
        await Service.RecordSentAsync((await Service.PlanAsync(clock.GetCurrentInstant())).Messages.Single(), clock.GetCurrentInstant());

        // 3 March: the birthday; the welcome sent the day before counts in no daily window of the 3rd.
        clock.Reset(At(2026, 3, 3, 9));
        var birthday = (await Service.PlanAsync(clock.GetCurrentInstant())).Messages.Should().ContainSingle().Subject;
        birthday.MessageId.Should().Be("alice/birthday/2026");
        await Service.RecordSentAsync(birthday, birthday.SendAt);

        clock.Reset(At(2026, 3, 3, 12));
        (await Service.RecordConsentAsync(Alice, EngagementChannel.Email, ConsentStatus.Withdrawn, "unsubscribe-link")).Status.Should().Be(ConsentRecordStatus.Added);

        clock.Reset(At(2026, 3, 5, 16));
        var plan = await Service.PlanAsync(clock.GetCurrentInstant());
        plan.Messages.Should().BeEmpty();
        plan.Held.Should().Contain(h => h.MessageId == "alice/welcome/day-3" && h.Reason == HoldReason.NoConsent
            && h.Explanation == "no consent (Email: withdrawn at 2026-03-03T11:00:00Z via unsubscribe-link)");
    }

    [Fact]
    public async Task Orders_and_points_from_the_programme_feed_the_review_invitation_and_the_affordable_reward()
    {
        await SetUpAsync();
        await Service.RecordSentAsync((await Service.PlanAsync(clock.GetCurrentInstant())).Messages.Single(), clock.GetCurrentInstant());
        (await Program.RecordOrderAsync(ProgramHarness.Order("A-1", Alice, clock.GetCurrentInstant(), ProgramHarness.Line("SKU-1", 1, 600m)))).GetValueOrThrow();

        clock.Reset(At(2026, 3, 9, 10));
        var plan = await Service.PlanAsync(clock.GetCurrentInstant());

        var alice = plan.ForMember(Alice);
        alice.Messages.Select(m => (m.Trigger, m.SendAt)).Should().Equal(
            (EngagementTrigger.AffordableReward, At(2026, 3, 9, 10)),
            (EngagementTrigger.ReviewInvitation, At(2026, 3, 10, 8)));
        alice.Messages[0].Facts.RewardName.Should().Be("5 € voucher");
        alice.Messages[0].Facts.Points.Should().Be(Points.FromInt64(700), "600 for the order and 100 for signing up");
        alice.Messages[1].Facts.Order.Should().Be(OrderId.From("A-1"));
        alice.Messages[1].DeferredBy.Should().Be("email-daily", "the reward (weight 40 by default) takes the day before the review invitation (30)");
    }

    [Fact]
    public async Task Partitions_cover_every_member_once_and_pages_resume()
    {
        await SetUpAsync();
        for (var i = 0; i < 20; i++)
        {
            (await Program.EnrolAsync(new Enrolment(MemberId.From($"m-{i:00}")))).GetValueOrThrow();
        }

        var now = clock.GetCurrentInstant();
        var whole = await Service.PlanAsync(now);
        var parts = new List<EngagementPlan>();
        for (var p = 0; p < 3; p++)
        {
            parts.Add(await Service.PlanAsync(now, EngagementScope.ForPartition(p, 3) with { PageSize = 4 }));
        }

        whole.MembersPlanned.Should().Be(22);
        parts.Sum(p => p.MembersPlanned).Should().Be(22);
        parts.SelectMany(p => p.Held).Select(h => h.MessageId).Order(StringComparer.Ordinal)
            .Should().Equal(whole.Held.Select(h => h.MessageId).Order(StringComparer.Ordinal));

        var pages = new List<EngagementPage>();
        await foreach (var page in Service.PlanPagesAsync(now, new EngagementScope { PageSize = 5 }))
        {
            pages.Add(page);
        }

        pages.Select(p => p.Number).Should().Equal(1, 2, 3, 4, 5);
        var resumed = await Service.PlanAsync(now, new EngagementScope { PageSize = 5, ResumeAfter = pages[1].LastMemberId });
        resumed.MembersPlanned.Should().Be(12);
    }

    [Fact]
    public async Task A_bad_scope_is_refused_naming_the_property()
    {
        var act = () => Service.PlanAsync(clock.GetCurrentInstant(), new EngagementScope { PageSize = 0 });
        (await act.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().StartWith("scope.PageSize must be between 1 and 10000 (was 0).");
    }

    [Fact]
    public async Task A_bad_consent_is_refused_naming_the_field_and_nothing_is_written()
    {
        var act = () => Service.RecordConsentAsync(Alice, EngagementChannel.Email, ConsentStatus.Granted, " ");
        (await act.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Be(
            "The consent record's source must be 1 to 256 characters saying where the consent came from, e.g. \"checkout-form\" (was 1 characters). (Parameter 'record')");
        (await provider.GetRequiredService<IConsentStore>().GetHistoryAsync(Club, Alice)).Should().BeEmpty();
    }
}
