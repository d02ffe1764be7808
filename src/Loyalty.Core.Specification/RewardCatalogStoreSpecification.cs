using Loyalty.Core.DataRights;
using System.Collections.Concurrent;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="IRewardCatalogStore"/> must have: the catalogue read back whole
/// and replaced as a whole, stock claims idempotent per redemption and never more than the stock
/// (also between racing writers), redemptions inserted once and cancelled once. Subclass it once per
/// store and implement <see cref="CreateStore"/>.
/// </summary>
/// <remarks>Each test works in its own programme, so a subclass may share one database between all its tests.</remarks>
public abstract class RewardCatalogStoreSpecification : IAsyncLifetime
{
    private static readonly Instant Start = Instant.FromUtc(2026, 3, 2, 9, 30);
    private static readonly RewardId Voucher = RewardId.From("voucher-5");

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected RewardCatalogStoreSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>How many writers the concurrency tests run at once. Default 8.</summary>
    protected virtual int ConcurrentWriters => 8;

    /// <summary>Returns a store over this test's storage; every call must see the same data, each may be a new session for one writer.</summary>
    /// <returns>The store.</returns>
    protected abstract IRewardCatalogStore CreateStore();

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A programme that saved nothing has the empty catalogue.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task An_unsaved_catalogue_is_empty()
        => Assert.Empty((await CreateStore().GetCatalogAsync(Program)).Rewards);

    /// <summary>Every kind of reward, with its tier gate, stock and validity, reads back as saved and in catalogue order.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Every_kind_of_reward_round_trips_in_catalogue_order()
    {
        var catalog = RewardCatalog.Create(
        [
            RewardDefinition.GiftProduct(RewardId.From("tote"), "Tote bag", Points.FromInt64(1200), "TOTE-BAG").WithStock(50),
            RewardDefinition.AmountOffVoucher(Voucher, "5 € voucher", Points.FromInt64(500), Money.FromDecimal(5m, Currency.EUR)),
            RewardDefinition.PercentageDiscount(RewardId.From("ten-off"), "10 % off", Points.FromInt64(800), 10m).WithRequiredTier(TierId.From("gold")),
            RewardDefinition.FreeShipping(RewardId.From("ship"), "Free shipping", Points.FromInt64(300)).WithValidity(Start, Start + Duration.FromDays(30)),
            RewardDefinition.PayWithPoints(RewardId.From("pay"), "Pay with points", PayWithPointsTerms.Create(Points.FromInt64(100), Money.FromDecimal(1m, Currency.EUR), Points.FromInt64(500), 0.5m)),
        ]);
        await CreateStore().SaveCatalogAsync(Program, catalog);

        var read = await CreateStore().GetCatalogAsync(Program);
        Assert.Equal(catalog.Rewards.Select(Describe), read.Rewards.Select(Describe));
    }

    /// <summary>
    /// Each reward's cost to the shop (what the programme economics count a redemption at) reads back
    /// as saved: one given explicitly (a gift's cost price, a percentage discount's average), one given
    /// for a voucher apart from its face value, a voucher's face value by default, and none.
    /// </summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Every_reward_cost_to_the_shop_round_trips()
    {
        var catalog = RewardCatalog.Create(
        [
            RewardDefinition.GiftProduct(RewardId.From("tote"), "Tote bag", Points.FromInt64(1200), "TOTE-BAG").WithCostToShop(Money.FromDecimal(3.20m, Currency.EUR)),
            RewardDefinition.PercentageDiscount(RewardId.From("ten-off"), "10 % off", Points.FromInt64(800), 10m).WithCostToShop(Money.FromDecimal(6.35m, Currency.EUR)),
            RewardDefinition.FreeShipping(RewardId.From("ship"), "Free shipping", Points.FromInt64(300)).WithCostToShop(Money.FromDecimal(0m, Currency.GBP)),
            RewardDefinition.AmountOffVoucher(RewardId.From("v20"), "20 € voucher", Points.FromInt64(1500), Money.FromDecimal(20m, Currency.EUR)).WithCostToShop(Money.FromDecimal(17.5m, Currency.EUR)),
            RewardDefinition.AmountOffVoucher(Voucher, "5 € voucher", Points.FromInt64(500), Money.FromDecimal(5m, Currency.EUR)),
            RewardDefinition.GiftProduct(RewardId.From("mug"), "Mug", Points.FromInt64(900), "MUG"),
        ]);
        await CreateStore().SaveCatalogAsync(Program, catalog);

        var read = await CreateStore().GetCatalogAsync(Program);
        Assert.Equal(
            ["tote 3.20 EUR", "ten-off 6.35 EUR", "ship 0.00 GBP", "v20 17.50 EUR", "voucher-5 5.00 EUR", "mug none"],
            read.Rewards.Select(r => $"{r.Id} {(r.CostToShop is { } c ? c.ToString() : "none")}"));
        Assert.Equal(catalog.Rewards.Select(r => r.CostToShop), read.Rewards.Select(r => r.CostToShop));
    }

