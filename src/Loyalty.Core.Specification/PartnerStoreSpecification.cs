using Loyalty.Core.Coalition;
using Loyalty.Core.Primitives;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="IPartnerStore"/> must have: partners registered once and updated
/// under optimistic concurrency, agreement versions that never overlap (even when added at once),
/// prepaid blocks drawn oldest first then reserve, all or nothing, once per key, shrunk back without
/// ever growing, and never more drawn than bought between racing writers. Subclass it once per store
/// and implement <see cref="CreateStore"/>.
/// </summary>
/// <remarks>Each test works in its own programme, so a subclass may share one database between all its tests.</remarks>
public abstract class PartnerStoreSpecification : IAsyncLifetime
{
    private static readonly MerchantId Grocer = MerchantId.From("grocer");
    private static readonly Instant Jan1 = Instant.FromUtc(2026, 1, 1, 0, 0);

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected PartnerStoreSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>How many writers the concurrency tests run at once. Default 16.</summary>
    protected virtual int ConcurrentWriters => 16;

    /// <summary>Returns a store over this test's storage; every call must see the same data, each may be a new session for one writer.</summary>
    /// <returns>The store.</returns>
    protected abstract IPartnerStore CreateStore();

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A partner is registered once at version 1; registering the id again returns the stored one.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_partner_is_registered_once()
    {
        var grocer = Partner(Grocer);
        Assert.Equal(grocer with { Version = 1 }, await CreateStore().AddPartnerAsync(Program, grocer));
        Assert.Equal(grocer with { Version = 1 }, await CreateStore().AddPartnerAsync(Program, grocer with { Name = "Other" }));
        Assert.Equal(grocer with { Version = 1 }, await CreateStore().GetPartnerAsync(Program, Grocer));
        Assert.Null(await CreateStore().GetPartnerAsync(Program, MerchantId.From("nobody")));
        await CreateStore().AddPartnerAsync(Program, Partner(MerchantId.From("bookshop")));
        Assert.Equal(["bookshop", "grocer"], (await CreateStore().ListPartnersAsync(Program)).Select(p => p.Id.Value));
    }

    /// <summary>An update applies at the version read and bumps it; a stale one changes nothing.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_partner_is_updated_at_the_version_read()
    {
        await CreateStore().AddPartnerAsync(Program, Partner(Grocer));
        var left = Partner(Grocer) with { Status = PartnerStatus.Left, LeftOn = new LocalDate(2026, 6, 1) };
        Assert.True(await CreateStore().UpdatePartnerAsync(Program, left, 1));
        Assert.False(await CreateStore().UpdatePartnerAsync(Program, left with { Name = "Stale" }, 1));
        Assert.False(await CreateStore().UpdatePartnerAsync(Program, Partner(MerchantId.From("nobody")), 1));
        Assert.Equal(left with { Version = 2 }, await CreateStore().GetPartnerAsync(Program, Grocer));
    }

    /// <summary>Versions are added once, never reuse a number with other terms, and never overlap another's days.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Agreement_versions_never_overlap()
    {
        await CreateStore().AddPartnerAsync(Program, Partner(Grocer));
        var v1 = Agreement(1, new LocalDate(2026, 1, 1), new LocalDate(2026, 3, 1));
        var v2 = Agreement(2, new LocalDate(2026, 3, 1), null);
        Assert.Equal(new AgreementAddResult(AgreementAddStatus.Added), await CreateStore().AddAgreementAsync(Program, v2));
        Assert.Equal(new AgreementAddResult(AgreementAddStatus.Added), await CreateStore().AddAgreementAsync(Program, v1));
        Assert.Equal(new AgreementAddResult(AgreementAddStatus.Repeat), await CreateStore().AddAgreementAsync(Program, v1));
        Assert.Equal(new AgreementAddResult(AgreementAddStatus.VersionTaken, v1), await CreateStore().AddAgreementAsync(Program, v1 with { IssuancePricePerPoint = 0.5m }));
        Assert.Equal(new AgreementAddResult(AgreementAddStatus.Overlaps, v2), await CreateStore().AddAgreementAsync(Program, Agreement(3, new LocalDate(2026, 5, 1), null)));
        Assert.Equal([v1, v2], await CreateStore().GetAgreementsAsync(Program, Grocer));
    }

    /// <summary>Of versions that overlap each other added at once, exactly one is kept.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_overlapping_versions_keep_one()
    {
        await CreateStore().AddPartnerAsync(Program, Partner(Grocer));
        var results = await Task.WhenAll(Enumerable.Range(1, ConcurrentWriters).Select(v => Task.Run(async () =>
            await CreateStore().AddAgreementAsync(Program, Agreement(v, new LocalDate(2026, 1, v), null)))));
        Assert.Single(results, r => r.Status == AgreementAddStatus.Added);
        Assert.Single(await CreateStore().GetAgreementsAsync(Program, Grocer));
    }

