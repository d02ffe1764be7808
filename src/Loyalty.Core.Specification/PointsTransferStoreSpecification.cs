using Loyalty.Core.DataRights;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Transfers;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="IPointsTransferStore"/> must have: a reservation idempotent by id and
/// within the sender's allowance for the period (also between racing transfers), completion and removal
/// of pending transfers only, and a member's transfers exported and erased. Subclass it once per store.
/// </summary>
/// <remarks>Each test works in its own programme, so a subclass may share one database between all its tests.</remarks>
public abstract class PointsTransferStoreSpecification : IAsyncLifetime
{
    private static readonly Instant Start = Instant.FromUtc(2026, 3, 2, 9, 30);
    private static readonly MemberId Alice = MemberId.From("alice");
    private static readonly MemberId Bob = MemberId.From("bob");

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected PointsTransferStoreSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>How many writers the concurrency tests run at once. Default 8.</summary>
    protected virtual int ConcurrentWriters => 8;

    /// <summary>Returns a store over this test's storage; every call must see the same data, each may be a new session for one writer.</summary>
    /// <returns>The store.</returns>
    protected abstract IPointsTransferStore CreateStore();

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A reservation records a pending transfer; its id again returns it; completion keeps the legs.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_transfer_is_reserved_once_and_completed_with_its_legs()
    {
        var reserved = await CreateStore().ReserveAsync(Transfer("t-1", 300) with { Message = "Happy birthday" }, Start, Points.FromInt64(1000));
        Assert.Equal(TransferReservationStatus.Reserved, reserved.Status);
        Assert.Equal(PointsTransferStatus.Pending, reserved.Record!.Status);

        var again = await CreateStore().ReserveAsync(Transfer("t-1", 300), Start, Points.FromInt64(1000));
        Assert.Equal(TransferReservationStatus.Exists, again.Status);
        Assert.Equal("Happy birthday", again.Record!.Message);

        PointsTransferLeg[] legs = [new(Points.FromInt64(100), Start + Duration.FromDays(10)), new(Points.FromInt64(200), null)];
        var completed = await CreateStore().CompleteAsync(Program, TransferId.From("t-1"), legs);
        Assert.Equal(PointsTransferStatus.Completed, completed!.Status);
        Assert.Equal(legs, completed.Legs);
        var read = (await CreateStore().GetAsync(Program, TransferId.From("t-1")))!;
        Assert.Equal(legs, read.Legs);
        Assert.Equal(completed with { Legs = [] }, read with { Legs = [] });
        Assert.False(await CreateStore().RemovePendingAsync(Program, TransferId.From("t-1")));
        Assert.Null(await CreateStore().CompleteAsync(Program, TransferId.From("t-9"), legs));
    }

    /// <summary>The allowance counts the sender's transfers since the period start, pending ones included; a removed one gives its points back.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task The_period_allowance_counts_the_senders_transfers_in_the_period()
    {
        var limit = Points.FromInt64(1000);
        await CreateStore().ReserveAsync(Transfer("old", 900) with { TransferredAt = Start - Duration.FromDays(40) }, Start - Duration.FromDays(40), limit);
        Assert.Equal(TransferReservationStatus.Reserved, (await CreateStore().ReserveAsync(Transfer("t-1", 600), Start, limit)).Status);
        await CreateStore().ReserveAsync(Transfer("bob-1", 900) with { From = Bob, To = Alice }, Start, limit);

        var over = await CreateStore().ReserveAsync(Transfer("t-2", 401), Start, limit);
        Assert.Equal((TransferReservationStatus.PeriodLimitReached, Points.FromInt64(600)), (over.Status, over.GivenInPeriod));
        Assert.Null(await CreateStore().GetAsync(Program, TransferId.From("t-2")));

        Assert.True(await CreateStore().RemovePendingAsync(Program, TransferId.From("t-1")));
        Assert.Equal(TransferReservationStatus.Reserved, (await CreateStore().ReserveAsync(Transfer("t-2", 1000), Start, limit)).Status);
    }

    /// <summary>Racing transfers of one sender never reserve more than the allowance.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_transfers_stay_within_the_allowance()
    {
        var stores = Enumerable.Range(0, ConcurrentWriters).Select(_ => CreateStore()).ToArray();

        var results = await Task.WhenAll(stores.Select((s, i) => Task.Run(async () => await s.ReserveAsync(Transfer("t-" + i, 300), Start, Points.FromInt64(1000)))));

        Assert.Equal(3, results.Count(r => r.Status == TransferReservationStatus.Reserved));
        Assert.All(results.Where(r => r.Status != TransferReservationStatus.Reserved), r => Assert.Equal(TransferReservationStatus.PeriodLimitReached, r.Status));
        Assert.Equal(3, (await CreateStore().ListMemberTransfersAsync(Program, Alice)).Count);
    }