    /// <summary>Saving replaces the whole catalogue: rewards left out are gone.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Saving_replaces_the_whole_catalogue()
    {
        var store = CreateStore();
        await store.SaveCatalogAsync(Program, RewardCatalog.Create([
            RewardDefinition.FreeShipping(RewardId.From("ship"), "Free shipping", Points.FromInt64(300)),
            RewardDefinition.AmountOffVoucher(Voucher, "5 € voucher", Points.FromInt64(500), Money.FromDecimal(5m, Currency.EUR))]));
        await store.SaveCatalogAsync(Program, RewardCatalog.Create([
            RewardDefinition.AmountOffVoucher(Voucher, "5 € voucher", Points.FromInt64(450), Money.FromDecimal(5m, Currency.EUR))]));

        var read = await CreateStore().GetCatalogAsync(Program);
        var only = Assert.Single(read.Rewards);
        Assert.Equal(Points.FromInt64(450), only.Cost);
        await store.SaveCatalogAsync(Program, RewardCatalog.Empty);
        Assert.Empty((await CreateStore().GetCatalogAsync(Program)).Rewards);
    }

    /// <summary>Claims are idempotent per redemption and stop at the stock; a returned unit can be claimed again.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Stock_claims_are_idempotent_and_stop_at_the_stock()
    {
        var store = CreateStore();
        Assert.Equal(StockClaimStatus.Claimed, await store.ClaimStockAsync(Program, Voucher, Redemption(1), 2));
        Assert.Equal(StockClaimStatus.AlreadyClaimed, await store.ClaimStockAsync(Program, Voucher, Redemption(1), 2));
        Assert.Equal(StockClaimStatus.Claimed, await store.ClaimStockAsync(Program, Voucher, Redemption(2), 2));
        Assert.Equal(StockClaimStatus.OutOfStock, await store.ClaimStockAsync(Program, Voucher, Redemption(3), 2));
        Assert.Equal(2, await store.CountClaimedAsync(Program, Voucher));

        Assert.True(await store.ReturnStockAsync(Program, Voucher, Redemption(1)));
        Assert.False(await store.ReturnStockAsync(Program, Voucher, Redemption(1)));
        Assert.Equal(1, await store.CountClaimedAsync(Program, Voucher));
        Assert.Equal(StockClaimStatus.Claimed, await store.ClaimStockAsync(Program, Voucher, Redemption(3), 2));
        Assert.Equal(2, await store.CountClaimedAsync(Program, Voucher));
        Assert.Equal(0, await store.CountClaimedAsync(Program, RewardId.From("other")));
        Assert.Equal(StockClaimStatus.OutOfStock, await store.ClaimStockAsync(Program, RewardId.From("none-left"), Redemption(4), 0));
    }

    /// <summary>Many redemptions racing for a few units: exactly the stock is claimed, never more.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_claims_never_take_more_than_the_stock()
    {
        const long stock = 3;
        var writers = Enumerable.Range(0, ConcurrentWriters * 2).Select(i => (Store: CreateStore(), Id: Redemption(i))).ToArray();
        var results = await Task.WhenAll(writers.Select(w => Task.Run(async () => await w.Store.ClaimStockAsync(Program, Voucher, w.Id, stock))));
        Assert.Equal(stock, results.Count(r => r == StockClaimStatus.Claimed));
        Assert.Equal(writers.Length - stock, results.Count(r => r == StockClaimStatus.OutOfStock));
        Assert.Equal(stock, await CreateStore().CountClaimedAsync(Program, Voucher));
    }

