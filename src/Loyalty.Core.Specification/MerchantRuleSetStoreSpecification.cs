using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="IMerchantRuleSetStore"/> must have: each merchant's versions read
/// back whole and in effective order, separate from the programme's own versions and from every other
/// merchant's; a republished version changes nothing; clashing versions are refused with the same
/// message as the reference store; racing publishers add a version once. Subclass it once per store
/// and implement <see cref="CreateStore"/>.
/// </summary>
/// <remarks>Each test works in its own programme, so a subclass may share one database between all its tests.</remarks>
public abstract class MerchantRuleSetStoreSpecification : IAsyncLifetime
{
    private static readonly Instant March = Instant.FromUtc(2026, 3, 1, 0, 0);
    private static readonly MerchantId Grocer = MerchantId.From("grocer");
    private static readonly MerchantId Bookshop = MerchantId.From("bookshop");

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected MerchantRuleSetStoreSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>How many writers the concurrency test runs at once. Default 8.</summary>
    protected virtual int ConcurrentWriters => 8;

    /// <summary>Returns a store over this test's storage (it must keep programme-wide rule sets too); every call must see the same data, each may be a new session for one writer.</summary>
    /// <returns>The store.</returns>
    protected abstract IMerchantRuleSetStore CreateStore();

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A merchant that published nothing reads as the empty history.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Nothing_published_reads_as_the_empty_history()
        => Assert.Empty((await CreateStore().GetMerchantHistoryAsync(Program, Grocer)).Versions);

    /// <summary>A merchant's versions come back in effective order with their exact definitions, whatever the order they were added in.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Versions_read_back_whole_in_effective_order()
    {
        var store = CreateStore();
        var april = RuleSet("2", March + Duration.FromDays(31), 2m);
        var march = RuleSet("1", March, 1m);
        Assert.True(await store.AddMerchantAsync(Program, Grocer, april));
        Assert.True(await store.AddMerchantAsync(Program, Grocer, march));

        var history = await CreateStore().GetMerchantHistoryAsync(Program, Grocer);
        Assert.Equal(["1", "2"], history.Versions.Select(v => v.Version));
        Assert.Equal(march.ToJson(), history.Versions[0].ToJson());
        Assert.Equal(april.ToJson(), history.Versions[1].ToJson());
        Assert.Equal("1", history.InForceAt(March + Duration.FromDays(30))!.Version);
    }

    /// <summary>Merchants, the programme's own rule sets and programmes have separate histories: the same label and instant may be used by each.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Merchants_the_programme_and_programmes_are_separate()
    {
        var store = CreateStore();
        Assert.True(await store.AddMerchantAsync(Program, Grocer, RuleSet("1", March, 1m)));
        Assert.True(await store.AddMerchantAsync(Program, Bookshop, RuleSet("1", March, 2m)));
        var other = ProgramId.From(Program.Value + "-other");
        Assert.True(await store.AddMerchantAsync(other, Grocer, RuleSet("1", March, 3m)));
        if (store is IRuleSetStore programme)
        {
            Assert.True(await programme.AddAsync(Program, RuleSet("1", March, 4m)));
            Assert.Equal(4m, PerUnit((await programme.GetHistoryAsync(Program)).Versions.Single()));
        }

        Assert.Equal(1m, PerUnit((await CreateStore().GetMerchantHistoryAsync(Program, Grocer)).Versions.Single()));
        Assert.Equal(2m, PerUnit((await CreateStore().GetMerchantHistoryAsync(Program, Bookshop)).Versions.Single()));
        Assert.Equal(3m, PerUnit((await CreateStore().GetMerchantHistoryAsync(other, Grocer)).Versions.Single()));
        Assert.Empty((await CreateStore().GetMerchantHistoryAsync(Program, MerchantId.From("travel"))).Versions);
    }

    /// <summary>Publishing the very same rule set again returns false and changes nothing.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task The_same_rule_set_again_changes_nothing()
    {
        var store = CreateStore();
        Assert.True(await store.AddMerchantAsync(Program, Grocer, RuleSet("1", March, 1m)));
        Assert.False(await CreateStore().AddMerchantAsync(Program, Grocer, RuleSet("1", March, 1m)));
        Assert.Single((await store.GetMerchantHistoryAsync(Program, Grocer)).Versions);
    }

    /// <summary>Another rule set of the merchant under a version label it already used is refused, and nothing is written.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_used_version_label_is_refused()
    {
        var store = CreateStore();
        await store.AddMerchantAsync(Program, Grocer, RuleSet("1", March, 1m));

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await CreateStore().AddMerchantAsync(Program, Grocer, RuleSet("1", March + Duration.FromDays(1), 2m)));
        Assert.Equal("Version \"1\" is already in the history; give the new rule set another version. (Parameter 'ruleSet')", ex.Message);
        Assert.Single((await store.GetMerchantHistoryAsync(Program, Grocer)).Versions);
    }

    /// <summary>Another rule set of the merchant taking effect at an instant it already used is refused, and nothing is written.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_used_effective_instant_is_refused()
    {
        var store = CreateStore();
        await store.AddMerchantAsync(Program, Grocer, RuleSet("1", March, 1m));

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await CreateStore().AddMerchantAsync(Program, Grocer, RuleSet("2", March, 2m)));
        Assert.Equal("Version \"1\" already takes effect at 2026-03-01T00:00:00Z; give \"2\" another effective instant. (Parameter 'ruleSet')", ex.Message);
        Assert.Single((await store.GetMerchantHistoryAsync(Program, Grocer)).Versions);
    }

    /// <summary>Writers racing to publish the same rule set for a merchant: exactly one adds it, the others change nothing.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Writers_racing_to_publish_one_version_add_it_once()
    {
        var ruleSet = RuleSet("1", March, 1m);
        var stores = Enumerable.Range(0, ConcurrentWriters).Select(_ => CreateStore()).ToArray();
        var added = await Task.WhenAll(stores.Select(s => Task.Run(async () => await s.AddMerchantAsync(Program, Grocer, ruleSet))));
        Assert.Equal(1, added.Count(a => a));
        Assert.Single((await CreateStore().GetMerchantHistoryAsync(Program, Grocer)).Versions);
    }

    /// <summary>A null rule set and a default merchant are refused.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_null_rule_set_or_default_merchant_is_refused()
    {
        Assert.Equal("ruleSet", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await CreateStore().AddMerchantAsync(Program, Grocer, null!))).ParamName);
        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await CreateStore().AddMerchantAsync(Program, default, RuleSet("1", March, 1m)));
        Assert.Equal("MerchantId must not be default; create one with MerchantId.From(...). (Parameter 'merchant')", ex.Message);
    }

    private static decimal PerUnit(EarningRuleSet ruleSet) => ((SpendRule)ruleSet.OrderedRules.Single()).PointsPerUnit;

    private static EarningRuleSet RuleSet(string version, Instant effectiveFrom, decimal perUnit)
        => new EarningRuleSetBuilder(version, effectiveFrom, Currency.EUR, "Europe/Paris").EarnPerUnit("base", perUnit).Build();
}
