using Loyalty.Core.Earning;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Programs;

/// <summary>
/// The member's kept evaluation state as the relational store keeps it: the compact document (format 2)
/// reads back exactly, and a document of format 1, as rows written before it hold, still reads.
/// </summary>
public sealed class MemberJsonTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 3, 2, 9, 0);

    /// <summary>A row written before format 2: camel-case names, the checkpoint as an escaped string, one object per entry.</summary>
    private const string Format1 =
        "{\"historyVersion\":4,\"orderCount\":2,\"firstOrderAt\":17723592000000000,\"firstQualifyingOrder\":\"O-1\",\"firstQualifyingOrderPlacedAt\":17723592000000000,"
        + "\"welcomePoints\":100,\"usage\":[{\"rule\":\"daily\",\"unit\":0,\"start\":\"2026-03-01\",\"points\":40,\"count\":1},{\"rule\":\"spring\",\"unit\":null,\"start\":null,\"points\":20,\"count\":2}],"
        + "\"checkpoint\":\"{\\u0022tier\\u0022:\\u0022silver\\u0022,\\u0022since\\u0022:17723682000000000,\\u0022validUntil\\u0022:18039780000000000,\\u0022graceUntil\\u0022:null,"
        + "\\u0022automaticTier\\u0022:\\u0022silver\\u0022,\\u0022automaticSince\\u0022:17723682000000000,\\u0022automaticValidUntil\\u0022:18039780000000000,"
        + "\\u0022lastQualifiedAt\\u0022:17723682000000000,\\u0022validUntilBeforeLastQualification\\u0022:null,\\u0022fallbackTier\\u0022:\\u0022bronze\\u0022,"
        + "\\u0022fallbackValidUntil\\u0022:17721828000000000,\\u0022evaluatedAt\\u0022:17724419400000000}\","
        + "\"entries\":[{\"at\":17723592000000000,\"points\":100,\"kind\":1,\"spend\":0,\"orders\":0},{\"at\":17723592000000000,\"points\":57,\"kind\":0,\"spend\":57.30,\"orders\":1},"
        + "{\"at\":17723682000000000,\"points\":-12,\"kind\":0,\"spend\":-12.00,\"orders\":0},{\"at\":17724420000000000,\"points\":900,\"kind\":0,\"spend\":900.10,\"orders\":1}]}";

    [Fact]
    public void A_row_of_format_1_still_reads()
    {
        var state = MemberJson.ReadEvaluation(Format1)!;

        state.HistoryVersion.Should().Be(4);
        state.OrderCount.Should().Be(2);
        state.FirstOrderAt.Should().Be(Instant.FromUtc(2026, 3, 1, 10, 0));
        state.FirstQualifyingOrder.Should().Be(OrderId.From("O-1"));
        state.FirstQualifyingOrderPlacedAt.Should().Be(Instant.FromUtc(2026, 3, 1, 10, 0));
        state.WelcomePoints.Should().Be(Points.FromInt64(100));
        state.Usage.Should().Equal(
            new RuleUsageDelta(RuleId.From("daily"), new UsagePeriod(CapPeriod.Day, new LocalDate(2026, 3, 1)), Points.FromInt64(40), 1),
            new RuleUsageDelta(RuleId.From("spring"), null, Points.FromInt64(20), 2));
        state.TierCheckpoint.Should().Be(new TierStatus
        {
            Tier = TierId.From("silver"),
            Since = Instant.FromUtc(2026, 3, 1, 12, 30),
            ValidUntil = Instant.FromUtc(2027, 3, 2, 9, 0),
            AutomaticTier = TierId.From("silver"),
            AutomaticSince = Instant.FromUtc(2026, 3, 1, 12, 30),
            AutomaticValidUntil = Instant.FromUtc(2027, 3, 2, 9, 0),
            LastQualifiedAt = Instant.FromUtc(2026, 3, 1, 12, 30),
            FallbackTier = TierId.From("bronze"),
            FallbackValidUntil = Instant.FromUtc(2026, 2, 27, 9, 0),
            EvaluatedAt = Instant.FromUtc(2026, 3, 2, 8, 59),
        });
        state.Qualification.Should().Equal(
            QualificationEntry.FromAmounts(Instant.FromUtc(2026, 3, 1, 10, 0), 100, EarnKind.Activity, 0m, 0),
            QualificationEntry.FromAmounts(Instant.FromUtc(2026, 3, 1, 10, 0), 57, EarnKind.Purchase, 57.30m, 1),
            QualificationEntry.FromAmounts(Instant.FromUtc(2026, 3, 1, 12, 30), -12, EarnKind.Purchase, -12m, 0),
            QualificationEntry.FromAmounts(Start, 900, EarnKind.Purchase, 900.10m, 1));

        // Written again, it is format 2 and reads back the same.
        var again = MemberJson.ReadEvaluation(MemberJson.Write(state))!;
        Describe(again).Should().Be(Describe(state));
        MemberJson.Write(state)!.Length.Should().BeLessThan(Format1.Length / 2, "format 2 is the compact one");
    }

    [Fact]
    public void Format_2_reads_back_exactly_with_sums_kinds_and_every_checkpoint_field()
    {
        var state = new MemberEvaluationState
        {
            HistoryVersion = 41,
            OrderCount = 40,
            FirstOrderAt = Start - Duration.FromDays(20),
            WelcomePoints = Points.Zero,
            Usage = [new RuleUsageDelta(RuleId.From("week\"ly"), new UsagePeriod(CapPeriod.Week, new LocalDate(2026, 2, 23)), Points.FromInt64(-5), 3)],
            TierCheckpoint = new TierStatus
            {
                Tier = TierId.From("gold"),
                Since = Start - Duration.FromDays(2),
                GraceUntil = Start + Duration.FromDays(9),
                AutomaticTier = TierId.From("silver"),
                AutomaticSince = Start - Duration.FromDays(30),
                AutomaticValidUntil = Start + Duration.FromDays(1),
                ValidUntilBeforeLastQualification = Start - Duration.FromDays(1),
                LastQualifiedAt = Start - Duration.FromHours(3),
                FallbackTier = null,
                EvaluatedAt = Start - Duration.FromTicks(1),
            },
            Qualification =
            [
                QualificationEntry.FromSums(Start - Duration.FromDays(20), Start - Duration.FromDays(19), 1_234, EarnKind.Purchase, 1_234.56m, 12),
                QualificationEntry.FromSums(Start - Duration.FromDays(20), Start - Duration.FromDays(19), 10, EarnKind.Bonus, 0m, 0),
                QualificationEntry.FromAmounts(Start - Duration.FromHours(1), -3, EarnKind.Adjustment, -0.5m, -1),
                QualificationEntry.FromAmounts(Start, 7, EarnKind.Purchase, 7.00m, 1),
            ],
        };

        var json = MemberJson.Write(state)!;
        json.Should().StartWith("{\"v\":2,").And.Contain("\"c\":{\"t\":\"gold\"");
        var read = MemberJson.ReadEvaluation(json)!;

        Describe(read).Should().Be(Describe(state));
        read.Qualification[0].Since.Should().Be(Start - Duration.FromDays(20));
        read.Qualification[0].IsSum.Should().BeTrue();
        read.Qualification[3].IsSum.Should().BeFalse();
        read.Qualification[3].Spend.ToString(System.Globalization.CultureInfo.InvariantCulture).Should().Be("7.00", "the spend reads back with its scale");
    }

    [Fact]
    public void An_empty_state_is_a_few_bytes_and_an_unknown_format_is_refused()
    {
        var json = MemberJson.Write(MemberEvaluationState.Empty)!;
        json.Should().Be("{\"v\":2,\"h\":0,\"n\":0}");
        Describe(MemberJson.ReadEvaluation(json)!).Should().Be(Describe(MemberEvaluationState.Empty));
        MemberJson.ReadEvaluation(null).Should().BeNull();

        var act = () => MemberJson.ReadEvaluation("{\"v\":3,\"h\":0,\"n\":0}");
        act.Should().Throw<InvalidOperationException>().WithMessage("A stored evaluation state has format 3, which this version does not read (it reads formats 1 and 2).");
    }

    private static string Describe(MemberEvaluationState s) => string.Join(
        '|',
        s.HistoryVersion,
        s.OrderCount,
        s.FirstOrderAt,
        s.FirstQualifyingOrder,
        s.FirstQualifyingOrderPlacedAt,
        s.WelcomePoints,
        string.Join(';', s.Usage),
        s.TierCheckpoint,
        string.Join(';', s.Qualification.Select(e => $"{e} spend {e.Spend.ToString(System.Globalization.CultureInfo.InvariantCulture)}")));
}