    /// <summary>A redemption is inserted once: a second insert with its id returns the stored receipt.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Redemptions_are_inserted_once_and_listed_oldest_first()
    {
        var store = CreateStore();
        var first = Receipt(1, Start, "K7QM-3XHP");
        var second = Receipt(2, Start + Duration.FromMinutes(5), "Z9ZZ-1111");
        Assert.Equal(Describe(first), Describe(await store.AddRedemptionAsync(first)));
        Assert.Equal(Describe(second), Describe(await CreateStore().AddRedemptionAsync(second)));
        var retried = await CreateStore().AddRedemptionAsync(first with { Code = "OTHER-CODE" });
        Assert.Equal("K7QM-3XHP", retried.Code);

        Assert.Equal(Describe(first), Describe((await store.GetRedemptionAsync(Program, first.Id))!));
        Assert.Null(await store.GetRedemptionAsync(Program, Redemption(99)));
        Assert.Equal(["r-1", "r-2"], (await CreateStore().ListRedemptionsAsync(Program, MemberId.From("alice"))).Select(r => r.Id.Value));
        Assert.Empty(await store.ListRedemptionsAsync(Program, MemberId.From("bob")));
    }

    /// <summary>Writers racing to insert one redemption: all get the same stored receipt, and it is stored once.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_inserts_of_one_redemption_store_it_once()
    {
        var stores = Enumerable.Range(0, ConcurrentWriters).Select(_ => CreateStore()).ToArray();
        var results = await Task.WhenAll(stores.Select((s, i) => Task.Run(async () => await s.AddRedemptionAsync(Receipt(1, Start, "CODE-" + i)))));
        Assert.Single(results.Select(r => r.Code).Distinct());
        Assert.Single(await CreateStore().ListRedemptionsAsync(Program, MemberId.From("alice")));
    }

    /// <summary>Cancelling marks a redemption once: a second cancellation keeps the first instant; an unknown one is null.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_redemption_is_cancelled_once()
    {
        var store = CreateStore();
        await store.AddRedemptionAsync(Receipt(1, Start, "K7QM-3XHP"));
        var cancelled = await store.MarkCancelledAsync(Program, Redemption(1), Start + Duration.FromHours(1));
        Assert.Equal(RedemptionStatus.Cancelled, cancelled!.Status);
        Assert.Equal(Start + Duration.FromHours(1), cancelled.CancelledAt);

        var again = await CreateStore().MarkCancelledAsync(Program, Redemption(1), Start + Duration.FromHours(2));
        Assert.Equal(Start + Duration.FromHours(1), again!.CancelledAt);
        Assert.Equal(Describe(again), Describe((await store.GetRedemptionAsync(Program, Redemption(1)))!));
        Assert.Null(await store.MarkCancelledAsync(Program, Redemption(99), Start));
    }

