using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using NodaTime;

namespace Loyalty.Core.Tests.Storage.InMemory;

public class InMemoryRewardCatalogStoreTests
{
    private static readonly ProgramId Club = ProgramId.From("club");
    private static readonly RewardId Tote = RewardId.From("tote");

    [Fact]
    public async Task Stock_claims_are_idempotent_per_redemption_and_bounded()
    {
        var store = new InMemoryRewardCatalogStore();

        (await store.ClaimStockAsync(Club, Tote, RedemptionId.From("r1"), stock: 2)).Should().Be(StockClaimStatus.Claimed);
        (await store.ClaimStockAsync(Club, Tote, RedemptionId.From("r1"), stock: 2)).Should().Be(StockClaimStatus.AlreadyClaimed);
        (await store.ClaimStockAsync(Club, Tote, RedemptionId.From("r2"), stock: 2)).Should().Be(StockClaimStatus.Claimed);
        (await store.ClaimStockAsync(Club, Tote, RedemptionId.From("r3"), stock: 2)).Should().Be(StockClaimStatus.OutOfStock);
        (await store.ReturnStockAsync(Club, Tote, RedemptionId.From("r1"))).Should().BeTrue();
        (await store.ReturnStockAsync(Club, Tote, RedemptionId.From("r1"))).Should().BeFalse();
        (await store.ClaimStockAsync(Club, Tote, RedemptionId.From("r3"), stock: 2)).Should().Be(StockClaimStatus.Claimed);
        (await store.CountClaimedAsync(Club, Tote)).Should().Be(2);
    }

    [Fact]
    public async Task Parallel_claims_never_exceed_the_stock()
    {
        var store = new InMemoryRewardCatalogStore();
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () => await store.ClaimStockAsync(Club, Tote, RedemptionId.From(i), stock: 7))));
        results.Count(r => r == StockClaimStatus.Claimed).Should().Be(7);
    }

    [Fact]
    public async Task Redemptions_are_inserted_once_and_cancelled_once()
    {
        var store = new InMemoryRewardCatalogStore();
        var first = Redemption("r1", "CODE-1");

        (await store.AddRedemptionAsync(first)).Should().BeSameAs(first);
        (await store.AddRedemptionAsync(Redemption("r1", "CODE-2"))).Code.Should().Be("CODE-1");
        var at = Instant.FromUtc(2026, 3, 3, 0, 0);
        var cancelled = await store.MarkCancelledAsync(Club, RedemptionId.From("r1"), at);
        cancelled!.Status.Should().Be(RedemptionStatus.Cancelled);
        (await store.MarkCancelledAsync(Club, RedemptionId.From("r1"), at + Duration.FromDays(1)))!.CancelledAt.Should().Be(at);
        (await store.MarkCancelledAsync(Club, RedemptionId.From("nope"), at)).Should().BeNull();
        (await store.ListRedemptionsAsync(Club, MemberId.From("a"))).Should().ContainSingle();
        (await store.GetCatalogAsync(Club)).Should().BeSameAs(RewardCatalog.Empty);
    }

    private static RewardRedemption Redemption(string id, string code) => new()
    {
        ProgramId = Club,
        Id = RedemptionId.From(id),
        MemberId = MemberId.From("a"),
        RewardId = Tote,
        RewardName = "Tote",
        Kind = RewardKind.GiftProduct,
        Benefit = "gift TOTE",
        PointsSpent = Points.FromInt64(300),
        Code = code,
        RedeemedAt = Instant.FromUtc(2026, 3, 2, 0, 0),
        LedgerTransactionId = TransactionId.From("redeem:" + id),
    };
}
