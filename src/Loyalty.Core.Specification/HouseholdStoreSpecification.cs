using Loyalty.Core.DataRights;
using Loyalty.Core.Households;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="IHouseholdStore"/> must have: one household per member, never more
/// members than the limit (also between racing joins), members in joining order, ownership passed on
/// when the owner goes, and a member's membership exported and erased. Subclass it once per store.
/// </summary>
/// <remarks>Each test works in its own programme, so a subclass may share one database between all its tests.</remarks>
public abstract class HouseholdStoreSpecification : IAsyncLifetime
{
    private static readonly Instant Start = Instant.FromUtc(2026, 3, 2, 9, 30);
    private static readonly HouseholdId Martin = HouseholdId.From("martin");
    private static readonly MemberId Alice = MemberId.From("alice");
    private static readonly MemberId Bob = MemberId.From("bob");

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected HouseholdStoreSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>How many writers the concurrency tests run at once. Default 8.</summary>
    protected virtual int ConcurrentWriters => 8;

    /// <summary>Returns a store over this test's storage; every call must see the same data, each may be a new session for one writer.</summary>
    /// <returns>The store.</returns>
    protected abstract IHouseholdStore CreateStore();

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A household is created with its owner, joined in order, read by id and by member.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_household_keeps_its_members_in_joining_order()
    {
        Assert.Equal(HouseholdWriteStatus.Done, await CreateStore().CreateAsync(Program, Martin, Alice, Start));
        Assert.Equal(HouseholdWriteStatus.Unchanged, await CreateStore().CreateAsync(Program, Martin, Alice, Start));
        Assert.Equal(HouseholdWriteStatus.HouseholdConflict, await CreateStore().CreateAsync(Program, Martin, Bob, Start));
        Assert.Equal(HouseholdWriteStatus.Done, await CreateStore().AddMemberAsync(Program, Martin, Bob, Start + Duration.FromDays(1), 6));
        Assert.Equal(HouseholdWriteStatus.Unchanged, await CreateStore().AddMemberAsync(Program, Martin, Bob, Start + Duration.FromDays(2), 6));

        var household = (await CreateStore().GetAsync(Program, Martin))!;
        Assert.Equal((Alice, Start), (household.Owner, household.CreatedAt));
        Assert.Equal([new HouseholdMember(Alice, Start), new HouseholdMember(Bob, Start + Duration.FromDays(1))], household.Members);
        Assert.Equal(household.Members, (await CreateStore().FindByMemberAsync(Program, Bob))!.Members);
        Assert.Null(await CreateStore().FindByMemberAsync(Program, MemberId.From("carol")));
        Assert.Equal(HouseholdWriteStatus.HouseholdConflict, await CreateStore().AddMemberAsync(Program, HouseholdId.From("none"), Bob, Start, 6));
    }

    /// <summary>A member belongs to one household; a full household takes no one more.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task One_household_per_member_and_never_above_the_limit()
    {
        await CreateStore().CreateAsync(Program, Martin, Alice, Start);
        await CreateStore().CreateAsync(Program, HouseholdId.From("durand"), Bob, Start);

        Assert.Equal(HouseholdWriteStatus.InAnotherHousehold, await CreateStore().AddMemberAsync(Program, Martin, Bob, Start, 6));
        Assert.Equal(HouseholdWriteStatus.InAnotherHousehold, await CreateStore().CreateAsync(Program, HouseholdId.From("other"), Alice, Start));
        Assert.Equal(HouseholdWriteStatus.Done, await CreateStore().AddMemberAsync(Program, Martin, MemberId.From("carol"), Start, 2));
        Assert.Equal(HouseholdWriteStatus.Full, await CreateStore().AddMemberAsync(Program, Martin, MemberId.From("dan"), Start, 2));
    }

    /// <summary>Racing joins never exceed the limit.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_joins_stay_within_the_limit()
    {
        await CreateStore().CreateAsync(Program, Martin, Alice, Start);
        var stores = Enumerable.Range(0, ConcurrentWriters).Select(_ => CreateStore()).ToArray();

        var results = await Task.WhenAll(stores.Select((s, i) => Task.Run(async () => await s.AddMemberAsync(Program, Martin, MemberId.From("m-" + i), Start, 4))));

        Assert.Equal(3, results.Count(r => r == HouseholdWriteStatus.Done));
        Assert.All(results.Where(r => r != HouseholdWriteStatus.Done), r => Assert.Equal(HouseholdWriteStatus.Full, r));
        Assert.Equal(4, (await CreateStore().GetAsync(Program, Martin))!.Members.Count);
    }

