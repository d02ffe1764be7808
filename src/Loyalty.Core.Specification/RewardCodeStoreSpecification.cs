using Loyalty.Core.DataRights;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="IRewardCodeStore"/> must have: a code read back whole, one code per
/// redemption, uses recorded once per order and never more than the code allows (also between racing
/// checkouts), expiry and cancellation closing an issued code once, and a member's codes exported and
/// erased. Subclass it once per store and implement <see cref="CreateStore"/>.
/// </summary>
/// <remarks>Each test works in its own programme, so a subclass may share one database between all its tests.</remarks>
public abstract class RewardCodeStoreSpecification : IAsyncLifetime
{
    private static readonly Instant Start = Instant.FromUtc(2026, 3, 2, 9, 30);
    private static readonly MemberId Alice = MemberId.From("alice");

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected RewardCodeStoreSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>How many checkouts the concurrency tests run at once. Default 8.</summary>
    protected virtual int ConcurrentWriters => 8;

    /// <summary>Returns a store over this test's storage; every call must see the same data, each may be a new session for one writer.</summary>
    /// <returns>The store.</returns>
    protected abstract IRewardCodeStore CreateStore();

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A code reads back whole, by its text and by its redemption; an unknown one is null.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_code_round_trips_by_text_and_by_redemption()
    {
        var code = Code("K7QM-3XHP-9TWA", "r-1", uses: 3) with { ReturnPointsOnExpiry = true };
        Assert.Same(code, await CreateStore().AddCodeAsync(code));

        Assert.Equal(code, await CreateStore().GetCodeAsync(Program, code.Code));
        Assert.Equal(code, await CreateStore().GetCodeForRedemptionAsync(Program, RedemptionId.From("r-1")));
        Assert.Null(await CreateStore().GetCodeAsync(Program, "NOPE"));
        Assert.Equal(code with { ExpiresAt = null }, await AddAndReadAsync(code with { Code = "NEVER", RedemptionId = RedemptionId.From("r-2"), ExpiresAt = null }) with { Code = code.Code, RedemptionId = code.RedemptionId });
    }

    /// <summary>A redemption keeps its first code; a code text taken by another redemption is not inserted.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_redemption_has_one_code_and_a_code_one_redemption()
    {
        var first = Code("CODE-A", "r-1");
        await CreateStore().AddCodeAsync(first);

        Assert.Equal(first, await CreateStore().AddCodeAsync(Code("CODE-B", "r-1")));
        var taken = await CreateStore().AddCodeAsync(Code("CODE-A", "r-2"));
        Assert.Equal(RedemptionId.From("r-1"), taken.RedemptionId);
        Assert.Null(await CreateStore().GetCodeForRedemptionAsync(Program, RedemptionId.From("r-2")));
        Assert.Null(await CreateStore().GetCodeAsync(Program, "CODE-B"));
    }

    /// <summary>A use is recorded once per order; the last use turns the code used; a used-up code refuses another order.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Uses_are_idempotent_per_order_and_capped()
    {
        await CreateStore().AddCodeAsync(Code("MULTI", "r-1", uses: 2));

        var first = await CreateStore().ConsumeCodeAsync(Program, "MULTI", OrderId.From("o-1"), Start + Duration.FromHours(1));
        Assert.Equal(RewardCodeConsumeStatus.Consumed, first.Status);
        Assert.Equal(1, first.Code!.Uses);
        Assert.Equal(RewardCodeStatus.Issued, first.Code.Status);

        var again = await CreateStore().ConsumeCodeAsync(Program, "MULTI", OrderId.From("o-1"), Start + Duration.FromHours(2));
        Assert.Equal(RewardCodeConsumeStatus.AlreadyConsumedByOrder, again.Status);
        Assert.Equal(first.Use, again.Use);

        var second = await CreateStore().ConsumeCodeAsync(Program, "MULTI", OrderId.From("o-2"), Start + Duration.FromHours(3));
        Assert.Equal(RewardCodeConsumeStatus.Consumed, second.Status);
        Assert.Equal(RewardCodeStatus.Used, second.Code!.Status);
        Assert.Equal(Start + Duration.FromHours(3), second.Code.ClosedAt);

        var third = await CreateStore().ConsumeCodeAsync(Program, "MULTI", OrderId.From("o-3"), Start + Duration.FromHours(4));
        Assert.Equal(RewardCodeConsumeStatus.NotUsable, third.Status);
        Assert.Equal(2, third.Code!.Uses);
        Assert.Equal(["o-1", "o-2"], (await CreateStore().ListUsesAsync(Program, "MULTI")).Select(u => u.OrderId.Value));
        Assert.Equal(RewardCodeConsumeStatus.NotFound, (await CreateStore().ConsumeCodeAsync(Program, "NOPE", OrderId.From("o-1"), Start)).Status);
    }