    /// <summary>A null catalogue or redemption is refused before anything is written.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Null_arguments_are_refused()
    {
        var store = CreateStore();
        Assert.Equal("catalog", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.SaveCatalogAsync(Program, null!))).ParamName);
        Assert.Equal("redemption", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.AddRedemptionAsync(null!))).ParamName);
    }

    /// <summary>
    /// Members' data rights: a member's redemptions are replaced as a whole (new ids, member, code and
    /// transaction), the stock units they claimed follow the new ids (the count claimed does not move), and
    /// other members' redemptions are untouched.
    /// </summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_members_redemptions_are_rewritten_with_their_stock_claims()
    {
        var alice = MemberId.From("alice");
        var pseudonym = MemberId.From("erased-0123456789abcdef0123456789abcdef");
        Assert.Equal(StockClaimStatus.Claimed, await CreateStore().ClaimStockAsync(Program, Voucher, Redemption(1), 2));
        Assert.Equal(StockClaimStatus.Claimed, await CreateStore().ClaimStockAsync(Program, Voucher, Redemption(3), 2));
        var first = Receipt(1, Start, "K7QM-3XHP");
        var second = Receipt(2, Start + Duration.FromMinutes(5), "Z9ZZ-1111");
        var bobs = Receipt(3, Start, "BOB1-0000") with { MemberId = MemberId.From("bob") };
        foreach (var receipt in new[] { first, second, bobs })
        {
            await CreateStore().AddRedemptionAsync(receipt);
        }

        var data = Assert.IsAssignableFrom<IRedemptionDataStore>(CreateStore());
        RedemptionRewrite Erased(RewardRedemption r, int n) => new(r.Id, r with { Id = RedemptionId.From("erased-r" + n), MemberId = pseudonym, Code = "erased-c" + n, LedgerTransactionId = TransactionId.From("erased-t" + n) });

        // Not exactly the member's redemptions (one missing): refused, nothing written.
        Assert.Equal(MemberRewriteStatus.Conflict, await data.RewriteRedemptionsAsync(Program, alice, [Erased(first, 1)]));

        // A new id already used by another redemption: refused, nothing written.
        Assert.Equal(MemberRewriteStatus.TargetExists, await data.RewriteRedemptionsAsync(Program, alice, [Erased(first, 1), new(second.Id, second with { Id = bobs.Id, MemberId = pseudonym })]));
        Assert.Equal(["r-1", "r-2"], (await CreateStore().ListRedemptionsAsync(Program, alice)).Select(r => r.Id.Value));

        Assert.Equal(MemberRewriteStatus.NotFound, await data.RewriteRedemptionsAsync(Program, MemberId.From("nobody"), []));
        Assert.Equal(MemberRewriteStatus.Rewritten, await data.RewriteRedemptionsAsync(Program, alice, [Erased(first, 1), Erased(second, 2)]));

        Assert.Empty(await CreateStore().ListRedemptionsAsync(Program, alice));
        Assert.Null(await CreateStore().GetRedemptionAsync(Program, first.Id));
        Assert.Equal(
            [Describe(Erased(first, 1).Replacement), Describe(Erased(second, 2).Replacement)],
            (await CreateStore().ListRedemptionsAsync(Program, pseudonym)).Select(Describe));
        Assert.Equal([Describe(bobs)], (await CreateStore().ListRedemptionsAsync(Program, MemberId.From("bob"))).Select(Describe));
        Assert.Equal(2, await CreateStore().CountClaimedAsync(Program, Voucher));
        Assert.Equal(StockClaimStatus.AlreadyClaimed, await CreateStore().ClaimStockAsync(Program, Voucher, RedemptionId.From("erased-r1"), 2));
        Assert.False(await CreateStore().ReturnStockAsync(Program, Voucher, first.Id));
        Assert.True(await CreateStore().ReturnStockAsync(Program, Voucher, RedemptionId.From("erased-r1")));
    }

    private static RedemptionId Redemption(int n) => RedemptionId.From("r-" + n);

    private RewardRedemption Receipt(int n, Instant at, string code) => new()
    {
        ProgramId = Program,
        Id = Redemption(n),
        MemberId = MemberId.From("alice"),
        RewardId = Voucher,
        RewardName = "5 € voucher",
        Kind = RewardKind.AmountOffVoucher,
        Benefit = "5.00 EUR off",
        PointsSpent = Points.FromInt64(500),
        Code = code,
        RedeemedAt = at,
        LedgerTransactionId = TransactionId.From("redeem:r-" + n),
    };

    private static string Describe(RewardRedemption r)
        => string.Join('|', r.ProgramId, r.Id, r.MemberId, r.RewardId, r.RewardName, r.Kind, r.Benefit, r.PointsSpent, r.Code, r.RedeemedAt, r.LedgerTransactionId, r.Status, r.CancelledAt);

    private static string Describe(RewardDefinition r)
        => string.Join('|', r.Id, r.Name, r.Kind, r.Cost, r.AmountOff, r.Percentage, r.GiftSku, r.PayWithPointsTerms, r.PayWithPointsTerms?.MinimumPoints, r.PayWithPointsTerms?.MaximumShareOfOrder, r.RequiredTier, r.Stock, r.ValidFrom, r.ValidUntil, r.CostToShop);
}
