using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Engagement;
using Loyalty.Core.Segmentation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Loyalty.Core.Tests.Engagement;

public sealed class EngagementOptionsValidatorTests
{
    private static IReadOnlyList<string> Failures(Action<EngagementOptions> configure)
    {
        var options = new EngagementOptions();
        configure(options);
        return EngagementOptionsValidator.GetFailures(options, SegmentMap.Default);
    }

    [Fact]
    public void The_defaults_are_valid() => Failures(_ => { }).Should().BeEmpty();

    [Fact]
    public void A_cap_of_0_is_refused()
        => Failures(o => o.Caps = [new ContactCapOptions { Name = "email-daily", Channel = EngagementChannel.Email, MaxMessages = 0, CalendarDays = 1 }])
            .Should().Equal("Loyalty:Engagement:Caps:0:MaxMessages: must be at least 1 (was 0); a cap of 0 would silence the channel's marketing for good: withdraw consent or disable the triggers instead.");

    [Fact]
    public void Overlapping_quiet_hours_are_refused()
        => Failures(o => o.QuietHours =
            [
                new QuietHoursOptions { Start = new TimeOnly(21, 0), End = new TimeOnly(8, 0) },
                new QuietHoursOptions { Channel = EngagementChannel.Sms, Start = new TimeOnly(12, 0), End = new TimeOnly(14, 0) },
                new QuietHoursOptions { Channel = EngagementChannel.Email, Start = new TimeOnly(7, 30), End = new TimeOnly(9, 0) },
            ])
            .Should().Equal("Loyalty:Engagement:QuietHours:2: 07:30–09:00 on Email overlaps Loyalty:Engagement:QuietHours:0 (21:00–08:00 on every channel); merge them into one range.");

    [Fact]
    public void Quiet_hours_on_different_channels_or_back_to_back_are_allowed()
        => Failures(o => o.QuietHours =
            [
                new QuietHoursOptions { Channel = EngagementChannel.Sms, Start = new TimeOnly(20, 0), End = new TimeOnly(9, 0) },
                new QuietHoursOptions { Channel = EngagementChannel.Email, Start = new TimeOnly(22, 0), End = new TimeOnly(7, 0) },
                new QuietHoursOptions { Channel = EngagementChannel.Email, Start = new TimeOnly(7, 0), End = new TimeOnly(8, 0) },
            ])
            .Should().BeEmpty();

    [Fact]
    public void An_unknown_segment_name_is_refused_with_the_known_ones()
        => Failures(o => o.WinBack.Segments = ["At Risk", "Sleepers"])
            .Should().Equal("Loyalty:Engagement:WinBack:Segments:1: 'Sleepers' is not a segment of the segment map; known segments: Champions, Loyal, Potential Loyalists, New, Promising, Need Attention, About to Sleep, Can't Lose Them, At Risk, Hibernating, Lost.");

