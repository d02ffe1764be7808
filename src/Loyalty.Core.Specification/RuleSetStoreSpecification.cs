using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="IRuleSetStore"/> must have: versions read back whole and in
/// effective order, a republished version changes nothing, clashing versions are refused with the
/// same message as the reference store, and racing publishers add a version once. Subclass it once
/// per store and implement <see cref="CreateStore"/>.
/// </summary>
/// <remarks>Each test works in its own programme, so a subclass may share one database between all its tests.</remarks>
public abstract class RuleSetStoreSpecification : IAsyncLifetime
{
    private static readonly Instant March = Instant.FromUtc(2026, 3, 1, 0, 0);

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected RuleSetStoreSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>How many writers the concurrency test runs at once. Default 8.</summary>
    protected virtual int ConcurrentWriters => 8;

    /// <summary>Returns a store over this test's storage; every call must see the same data, each may be a new session for one writer.</summary>
    /// <returns>The store.</returns>
    protected abstract IRuleSetStore CreateStore();

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A programme that published nothing reads as the empty history.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Nothing_published_reads_as_the_empty_history()
    {
        var history = await CreateStore().GetHistoryAsync(Program);
        Assert.Empty(history.Versions);
    }

    /// <summary>Versions come back in effective order with their exact definitions, whatever the order they were added in.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Versions_read_back_whole_in_effective_order()
    {
        var store = CreateStore();
        var april = RuleSet("2026-04", March + Duration.FromDays(31), 2m);
        var march = RuleSet("2026-03", March, 1m);
        Assert.True(await store.AddAsync(Program, april));
        Assert.True(await store.AddAsync(Program, march));

        var history = await CreateStore().GetHistoryAsync(Program);
        Assert.Equal(["2026-03", "2026-04"], history.Versions.Select(v => v.Version));
        Assert.Equal(march.ToJson(), history.Versions[0].ToJson());
        Assert.Equal(april.ToJson(), history.Versions[1].ToJson());
        Assert.Equal("2026-03", history.InForceAt(March + Duration.FromDays(30))!.Version);
    }

    /// <summary>Publishing the very same rule set again returns false and changes nothing.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task The_same_rule_set_again_changes_nothing()
    {
        var store = CreateStore();
        Assert.True(await store.AddAsync(Program, RuleSet("v1", March, 1m)));
        Assert.False(await CreateStore().AddAsync(Program, RuleSet("v1", March, 1m)));
        Assert.Single((await store.GetHistoryAsync(Program)).Versions);
    }

    /// <summary>Another rule set under a version label already used is refused, and nothing is written.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_used_version_label_is_refused()
    {
        var store = CreateStore();
        await store.AddAsync(Program, RuleSet("v1", March, 1m));

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await CreateStore().AddAsync(Program, RuleSet("v1", March + Duration.FromDays(1), 2m)));
        Assert.Equal("Version \"v1\" is already in the history; give the new rule set another version. (Parameter 'ruleSet')", ex.Message);
        Assert.Single((await store.GetHistoryAsync(Program)).Versions);
    }

    /// <summary>Another rule set taking effect at an instant already used is refused, and nothing is written.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_used_effective_instant_is_refused()
    {
        var store = CreateStore();
        await store.AddAsync(Program, RuleSet("v1", March, 1m));

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await CreateStore().AddAsync(Program, RuleSet("v2", March, 2m)));
        Assert.Equal("Version \"v1\" already takes effect at 2026-03-01T00:00:00Z; give \"v2\" another effective instant. (Parameter 'ruleSet')", ex.Message);
        Assert.Single((await store.GetHistoryAsync(Program)).Versions);
    }

    /// <summary>Programmes have separate histories.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Programmes_are_separate()
    {
        var other = ProgramId.From(Program.Value + "-other");
        var store = CreateStore();
        Assert.True(await store.AddAsync(Program, RuleSet("v1", March, 1m)));
        Assert.True(await store.AddAsync(other, RuleSet("v1", March, 3m)));
        Assert.Empty((await store.GetHistoryAsync(ProgramId.From(Program.Value + "-none"))).Versions);
        Assert.NotEqual((await store.GetHistoryAsync(Program)).Versions[0].ToJson(), (await store.GetHistoryAsync(other)).Versions[0].ToJson());
    }

    /// <summary>Writers racing to publish the same rule set: exactly one adds it, the others change nothing.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Writers_racing_to_publish_one_version_add_it_once()
    {
        var ruleSet = RuleSet("v1", March, 1m);
        var stores = Enumerable.Range(0, ConcurrentWriters).Select(_ => CreateStore()).ToArray();
        var added = await Task.WhenAll(stores.Select(s => Task.Run(async () => await s.AddAsync(Program, ruleSet))));
        Assert.Equal(1, added.Count(a => a));
        Assert.Single((await CreateStore().GetHistoryAsync(Program)).Versions);
    }

    /// <summary>A null rule set is refused.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_null_rule_set_is_refused()
        => Assert.Equal("ruleSet", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await CreateStore().AddAsync(Program, null!))).ParamName);

    private static EarningRuleSet RuleSet(string version, Instant effectiveFrom, decimal perUnit)
        => new EarningRuleSetBuilder(version, effectiveFrom, Currency.EUR, "Europe/Paris").EarnPerUnit("base", perUnit).Build();
}
