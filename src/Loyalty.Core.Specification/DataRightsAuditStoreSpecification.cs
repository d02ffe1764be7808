using Loyalty.Core.DataRights;
using Loyalty.Core.Primitives;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="IDataRightsAuditStore"/> must have: an entry per request id, read back
/// whole; listings by period and by member in instant then request id order; programmes kept apart;
/// entries about a member re-keyed (an erasure leaves none under the erased id); racing appends of one
/// request id keep one. Subclass it once per store and implement <see cref="CreateStore"/>.
/// </summary>
/// <remarks>Each test works in its own programme, so a subclass may share one database between all its tests.</remarks>
public abstract class DataRightsAuditStoreSpecification : IAsyncLifetime
{
    private static readonly Instant March = Instant.FromUtc(2026, 3, 1, 9, 0);
    private static readonly MemberId Alice = MemberId.From("alice@example.com");

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected DataRightsAuditStoreSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>How many writers the concurrency test runs at once. Default 8.</summary>
    protected virtual int ConcurrentWriters => 8;

    /// <summary>Returns a store over this test's storage; every call must see the same data, each may be a new session for one writer.</summary>
    /// <returns>The store.</returns>
    protected abstract IDataRightsAuditStore CreateStore();

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>An entry reads back whole; a second entry with its request id is refused and changes nothing.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task An_entry_reads_back_whole_and_its_request_id_is_taken_once()
    {
        var export = Entry("TICKET-1", DataRightsAction.Export, March, Alice, 12);
        Assert.True(await CreateStore().AppendAsync(export));

        Assert.False(await CreateStore().AppendAsync(export with { Action = DataRightsAction.Erasure, MemberId = null }));
        Assert.Equal(export, await CreateStore().FindAsync(Program, "TICKET-1"));
        Assert.Null(await CreateStore().FindAsync(Program, "TICKET-2"));
        Assert.Null(await CreateStore().FindAsync(ProgramId.From(Program.Value + "-other"), "TICKET-1"));
    }

    /// <summary>Entries are listed by period [from, until) and by member, by instant then request id (ordinal); programmes are apart.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Entries_are_listed_by_period_and_by_member_in_order()
    {
        var later = Entry("b-later", DataRightsAction.Rectification, March + Duration.FromDays(1), Alice, 3);
        var upper = Entry("B-first", DataRightsAction.Export, March, Alice, 5);
        var lower = Entry("a-second", DataRightsAction.Erasure, March, null, 7);
        var outside = Entry("c-outside", DataRightsAction.Export, March + Duration.FromDays(2), Alice, 1);
        var elsewhere = Entry("B-first", DataRightsAction.Export, March, Alice, 5) with { ProgramId = ProgramId.From(Program.Value + "-other") };
        foreach (var entry in new[] { later, outside, lower, upper, elsewhere })
        {
            Assert.True(await CreateStore().AppendAsync(entry));
        }

        Assert.Equal([upper, lower, later], await CreateStore().ListAsync(Program, March, March + Duration.FromDays(2)));
        Assert.Equal([upper, later, outside], await CreateStore().ListForMemberAsync(Program, Alice));
        Assert.Empty(await CreateStore().ListForMemberAsync(Program, MemberId.From("nobody")));
    }

    /// <summary>Re-keying moves every entry about a member to the new id (an erasure's pseudonym), in its programme only.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Entries_about_a_member_are_re_keyed()
    {
        var pseudonym = MemberId.From("erased-0123456789abcdef0123456789abcdef");
        var first = Entry("T-1", DataRightsAction.Export, March, Alice, 5);
        var second = Entry("T-2", DataRightsAction.Merge, March + Duration.FromHours(1), Alice, 100);
        var other = Entry("T-3", DataRightsAction.Export, March, MemberId.From("bob@example.com"), 2);
        var elsewhere = first with { ProgramId = ProgramId.From(Program.Value + "-other") };
        foreach (var entry in new[] { first, second, other, elsewhere })
        {
            await CreateStore().AppendAsync(entry);
        }

        Assert.Equal(2, await CreateStore().RenameMemberAsync(Program, Alice, pseudonym));

        Assert.Empty(await CreateStore().ListForMemberAsync(Program, Alice));
        Assert.Equal([first with { MemberId = pseudonym }, second with { MemberId = pseudonym }], await CreateStore().ListForMemberAsync(Program, pseudonym));
        Assert.Equal(other, await CreateStore().FindAsync(Program, "T-3"));
        Assert.Equal([elsewhere], await CreateStore().ListForMemberAsync(elsewhere.ProgramId, Alice));
        Assert.Equal(0, await CreateStore().RenameMemberAsync(Program, Alice, pseudonym));
    }

    /// <summary>Writers racing to append entries with one request id: exactly one is added, and it reads back whole.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_appends_of_one_request_id_keep_one()
    {
        var stores = Enumerable.Range(0, ConcurrentWriters).Select(_ => CreateStore()).ToArray();
        var entries = stores.Select((_, i) => Entry("RACE", DataRightsAction.Export, March, Alice, i)).ToArray();

        var added = await Task.WhenAll(stores.Select((s, i) => Task.Run(async () => await s.AppendAsync(entries[i]))));

        Assert.Equal(1, added.Count(a => a));
        Assert.Equal(entries[Array.IndexOf(added, true)], await CreateStore().FindAsync(Program, "RACE"));
    }

    private DataRightsAuditEntry Entry(string requestId, DataRightsAction action, Instant at, MemberId? member, long records) => new()
    {
        ProgramId = Program,
        RequestId = requestId,
        Action = action,
        At = at,
        RequestedBy = "dpo@shop.example",
        MemberId = member,
        Status = DataRightsStatus.Completed,
        Records = records,
    };
}