    /// <summary>A code is not usable at or after its expiry, nor once cancelled.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task An_expired_or_cancelled_code_is_not_usable()
    {
        var expiry = Start + Duration.FromDays(30);
        await CreateStore().AddCodeAsync(Code("EXP", "r-1") with { ExpiresAt = expiry });
        await CreateStore().AddCodeAsync(Code("CAN", "r-2"));

        Assert.Equal(RewardCodeConsumeStatus.NotUsable, (await CreateStore().ConsumeCodeAsync(Program, "EXP", OrderId.From("o-1"), expiry)).Status);
        Assert.True(await CreateStore().CloseCodeAsync(Program, "CAN", RewardCodeStatus.Cancelled, Start, Points.Zero));
        Assert.Equal(RewardCodeConsumeStatus.NotUsable, (await CreateStore().ConsumeCodeAsync(Program, "CAN", OrderId.From("o-1"), Start)).Status);
        Assert.Empty(await CreateStore().ListUsesAsync(Program, "EXP"));
    }

    /// <summary>Expiry closes an issued code once, only when due, with the points returned; cancellation only an unused one.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Closing_happens_once_and_only_when_allowed()
    {
        var expiry = Start + Duration.FromDays(30);
        await CreateStore().AddCodeAsync(Code("EXP", "r-1") with { ExpiresAt = expiry });
        await CreateStore().AddCodeAsync(Code("USED", "r-2", uses: 2));
        await CreateStore().ConsumeCodeAsync(Program, "USED", OrderId.From("o-1"), Start);

        Assert.False(await CreateStore().CloseCodeAsync(Program, "EXP", RewardCodeStatus.Expired, expiry - Duration.FromTicks(1), Points.FromInt64(500)));
        Assert.True(await CreateStore().CloseCodeAsync(Program, "EXP", RewardCodeStatus.Expired, expiry, Points.FromInt64(500)));
        Assert.False(await CreateStore().CloseCodeAsync(Program, "EXP", RewardCodeStatus.Expired, expiry, Points.FromInt64(500)));
        Assert.False(await CreateStore().CloseCodeAsync(Program, "EXP", RewardCodeStatus.Cancelled, expiry, Points.Zero));
        var expired = (await CreateStore().GetCodeAsync(Program, "EXP"))!;
        Assert.Equal((RewardCodeStatus.Expired, expiry, Points.FromInt64(500)), (expired.Status, expired.ClosedAt!.Value, expired.PointsReturned));

        Assert.False(await CreateStore().CloseCodeAsync(Program, "USED", RewardCodeStatus.Cancelled, Start, Points.Zero));
        Assert.Equal(RewardCodeStatus.Issued, (await CreateStore().GetCodeAsync(Program, "USED"))!.Status);
        await Assert.ThrowsAsync<ArgumentException>("status", async () => await CreateStore().CloseCodeAsync(Program, "USED", RewardCodeStatus.Used, Start, Points.Zero));
    }

    /// <summary>Maintenance pages through the issued codes due, in code order, and no other.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Codes_due_are_paged_in_code_order()
    {
        var expiry = Start + Duration.FromDays(30);
        foreach (var name in new[] { "C-3", "C-1", "C-2", "C-4" })
        {
            await CreateStore().AddCodeAsync(Code(name, "r-" + name) with { ExpiresAt = expiry });
        }

        await CreateStore().AddCodeAsync(Code("LATER", "r-later") with { ExpiresAt = expiry + Duration.FromDays(1) });
        await CreateStore().AddCodeAsync(Code("NEVER", "r-never"));
        await CreateStore().CloseCodeAsync(Program, "C-4", RewardCodeStatus.Cancelled, Start, Points.Zero);

        var first = await CreateStore().FindCodesDueAsync(Program, expiry, null, 2);
        var rest = await CreateStore().FindCodesDueAsync(Program, expiry, first[^1].Code, 2);
        Assert.Equal(["C-1", "C-2"], first.Select(c => c.Code));
        Assert.Equal(["C-3"], rest.Select(c => c.Code));
    }

    /// <summary>Racing checkouts of one single-use code: exactly one records a use.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_checkouts_use_a_single_use_code_once()
    {
        await CreateStore().AddCodeAsync(Code("ONCE", "r-1"));
        var stores = Enumerable.Range(0, ConcurrentWriters).Select(_ => CreateStore()).ToArray();

        var results = await Task.WhenAll(stores.Select((s, i) => Task.Run(async () => await s.ConsumeCodeAsync(Program, "ONCE", OrderId.From("o-" + i), Start))));

        Assert.Single(results, r => r.Status == RewardCodeConsumeStatus.Consumed);
        Assert.All(results.Where(r => r.Status != RewardCodeConsumeStatus.Consumed), r => Assert.Equal(RewardCodeConsumeStatus.NotUsable, r.Status));
        Assert.Single(await CreateStore().ListUsesAsync(Program, "ONCE"));
        Assert.Equal((RewardCodeStatus.Used, 1), ((await CreateStore().GetCodeAsync(Program, "ONCE"))!.Status, (await CreateStore().GetCodeAsync(Program, "ONCE"))!.Uses));
    }