    [Fact]
    public void Every_other_bad_field_is_named_with_its_path()
        => Failures(o =>
            {
                o.Caps =
                [
                    new ContactCapOptions { Name = "weekly", MaxMessages = 3 },
                    new ContactCapOptions { Name = "weekly", MaxMessages = 3, CalendarDays = 7, Rolling = TimeSpan.FromDays(7) },
                    new ContactCapOptions { Name = "", MaxMessages = 3, Rolling = TimeSpan.FromSeconds(5) },
                ];
                o.QuietHours = [new QuietHoursOptions { Start = new TimeOnly(21, 0), End = new TimeOnly(21, 0) }];
                o.Birthday.Weight = 0;
                o.Birthday.MessageType = " ";
                o.Welcome.Days = [0, 3, 3];
                o.PointsExpiring.Channels = [];
                o.PurchaseOverdue.MaxLatenessCycles = 0;
            })
            .Should().Equal(
                "Loyalty:Engagement:PointsExpiring:Channels: list at least one channel (Email, Sms or Push).",
                "Loyalty:Engagement:PurchaseOverdue:MaxLatenessCycles: must be greater than 0 and at most 100 (was 0).",
                "Loyalty:Engagement:Birthday:MessageType: must be 1 to 128 characters naming the template, e.g. \"points-expiring\".",
                "Loyalty:Engagement:Birthday:Weight: must be between 1 and 1000 (was 0).",
                "Loyalty:Engagement:Welcome:Days:2: day 3 is listed twice.",
                "Loyalty:Engagement:Caps:0: set exactly one of CalendarDays or Rolling (neither is set).",
                "Loyalty:Engagement:Caps:1:Name: 'weekly' is already the name of Loyalty:Engagement:Caps:0; cap names must be unique.",
                "Loyalty:Engagement:Caps:1: set exactly one of CalendarDays or Rolling (both are set).",
                "Loyalty:Engagement:Caps:2:Name: must be 1 to 64 characters, quoted in the reasons of held messages, e.g. \"email-weekly\".",
                "Loyalty:Engagement:Caps:2:Rolling: must be between 00:01:00 and 366.00:00:00 (was 00:00:05).",
                "Loyalty:Engagement:QuietHours:0: 21:00–21:00 is an empty range (Start equals End); remove it or set the End.");

    [Fact]
    public void A_contact_history_shorter_than_a_cap_window_is_refused()
        => Failures(o =>
            {
                o.ContactHistoryDays = 30;
                o.WinBack.Lapsed = false;
                o.CloseToNextTier.RepeatAfterDays = 30;
                o.AffordableReward.RepeatAfterDays = 30;
                o.Caps = [new ContactCapOptions { Name = "quarterly", MaxMessages = 10, CalendarDays = 90 }];
            })
            .Should().Equal("Loyalty:Engagement:ContactHistoryDays: 30 days is shorter than the window of Loyalty:Engagement:Caps:0 'quarterly' (90 days): a send could leave the history while its message can still be planned, or while it still counts; raise it to at least 90.");

    [Fact]
    public void Bad_configuration_stops_the_host_at_start_up_with_every_problem()
    {
        var services = new ServiceCollection();
        services.AddLoyalty(o => o.ProgramId = "club").AddEngagement(o =>
        {
            o.Caps = [new ContactCapOptions { Name = "email-daily", MaxMessages = 0, CalendarDays = 1 }];
            o.QuietHours = [new QuietHoursOptions { Start = new TimeOnly(21, 0), End = new TimeOnly(8, 0) }, new QuietHoursOptions { Start = new TimeOnly(6, 0), End = new TimeOnly(7, 0) }];
            o.WinBack.Segments = ["Sleepers"];
        });
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IStartupValidator>().Validate();

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().Equal(
            "Loyalty:Engagement:WinBack:Segments:0: 'Sleepers' is not a segment of the segment map; known segments: Champions, Loyal, Potential Loyalists, New, Promising, Need Attention, About to Sleep, Can't Lose Them, At Risk, Hibernating, Lost.",
            "Loyalty:Engagement:Caps:0:MaxMessages: must be at least 1 (was 0); a cap of 0 would silence the channel's marketing for good: withdraw consent or disable the triggers instead.",
            "Loyalty:Engagement:QuietHours:1: 06:00–07:00 on every channel overlaps Loyalty:Engagement:QuietHours:0 (21:00–08:00 on every channel); merge them into one range.");
    }

    [Fact]
    public void A_custom_segment_map_registered_in_the_container_names_the_known_segments()
    {
        var map = SegmentMap.Create(2, [new SegmentRule("Recent", 2, 2, 1, 2), new SegmentRule("Gone", 1, 1, 1, 2)]);
        var services = new ServiceCollection();
        services.AddSingleton(map);
        services.AddLoyalty().AddEngagement(o => o.WinBack.Segments = ["Gone"]);
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<IStartupValidator>().Validate();
        provider.GetRequiredService<EngagementPlanner>().Should().NotBeNull();
    }
}
