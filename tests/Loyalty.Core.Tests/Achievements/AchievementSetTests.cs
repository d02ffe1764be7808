using Loyalty.Core.Achievements;
using Loyalty.Core.Earning;

namespace Loyalty.Core.Tests.Achievements;

public sealed class AchievementSetTests
{
    private const string Json = """
        {
          "refundPolicy": "revoke",
          "achievements": [
            { "id": "critic", "name": "Critic", "kind": "activityCount", "activity": "review", "target": 5, "bonusPoints": 50, "validity": "calendarYear" },
            { "id": "ambassador", "name": "Ambassador", "kind": "referralCount", "target": 3, "bonusPoints": 200 },
            { "id": "regular", "name": "Regular", "kind": "streak", "target": 4 },
            { "id": "big-spender", "name": "Big spender", "kind": "spendThreshold", "amount": 1000, "validity": "calendarYear" },
            { "id": "bookworm", "name": "Bookworm", "kind": "firstInCategory", "category": "books" }
          ]
        }
        """;

    [Fact]
    public void A_set_reads_from_JSON_and_writes_back_the_same()
    {
        var set = AchievementSet.FromJson(Json);

        set.RefundPolicy.Should().Be(AchievementRefundPolicy.Revoke);
        set.Definitions.Select(d => d.Kind).Should().Equal(AchievementKind.ActivityCount, AchievementKind.ReferralCount, AchievementKind.Streak, AchievementKind.SpendThreshold, AchievementKind.FirstInCategory);
        set.Definitions[0].Should().Be(new AchievementDefinition { Id = "critic", Name = "Critic", Kind = AchievementKind.ActivityCount, Activity = ActivityKind.Review, Target = 5, BonusPoints = 50, Validity = AchievementValidity.CalendarYear });
        AchievementSet.FromJson(set.ToJson()).Definitions.Should().Equal(set.Definitions);
    }

    [Fact]
    public void A_streak_of_zero_months_is_refused_with_the_exact_error()
    {
        var zero = new AchievementDefinition { Id = "regular", Name = "Regular", Kind = AchievementKind.Streak, Target = 0 };

        FluentActions.Invoking(() => AchievementSet.Create([zero])).Should().Throw<ArgumentException>()
            .WithMessage("Invalid achievements: achievements[0].target must be between 1 and 1000000 consecutive months for a Streak achievement (was 0). (Parameter 'definitions')");
        FluentActions.Invoking(() => AchievementSet.FromJson("""{ "achievements": [ { "id": "regular", "name": "Regular", "kind": "streak", "target": 0 } ] }""")).Should().Throw<ArgumentException>()
            .WithMessage("Invalid achievements: achievements[0].target must be between 1 and 1000000 consecutive months for a Streak achievement (was 0). (Parameter 'json')");
    }

    [Fact]
    public void An_unknown_activity_kind_is_refused_with_the_exact_error()
    {
        FluentActions.Invoking(() => AchievementSet.FromJson("""{ "achievements": [ { "id": "critic", "name": "Critic", "kind": "activityCount", "activity": "reveiw", "target": 5 } ] }""")).Should().Throw<ArgumentException>()
            .WithMessage("Invalid achievements: achievements[0].activity 'reveiw' is not known; use one of signUp, review, survey, birthday, referralCompleted, custom. (Parameter 'json')");
        FluentActions.Invoking(() => AchievementSet.Create([new AchievementDefinition { Id = "critic", Name = "Critic", Kind = AchievementKind.ActivityCount, Activity = (ActivityKind)42, Target = 5 }])).Should().Throw<ArgumentException>()
            .WithMessage("Invalid achievements: achievements[0].activity must be one of SignUp, Review, Survey, Birthday, ReferralCompleted, Custom (was 42). (Parameter 'definitions')");
    }

    [Fact]
    public void Every_problem_is_listed_with_its_path()
    {
        var definitions = new[]
        {
            new AchievementDefinition { Id = "a", Name = "A", Kind = AchievementKind.ActivityCount, Target = 2 },
            new AchievementDefinition { Id = "a", Name = " ", Kind = AchievementKind.SpendThreshold, Amount = 0m, BonusPoints = -1 },
            new AchievementDefinition { Id = "c", Name = "C", Kind = AchievementKind.FirstInCategory },
            new AchievementDefinition { Id = "d", Name = "D", Kind = AchievementKind.ActivityCount, Activity = ActivityKind.Custom },
        };

        FluentActions.Invoking(() => AchievementSet.Create(definitions)).Should().Throw<ArgumentException>().WithMessage(
            "Invalid achievements: achievements[0].activity is required for an ActivityCount achievement; use one of SignUp, Review, Survey, Birthday, ReferralCompleted, Custom. "
            + "achievements[1].name is required; give the name members see, e.g. \"Ambassador\". achievements[1].bonusPoints must be 0 or greater (was -1). "
            + "achievements[1].amount must be greater than 0 for a SpendThreshold achievement (was 0). achievements[1].id 'a' is used by another achievement; ids must be unique. "
            + "achievements[2].category is required for a FirstInCategory achievement; give the product category, e.g. \"books\". "
            + "achievements[3].eventName is required to count Custom activities; give the event's name, e.g. \"newsletter-signup\". (Parameter 'definitions')");
    }

    [Theory]
    [InlineData("""{ "achievements": [ { "id": "x", "name": "X", "kind": "streak", "target": 2, "colour": "red" } ] }""", "Invalid achievements: achievements[0].colour is not a field of an achievement; use id, name, kind, target, activity, eventName, amount, category, bonusPoints or validity. (Parameter 'json')")]
    [InlineData("""{ "achievements": [ { "id": "x", "name": "X", "kind": "badge" } ] }""", "Invalid achievements: achievements[0].kind 'badge' is not known; use one of activityCount, referralCount, streak, spendThreshold, firstInCategory. (Parameter 'json')")]
    [InlineData("""{ "achievements": [ { "id": "x", "name": "X" } ] }""", "Invalid achievements: achievements[0].kind is required; use one of activityCount, referralCount, streak, spendThreshold, firstInCategory. (Parameter 'json')")]
    [InlineData("""{ "achievements": [ { "id": "x", "name": "X", "kind": "streak", "target": "4" } ] }""", "Invalid achievements: achievements[0].target must be a whole number (was \"4\"). (Parameter 'json')")]
    [InlineData("""{ "refundPolicy": "forget", "achievements": [] }""", "Invalid achievements: refundPolicy 'forget' is not known; use one of keep, revoke. (Parameter 'json')")]
    [InlineData("""{ "achievements": [ { "id": "x", """, "Invalid achievements: the JSON is malformed at line 1, position 34; fix the syntax. (Parameter 'json')")]
    [InlineData("""[]""", "Invalid achievements: the JSON must be an object with an \"achievements\" array. (Parameter 'json')")]
    public void Bad_JSON_is_refused_with_the_exact_error(string json, string message) =>
        FluentActions.Invoking(() => AchievementSet.FromJson(json)).Should().Throw<ArgumentException>().WithMessage(message);

    [FsCheck.Xunit.Property(MaxTest = 300 / PropertyRuns.Divisor)]
    public bool Arbitrary_text_either_parses_or_throws_an_ArgumentException(string? text)
    {
        try
        {
            AchievementSet.FromJson(text ?? "null");
            return true;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