    /// <summary>Racing checkouts of one order with a multi-use code record one use.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_retries_of_one_order_record_one_use()
    {
        await CreateStore().AddCodeAsync(Code("MANY", "r-1", uses: 5));
        var stores = Enumerable.Range(0, ConcurrentWriters).Select(_ => CreateStore()).ToArray();

        var results = await Task.WhenAll(stores.Select(s => Task.Run(async () => await s.ConsumeCodeAsync(Program, "MANY", OrderId.From("o-1"), Start))));

        Assert.Single(results, r => r.Status == RewardCodeConsumeStatus.Consumed);
        Assert.All(results.Where(r => r.Status != RewardCodeConsumeStatus.Consumed), r => Assert.Equal(RewardCodeConsumeStatus.AlreadyConsumedByOrder, r.Status));
        Assert.Equal(1, (await CreateStore().GetCodeAsync(Program, "MANY"))!.Uses);
    }

    /// <summary>A member's codes are exported with their uses and erased with them, and no one else's.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_members_codes_are_exported_and_erased()
    {
        await CreateStore().AddCodeAsync(Code("A-1", "r-1"));
        await CreateStore().AddCodeAsync(Code("A-2", "r-2") with { IssuedAt = Start + Duration.FromDays(1) });
        await CreateStore().AddCodeAsync(Code("B-1", "r-3") with { MemberId = MemberId.From("bob") });
        await CreateStore().ConsumeCodeAsync(Program, "A-1", OrderId.From("o-1"), Start);

        var export = await CreateStore().ListMemberCodesAsync(Program, Alice);
        Assert.Equal(["A-1", "A-2"], export.Select(e => e.Code.Code));
        Assert.Equal(["o-1"], export[0].Uses.Select(u => u.OrderId.Value));

        Assert.Equal(2, await CreateStore().EraseMemberCodesAsync(Program, Alice));
        Assert.Empty(await CreateStore().ListMemberCodesAsync(Program, Alice));
        Assert.Empty(await CreateStore().ListUsesAsync(Program, "A-1"));
        Assert.Null(await CreateStore().GetCodeForRedemptionAsync(Program, RedemptionId.From("r-1")));
        Assert.NotNull(await CreateStore().GetCodeAsync(Program, "B-1"));
    }

    /// <summary>Members' data rights: a rectification moves every code of a member, with its uses, to the member's new id.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_members_codes_move_to_another_id_with_their_uses()
    {
        var renamed = MemberId.From("alice.new@example.com");
        await CreateStore().AddCodeAsync(Code("A-1", "r-1"));
        await CreateStore().AddCodeAsync(Code("A-2", "r-2") with { IssuedAt = Start + Duration.FromDays(1) });
        await CreateStore().AddCodeAsync(Code("B-1", "r-3") with { MemberId = MemberId.From("bob") });
        await CreateStore().ConsumeCodeAsync(Program, "A-1", OrderId.From("o-1"), Start);
        var data = Assert.IsAssignableFrom<IRewardCodeDataStore>(CreateStore());

        Assert.Equal(2, await data.RenameMemberCodesAsync(Program, Alice, renamed));

        Assert.Empty(await CreateStore().ListMemberCodesAsync(Program, Alice));
        var moved = await CreateStore().ListMemberCodesAsync(Program, renamed);
        Assert.Equal(["A-1", "A-2"], moved.Select(e => e.Code.Code));
        Assert.All(moved, e => Assert.Equal(renamed, e.Code.MemberId));
        Assert.Equal(["o-1"], moved[0].Uses.Select(u => u.OrderId.Value));
        Assert.Equal(1, moved[0].Code.Uses);
        Assert.Equal(MemberId.From("bob"), (await CreateStore().GetCodeAsync(Program, "B-1"))!.MemberId);
        Assert.Equal(0, await data.RenameMemberCodesAsync(Program, Alice, renamed));
    }

    private async Task<RewardCode> AddAndReadAsync(RewardCode code)
    {
        await CreateStore().AddCodeAsync(code);
        return (await CreateStore().GetCodeAsync(Program, code.Code))!;
    }

    private RewardCode Code(string code, string redemption, int uses = 1) => new()
    {
        ProgramId = Program,
        Code = code,
        RedemptionId = RedemptionId.From(redemption),
        MemberId = Alice,
        RewardId = RewardId.From("voucher-5"),
        Kind = RewardKind.AmountOffVoucher,
        Benefit = "5.00 EUR off",
        PointsSpent = Points.FromInt64(500),
        IssuedAt = Start,
        ExpiresAt = Start + Duration.FromDays(60),
        MaxUses = uses,
    };
}
