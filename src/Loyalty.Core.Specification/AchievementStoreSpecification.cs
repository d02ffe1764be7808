using Loyalty.Core.Achievements;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="IAchievementStore"/> must have: a state reads back whole, an update is
/// one atomic read-modify-write (racing updates all counted, none lost), a change returning null writes
/// nothing, pages in member order, export and erasure, programmes kept apart. Subclass it once per store.
/// </summary>
/// <remarks>Each test works in its own programme, so a subclass may share one database between all its tests.</remarks>
public abstract class AchievementStoreSpecification : IAsyncLifetime
{
    private static readonly MemberId Alice = MemberId.From("alice");
    private static readonly MemberId Bob = MemberId.From("bob");

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected AchievementStoreSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>How many writers the concurrency test runs at once. Default 8.</summary>
    protected virtual int ConcurrentWriters => 8;

    /// <summary>Returns a store over this test's storage; every call must see the same data, each may be a new session for one writer.</summary>
    /// <returns>The store.</returns>
    protected abstract IAchievementStore CreateStore();

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A state written reads back whole with version 1; a change returning null writes nothing.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_state_reads_back_whole_and_a_null_change_writes_nothing()
    {
        Assert.Null(await CreateStore().GetAsync(Program, Alice));
        Assert.Null(await CreateStore().UpdateAsync(Program, Alice, _ => null));
        Assert.Null(await CreateStore().GetAsync(Program, Alice));

        var unlock = new AchievementUnlock("critic", 2026, Instant.FromUtc(2026, 3, 1, 9, 0), "activity:r-1", 50, TransactionId.From("achievement:critic:2026:0:alice"), Instant.FromUtc(2026, 12, 31, 23, 0));
        var written = await CreateStore().UpdateAsync(Program, Alice, s => new AchievementChange(
            s with
            {
                Version = s.Version + 1,
                DisplayName = "Ali ✓",
                Progress = [new AchievementProgress("critic", 2026, 3, 0m, []), new AchievementProgress("regular", 0, 0, 120.5m, [new MonthOrders(24314, 2)])],
                Unlocks = [unlock],
                Tallies = [new ActivityTally(ActivityKind.Review, null, 24314, 3)],
            },
            [unlock],
            []));

        var read = (await CreateStore().GetAsync(Program, Alice))!;
        Assert.Equal(1, read.Version);
        Assert.Equal(1, written!.State.Version);
        Assert.Equal("Ali ✓", read.DisplayName);
        Assert.Equal([unlock], read.Unlocks);
        Assert.Equal([new ActivityTally(ActivityKind.Review, null, 24314, 3)], read.Tallies);
        Assert.Equal(120.5m, read.Progress[1].Spent);
        Assert.Equal([new MonthOrders(24314, 2)], read.Progress[1].Months);
        Assert.Null(await CreateStore().GetAsync(ProgramId.From("other-" + Guid.NewGuid().ToString("N")), Alice));
    }

    /// <summary>Racing updates of one member are all applied, each on the latest state.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_updates_are_all_counted()
    {
        const int perWriter = 5;
        var writers = Enumerable.Range(0, ConcurrentWriters).Select(_ => Task.Run(async () =>
        {
            var store = CreateStore();
            for (var i = 0; i < perWriter; i++)
            {
                await store.UpdateAsync(Program, Alice, s => new AchievementChange(s with { Version = s.Version + 1, Tallies = [new ActivityTally(ActivityKind.Review, null, 1, (s.Tallies.Count == 0 ? 0 : s.Tallies[0].Count) + 1)] }, [], []));
            }
        })).ToList();
        await Task.WhenAll(writers);

        var state = (await CreateStore().GetAsync(Program, Alice))!;
        Assert.Equal(ConcurrentWriters * perWriter, state.Tallies[0].Count);
        Assert.Equal(ConcurrentWriters * perWriter, state.Version);
    }

    /// <summary>Pages list members in ordinal order; export returns the state; erasure deletes it.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Pages_export_and_erasure()
    {
        foreach (var member in new[] { Bob, Alice, MemberId.From("carol") })
        {
            await CreateStore().UpdateAsync(Program, member, s => new AchievementChange(s with { Version = s.Version + 1, LeaderboardOptOut = true }, [], []));
        }

        Assert.Equal(["alice", "bob"], (await CreateStore().ReadPageAsync(Program, null, 2)).Select(s => s.MemberId.Value).ToArray());
        Assert.Equal(["carol"], (await CreateStore().ReadPageAsync(Program, Bob, 2)).Select(s => s.MemberId.Value).ToArray());
        Assert.True((await CreateStore().ExportMemberAsync(Program, Alice))!.LeaderboardOptOut);
        Assert.True(await CreateStore().EraseMemberAsync(Program, Alice));
        Assert.False(await CreateStore().EraseMemberAsync(Program, Alice));
        Assert.Null(await CreateStore().ExportMemberAsync(Program, Alice));
        Assert.Equal(["bob", "carol"], (await CreateStore().ReadPageAsync(Program, null, 10)).Select(s => s.MemberId.Value).ToArray());
    }
}