    /// <summary>Leaving removes the member; the owner's leaving passes ownership on; the last one's removes the household.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Leaving_passes_ownership_on_and_the_last_removes_the_household()
    {
        await CreateStore().CreateAsync(Program, Martin, Alice, Start);
        await CreateStore().AddMemberAsync(Program, Martin, Bob, Start + Duration.FromDays(1), 6);

        Assert.Equal(HouseholdWriteStatus.NotAMember, await CreateStore().RemoveMemberAsync(Program, Martin, MemberId.From("carol")));
        Assert.Equal(HouseholdWriteStatus.Done, await CreateStore().RemoveMemberAsync(Program, Martin, Alice));
        var household = (await CreateStore().GetAsync(Program, Martin))!;
        Assert.Equal((Bob, 1), (household.Owner, household.Members.Count));
        Assert.Null(await CreateStore().FindByMemberAsync(Program, Alice));

        Assert.Equal(HouseholdWriteStatus.Done, await CreateStore().RemoveMemberAsync(Program, Martin, Bob));
        Assert.Null(await CreateStore().GetAsync(Program, Martin));
        Assert.Equal(HouseholdWriteStatus.HouseholdConflict, await CreateStore().RemoveMemberAsync(Program, Martin, Bob));
    }

    /// <summary>Erasing a member removes their membership only.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_members_membership_is_erased()
    {
        await CreateStore().CreateAsync(Program, Martin, Alice, Start);
        await CreateStore().AddMemberAsync(Program, Martin, Bob, Start, 6);

        Assert.Equal(1, await CreateStore().EraseMemberAsync(Program, Bob));
        Assert.Equal(0, await CreateStore().EraseMemberAsync(Program, Bob));
        Assert.Equal([Alice], (await CreateStore().GetAsync(Program, Martin))!.Members.Select(m => m.MemberId));
        Assert.Equal(2, await CreateStore().EraseMemberAsync(Program, Alice));
        Assert.Null(await CreateStore().GetAsync(Program, Martin));
    }

    /// <summary>
    /// A store with <see cref="IHouseholdDataStore"/> moves a member's membership (joining date and place kept)
    /// and ownership to a new id, leaving nothing under the old one; a move to a member of another household is
    /// refused with nothing moved. A store without it is skipped.
    /// </summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Re_keying_moves_membership_and_ownership_and_refuses_a_member_of_a_household()
    {
        if (CreateStore() is not IHouseholdDataStore)
        {
            return;
        }

        var renamed = MemberId.From("alice.new");
        var carol = MemberId.From("carol");
        await CreateStore().CreateAsync(Program, Martin, Alice, Start);
        await CreateStore().AddMemberAsync(Program, Martin, Bob, Start + Duration.FromDays(1), 6);
        await CreateStore().CreateAsync(Program, HouseholdId.From("durand"), carol, Start);
        var before = (await CreateStore().GetAsync(Program, Martin))!;

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () => await ((IHouseholdDataStore)CreateStore()).RenameMemberAsync(Program, Alice, carol));
        Assert.Equal("Member 'carol' already belongs to household 'durand'; the household membership of member 'alice' was not moved. Choose an unused id, or remove the other member from their household first.", refused.Message);
        Assert.Equal(Alice, (await CreateStore().FindByMemberAsync(Program, Alice))!.Owner);

        Assert.Equal(1, await ((IHouseholdDataStore)CreateStore()).RenameMemberAsync(Program, Alice, renamed));

        Assert.Null(await CreateStore().FindByMemberAsync(Program, Alice));
        var after = (await CreateStore().FindByMemberAsync(Program, renamed))!;
        Assert.Equal(Martin, after.Id);
        Assert.Equal(renamed, after.Owner);
        Assert.Equal(before.CreatedAt, after.CreatedAt);
        Assert.Equal([new HouseholdMember(renamed, Start), new HouseholdMember(Bob, Start + Duration.FromDays(1))], after.Members);
        Assert.Equal(HouseholdWriteStatus.InAnotherHousehold, await CreateStore().CreateAsync(Program, HouseholdId.From("other"), renamed, Start));
        Assert.Equal(HouseholdWriteStatus.Done, await CreateStore().AddMemberAsync(Program, HouseholdId.From("durand"), Alice, Start, 6));

        // A member who is not the owner moves too, and the owner stays.
        Assert.Equal(1, await ((IHouseholdDataStore)CreateStore()).RenameMemberAsync(Program, Bob, MemberId.From("bob.new")));
        Assert.Equal([renamed, MemberId.From("bob.new")], (await CreateStore().GetAsync(Program, Martin))!.Members.Select(m => m.MemberId));
        Assert.Equal(renamed, (await CreateStore().GetAsync(Program, Martin))!.Owner);
        Assert.Equal(0, await ((IHouseholdDataStore)CreateStore()).RenameMemberAsync(Program, Bob, MemberId.From("nobody")));
    }
}