    /// <summary>Draws take ordinary blocks oldest first, then reserve blocks; a draw the blocks cannot cover takes nothing; expired and not yet bought blocks are skipped.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Draws_take_the_oldest_block_first_then_the_reserve_all_or_nothing()
    {
        var store = CreateStore();
        await store.AddPartnerAsync(Program, Partner(Grocer));
        await CreateStore().AddBlockAsync(Program, Block("B", 100, Jan1 + Duration.FromDays(2)));
        await CreateStore().AddBlockAsync(Program, Block("A", 100, Jan1 + Duration.FromDays(1)));
        await CreateStore().AddBlockAsync(Program, Block("R", 50, Jan1) with { IsReserve = true });
        await CreateStore().AddBlockAsync(Program, Block("OLD", 500, Jan1 - Duration.FromDays(40)) with { ExpiresAt = Jan1 });
        await CreateStore().AddBlockAsync(Program, Block("LATER", 500, Jan1 + Duration.FromDays(30)));
        Assert.Equal(Block("A", 100, Jan1 + Duration.FromDays(1)), await CreateStore().AddBlockAsync(Program, Block("A", 999, Jan1)));
        var at = Jan1 + Duration.FromDays(3);

        var first = await CreateStore().DrawAsync(Program, Grocer, Key("order:1"), 150, at);
        Assert.Equal([new PrepaidDrawPart("A", 100), new PrepaidDrawPart("B", 50)], first!.Parts);
        Assert.Null(await CreateStore().DrawAsync(Program, Grocer, Key("order:2"), 101, at));
        var second = await CreateStore().DrawAsync(Program, Grocer, Key("order:3"), 100, at);
        Assert.Equal([new PrepaidDrawPart("B", 50), new PrepaidDrawPart("R", 50)], second!.Parts);
        Assert.Equal(new PrepaidBalance(750, 250, 0, 0), await CreateStore().GetPrepaidBalanceAsync(Program, Grocer, at));
        Assert.Equal(5, (await CreateStore().GetBlocksAsync(Program, Grocer)).Count);
    }

    /// <summary>A key draws once: asking again returns the first draw and takes nothing more.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_key_draws_once()
    {
        await CreateStore().AddPartnerAsync(Program, Partner(Grocer));
        await CreateStore().AddBlockAsync(Program, Block("A", 100, Jan1));
        var first = await CreateStore().DrawAsync(Program, Grocer, Key("order:1"), 30, Jan1);
        var again = await CreateStore().DrawAsync(Program, Grocer, Key("order:1"), 30, Jan1);
        Assert.Equal(first!.Parts, again!.Parts);
        Assert.Equal(30, (await CreateStore().GetPrepaidBalanceAsync(Program, Grocer, Jan1)).Drawn);
    }

    /// <summary>Settling a draw gives back the latest-drawn part first, never grows it, and changes nothing the second time.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_settled_draw_gives_points_back_and_never_grows()
    {
        await CreateStore().AddPartnerAsync(Program, Partner(Grocer));
        await CreateStore().AddBlockAsync(Program, Block("A", 100, Jan1));
        await CreateStore().AddBlockAsync(Program, Block("B", 100, Jan1 + Duration.FromHours(1)));
        var at = Jan1 + Duration.FromDays(1);
        await CreateStore().DrawAsync(Program, Grocer, Key("order:1"), 150, at);

        Assert.Equal([new PrepaidDrawPart("A", 100), new PrepaidDrawPart("B", 20)], (await CreateStore().SettleDrawAsync(Program, Key("order:1"), 120))!.Parts);
        Assert.Equal([new PrepaidDrawPart("A", 100), new PrepaidDrawPart("B", 20)], (await CreateStore().SettleDrawAsync(Program, Key("order:1"), 500))!.Parts);
        Assert.Equal(120, (await CreateStore().GetPrepaidBalanceAsync(Program, Grocer, at)).Drawn);
        Assert.Empty((await CreateStore().SettleDrawAsync(Program, Key("order:1"), 0))!.Parts);
        Assert.Equal(new PrepaidBalance(200, 0, 200, 0), await CreateStore().GetPrepaidBalanceAsync(Program, Grocer, at));
        Assert.Null(await CreateStore().SettleDrawAsync(Program, Key("order:unknown"), 0));
    }

    /// <summary>Racing draws at one partner never take more than its blocks hold: exactly as many succeed as the points allow.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_draws_never_take_more_than_was_bought()
    {
        await CreateStore().AddPartnerAsync(Program, Partner(Grocer));
        await CreateStore().AddBlockAsync(Program, Block("A", 250, Jan1));
        await CreateStore().AddBlockAsync(Program, Block("B", 250, Jan1 + Duration.FromHours(1)));
        var at = Jan1 + Duration.FromDays(1);
        var draws = await Task.WhenAll(Enumerable.Range(0, ConcurrentWriters * 2).Select(i => Task.Run(async () =>
            await CreateStore().DrawAsync(Program, Grocer, Key("order:" + i), 100, at))));

        Assert.Equal(5, draws.Count(d => d is not null));
        Assert.Equal(new PrepaidBalance(500, 500, 0, 0), await CreateStore().GetPrepaidBalanceAsync(Program, Grocer, at));
    }

    private static TransactionId Key(string value) => TransactionId.From(value);

    private static Partner Partner(MerchantId id) => new() { Id = id, Name = "Grocer " + id, Currency = Currency.EUR, JoinedOn = new LocalDate(2025, 12, 1) };

    private static PartnerAgreement Agreement(int version, LocalDate from, LocalDate? until) => new()
    {
        Merchant = Grocer,
        Version = version,
        EffectiveFrom = from,
        EffectiveUntil = until,
        Currency = Currency.EUR,
        IssuancePricePerPoint = 0.015m,
        BillingPercentage = 90m,
        RedemptionReimbursementPerPoint = 0.008m,
    };

    private static PrepaidPointBlock Block(string id, long points, Instant purchasedAt) => new()
    {
        Merchant = Grocer,
        BlockId = id,
        Points = points,
        PricePerPoint = 0.01m,
        Currency = Currency.EUR,
        PurchasedAt = purchasedAt,
    };
}
