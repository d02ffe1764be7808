using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;
using static Loyalty.Core.Tests.Ledger.LedgerHarness;

namespace Loyalty.Core.Tests.Ledger;

/// <summary>
/// The canonical form of a link, pinned at both extremes: a transaction with none of the optional fields and one with all of
/// them (so every flag bit and every optional field is part of a pinned value). The expected values come from an independent
/// implementation of the documented form (Python: struct.pack big-endian, hashlib.sha256).
/// </summary>
public class LedgerChainCanonicalFormTests
{
    private static readonly Instant At = Instant.FromUtc(2026, 3, 15, 10, 0);

    private static LedgerTransactionRecord Bare() => new()
    {
        ProgramId = ProgramId.From("club"), MemberId = Alice, Id = Id("adjust-1"), Version = 3, Kind = LedgerTransactionKind.Adjust,
        RecordedAt = At, EffectiveAt = At, Amount = -5,
    };

    private static LedgerTransactionRecord Full() => new()
    {
        ProgramId = ProgramId.From("club"), MemberId = Alice, Id = Id("capture-1"), Version = 7, Kind = LedgerTransactionKind.Capture,
        RecordedAt = At, EffectiveAt = At + Duration.FromDays(1), Amount = -30, Applied = -30, DebtChange = 2, WrittenOff = 1,
        RelatedId = Id("hold-1"), PendingPeriod = Duration.FromDays(3), RequestedExpiresAt = At + Duration.FromDays(30), IsWholeCapture = true,
        AvailableAt = At + Duration.FromDays(2), ExpiresAt = At + Duration.FromDays(400), Reason = "checkout", Actor = "till-4",
        Movements = [new LedgerLotMovement(Id("order-1"), -20), new LedgerLotMovement(Id("order-2"), -10)],
        Merchant = MerchantId.From("shop-9"),
    };

    [Fact]
    public void A_transaction_without_optional_fields_hashes_to_its_pinned_value()
        => LedgerChain.Compute(default, Bare()).ToString().Should().Be("e24f2dab10010983beb51bff64a7eccd56d738176307a38d6069bf58a8bc93b8");

    [Fact]
    public void A_transaction_with_every_optional_field_hashes_to_its_pinned_value()
        => LedgerChain.Compute(default, Full()).ToString().Should().Be("39a8c248b78c3534feb8fe077b36f7ff33d6ea34d69051291ad9d6775962068d");

    public static TheoryData<string, Func<LedgerTransactionRecord, LedgerTransactionRecord>> OneFieldChanges => new()
    {
        { "program", t => t with { ProgramId = ProgramId.From("club2") } },
        { "id", t => t with { Id = Id("capture-2") } },
        { "version", t => t with { Version = 8 } },
        { "kind", t => t with { Kind = LedgerTransactionKind.Release } },
        { "recorded at", t => t with { RecordedAt = At + Duration.FromTicks(1) } },
        { "effective at", t => t with { EffectiveAt = t.EffectiveAt + Duration.FromTicks(1) } },
        { "applied", t => t with { Applied = -29 } },
        { "debt change", t => t with { DebtChange = 3 } },
        { "written off", t => t with { WrittenOff = 0 } },
        { "related id", t => t with { RelatedId = Id("hold-2") } },
        { "no related id", t => t with { RelatedId = null } },
        { "pending period", t => t with { PendingPeriod = Duration.FromDays(4) } },
        { "no pending period", t => t with { PendingPeriod = null } },
        { "requested expiry", t => t with { RequestedExpiresAt = At + Duration.FromDays(31) } },
        { "no requested expiry", t => t with { RequestedExpiresAt = null } },
        { "partial capture", t => t with { IsWholeCapture = false } },
        { "available at", t => t with { AvailableAt = At + Duration.FromDays(3) } },
        { "no available at", t => t with { AvailableAt = null } },
        { "expires at", t => t with { ExpiresAt = At + Duration.FromDays(401) } },
        { "no expires at", t => t with { ExpiresAt = null } },
        { "reason", t => t with { Reason = "checkout!" } },
        { "no reason", t => t with { Reason = null } },
        { "actor", t => t with { Actor = "till-5" } },
        { "no actor", t => t with { Actor = null } },
        { "movement lot", t => t with { Movements = [new LedgerLotMovement(Id("order-3"), -20), new LedgerLotMovement(Id("order-2"), -10)] } },
        { "movement order", t => t with { Movements = [t.Movements[1], t.Movements[0]] } },
        { "merchant", t => t with { Merchant = MerchantId.From("shop-8") } },
        { "no merchant", t => t with { Merchant = null } },
    };

    [Theory]
    [MemberData(nameof(OneFieldChanges))]
    public void Every_field_is_part_of_the_link(string field, Func<LedgerTransactionRecord, LedgerTransactionRecord> change)
        => LedgerChain.Compute(default, change(Full())).Should().NotBe(LedgerChain.Compute(default, Full()), field);
}

/// <summary>The one-line description of a ledger result.</summary>
public class LedgerResultDescriptionTests
{
    [Fact]
    public async Task A_recorded_a_repeated_and_a_refused_write_describe_themselves()
    {
        var h = new LedgerHarness();
        var first = await h.Ledger.EarnAsync(new EarnPoints(Id("order-1"), Alice, P(40)));
        var repeat = await h.Ledger.EarnAsync(new EarnPoints(Id("order-1"), Alice, P(40)));
        var refused = await h.RedeemAsync(41, "r1");

        first.ToString().Should().Be("Earn order-1 v1");
        repeat.ToString().Should().Be("Earn order-1 v1 (repeat)");
        refused.ToString().Should().Be("InsufficientPoints: Member 'alice' has 40 available points; 41 were requested. Pending and held points cannot be spent.");
    }
}