    /// <summary>A member's transfers, given or received, are exported oldest first and erased, and no one else's.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_members_transfers_are_exported_and_erased()
    {
        var limit = Points.FromInt64(10_000);
        var carol = MemberId.From("carol");
        await CreateStore().ReserveAsync(Transfer("t-1", 100), Start, limit);
        await CreateStore().ReserveAsync(Transfer("t-2", 100) with { From = Bob, To = Alice, TransferredAt = Start + Duration.FromHours(1) }, Start, limit);
        await CreateStore().ReserveAsync(Transfer("t-3", 100) with { From = Bob, To = carol }, Start, limit);

        Assert.Equal(["t-1", "t-2"], (await CreateStore().ListMemberTransfersAsync(Program, Alice)).Select(t => t.Id.Value));
        Assert.Equal(2, await CreateStore().EraseMemberTransfersAsync(Program, Alice));
        Assert.Empty(await CreateStore().ListMemberTransfersAsync(Program, Alice));
        Assert.Equal(["t-3"], (await CreateStore().ListMemberTransfersAsync(Program, Bob)).Select(t => t.Id.Value));
    }

    /// <summary>
    /// A store with <see cref="IPointsTransferDataStore"/> moves every transfer a member gave or received to a new
    /// id (the period's allowance still counts what they gave), leaving nothing under the old one; a move to a
    /// member who gave or received a transfer is refused with nothing moved. A store without it is skipped.
    /// </summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Re_keying_moves_transfers_given_and_received_and_refuses_a_member_with_transfers()
    {
        if (CreateStore() is not IPointsTransferDataStore)
        {
            return;
        }

        var limit = Points.FromInt64(250);
        var carol = MemberId.From("carol");
        var renamed = MemberId.From("alice.new");
        await CreateStore().ReserveAsync(Transfer("t-1", 100), Start, limit);
        await CreateStore().ReserveAsync(Transfer("t-2", 100) with { From = Bob, To = Alice, TransferredAt = Start + Duration.FromHours(1) }, Start, limit);
        await CreateStore().ReserveAsync(Transfer("t-3", 100) with { From = Bob, To = carol }, Start, limit);
        var before = await CreateStore().ListMemberTransfersAsync(Program, Alice);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () => await ((IPointsTransferDataStore)CreateStore()).RenameMemberTransfersAsync(Program, Alice, carol));
        Assert.Equal("Member 'carol' already gave or received a points transfer; the transfers of member 'alice' were not moved. Choose an unused id, or erase the other member's transfers first.", refused.Message);
        Assert.Equal(2, (await CreateStore().ListMemberTransfersAsync(Program, Alice)).Count);

        Assert.Equal(2, await ((IPointsTransferDataStore)CreateStore()).RenameMemberTransfersAsync(Program, Alice, renamed));

        Assert.Empty(await CreateStore().ListMemberTransfersAsync(Program, Alice));
        var after = await CreateStore().ListMemberTransfersAsync(Program, renamed);
        Assert.Equal(
            before.Select(t => (t.Id, t.From == Alice ? renamed : t.From, t.To == Alice ? renamed : t.To, t.Points, t.TransferredAt, t.Status, t.Message)),
            after.Select(t => (t.Id, t.From, t.To, t.Points, t.TransferredAt, t.Status, t.Message)));
        Assert.Equal(["t-1", "t-2", "t-3"], (await CreateStore().ListMemberTransfersAsync(Program, Bob)).Select(t => t.Id.Value).Order());
        Assert.Equal(renamed, (await CreateStore().GetAsync(Program, TransferId.From("t-1")))!.From);

        // The allowance of the period still counts the 100 points given under the old id.
        var next = await CreateStore().ReserveAsync(Transfer("t-4", 200) with { From = renamed, To = carol }, Start, limit);
        Assert.Equal((TransferReservationStatus.PeriodLimitReached, Points.FromInt64(100)), (next.Status, next.GivenInPeriod));
        Assert.Equal(0, await ((IPointsTransferDataStore)CreateStore()).RenameMemberTransfersAsync(Program, Alice, MemberId.From("nobody")));
    }

    private PointsTransferRecord Transfer(string id, long points) => new()
    {
        ProgramId = Program,
        Id = TransferId.From(id),
        From = Alice,
        To = Bob,
        Points = Points.FromInt64(points),
        TransferredAt = Start,
    };
}
