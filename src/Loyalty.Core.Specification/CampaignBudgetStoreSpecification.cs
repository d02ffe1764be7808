using Loyalty.Core.DataRights;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="ICampaignBudgetStore"/> must have: reservations granted only from
/// what the budget has left, idempotent per key (a key holds at least what it asked, never twice),
/// settled back without ever growing, counted per programme and rule, and never more than the
/// budget between racing writers. Subclass it once per store and implement <see cref="CreateStore"/>.
/// </summary>
/// <remarks>Each test works in its own programme, so a subclass may share one database between all its tests.</remarks>
public abstract class CampaignBudgetStoreSpecification : IAsyncLifetime
{
    private static readonly RuleId Spring = RuleId.From("spring-campaign");
    private static readonly Points Budget = Points.FromInt64(1_000);

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected CampaignBudgetStoreSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>How many writers the concurrency tests run at once. Default 8.</summary>
    protected virtual int ConcurrentWriters => 8;

    /// <summary>Returns a store over this test's storage; every call must see the same data, each may be a new session for one writer.</summary>
    /// <returns>The store.</returns>
    protected abstract ICampaignBudgetStore CreateStore();

    /// <summary>
    /// Returns a store like <see cref="CreateStore"/> that awaits <paramref name="interleave"/> at each
    /// point where another writer's change could land in the middle of one of its operations (e.g.
    /// after each SQL command it runs), so that a test can make a change land exactly there. The
    /// default awaits it before each operation, which is right for a store whose every operation is
    /// one indivisible step (such as one under a lock); a store that talks to its storage more than
    /// once per operation overrides it. <paramref name="interleave"/> only reads or writes through
    /// other stores and never waits for this one.
    /// </summary>
    /// <param name="interleave">What to run at each such point.</param>
    /// <returns>The store.</returns>
    protected virtual ICampaignBudgetStore CreateInterleavedStore(Func<Task> interleave) => new InterleavedStore(CreateStore(), interleave);

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A rule nothing was reserved from has given out nothing.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task An_untouched_budget_has_given_out_nothing()
        => Assert.Equal(new CampaignBudgetUsage(Points.Zero, Points.Zero), await CreateStore().GetUsageAsync(Program, Spring, Key("order:A-1")));

    /// <summary>Each key gets what it asks while the budget lasts, then what is left, then nothing.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Reservations_are_granted_from_what_the_budget_has_left()
    {
        var store = CreateStore();
        Assert.Equal(P(600), await store.ReserveAsync(Program, Spring, Key("order:A-1"), P(600), Budget));
        Assert.Equal(P(400), await CreateStore().ReserveAsync(Program, Spring, Key("order:B-1"), P(600), Budget));
        Assert.Equal(P(0), await CreateStore().ReserveAsync(Program, Spring, Key("order:C-1"), P(1), Budget));

        Assert.Equal(new CampaignBudgetUsage(P(1_000), P(600)), await CreateStore().GetUsageAsync(Program, Spring, Key("order:A-1")));
        Assert.Equal(new CampaignBudgetUsage(P(1_000), P(400)), await CreateStore().GetUsageAsync(Program, Spring, Key("order:B-1")));
        Assert.Equal(new CampaignBudgetUsage(P(1_000), P(0)), await CreateStore().GetUsageAsync(Program, Spring, Key("order:C-1")));
    }

    /// <summary>Reserving again under the same key takes nothing more; asking more tops the key up, asking less keeps what it holds.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_key_reserves_once()
    {
        var store = CreateStore();
        Assert.Equal(P(300), await store.ReserveAsync(Program, Spring, Key("order:A-1"), P(300), Budget));
        Assert.Equal(P(300), await CreateStore().ReserveAsync(Program, Spring, Key("order:A-1"), P(300), Budget));
        Assert.Equal(P(300), await CreateStore().ReserveAsync(Program, Spring, Key("order:A-1"), P(200), Budget));
        Assert.Equal(P(300), (await store.GetUsageAsync(Program, Spring, Key("order:A-1"))).Used);

        Assert.Equal(P(500), await CreateStore().ReserveAsync(Program, Spring, Key("order:A-1"), P(500), Budget));
        Assert.Equal(new CampaignBudgetUsage(P(500), P(500)), await CreateStore().GetUsageAsync(Program, Spring, Key("order:A-1")));
    }

    /// <summary>A smaller budget (a new rule set version) grants only what it leaves; a larger one grants more.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task The_budget_passed_is_the_limit()
    {
        var store = CreateStore();
        Assert.Equal(P(700), await store.ReserveAsync(Program, Spring, Key("order:A-1"), P(700), Budget));
        Assert.Equal(P(0), await store.ReserveAsync(Program, Spring, Key("order:B-1"), P(100), P(500)));
        Assert.Equal(P(100), await store.ReserveAsync(Program, Spring, Key("order:B-1"), P(100), P(2_000)));
        Assert.Equal(P(800), (await store.GetUsageAsync(Program, Spring, Key("order:B-1"))).Used);
    }

    /// <summary>Settling shrinks a key's reservations to what was awarded (0 for a rule not listed) and gives the rest back; it never grows one.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Settling_gives_back_what_was_not_awarded_and_never_grows()
    {
        var store = CreateStore();
        var other = RuleId.From("summer-campaign");
        await store.ReserveAsync(Program, Spring, Key("order:A-1"), P(500), Budget);
        await store.ReserveAsync(Program, other, Key("order:A-1"), P(80), Budget);
        await store.ReserveAsync(Program, Spring, Key("order:B-1"), P(100), Budget);

        await CreateStore().SettleAsync(Program, Key("order:A-1"), [new CampaignGrant(Spring, P(200))]);
        Assert.Equal(new CampaignBudgetUsage(P(300), P(200)), await CreateStore().GetUsageAsync(Program, Spring, Key("order:A-1")));
        Assert.Equal(new CampaignBudgetUsage(P(0), P(0)), await CreateStore().GetUsageAsync(Program, other, Key("order:A-1")));

        await CreateStore().SettleAsync(Program, Key("order:A-1"), [new CampaignGrant(Spring, P(200))]);
        await CreateStore().SettleAsync(Program, Key("order:A-1"), [new CampaignGrant(Spring, P(450)), new CampaignGrant(other, P(80))]);
        await CreateStore().SettleAsync(Program, Key("order:C-1"), [new CampaignGrant(Spring, P(10))]);
        Assert.Equal(new CampaignBudgetUsage(P(300), P(200)), await CreateStore().GetUsageAsync(Program, Spring, Key("order:A-1")));
        Assert.Equal(P(0), (await CreateStore().GetUsageAsync(Program, other, Key("order:A-1"))).Used);

        Assert.Equal(P(700), await CreateStore().ReserveAsync(Program, Spring, Key("order:D-1"), P(900), Budget));
    }

    /// <summary>Budgets are counted per programme and per rule.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Budgets_are_per_programme_and_rule()
    {
        var store = CreateStore();
        var elsewhere = ProgramId.From(Program.Value + "-other");
        Assert.Equal(P(1_000), await store.ReserveAsync(Program, Spring, Key("order:A-1"), P(1_000), Budget));
        Assert.Equal(P(1_000), await store.ReserveAsync(elsewhere, Spring, Key("order:A-1"), P(1_000), Budget));
        Assert.Equal(P(1_000), await store.ReserveAsync(Program, RuleId.From("summer-campaign"), Key("order:A-1"), P(1_000), Budget));
        Assert.Equal(P(1_000), (await store.GetUsageAsync(elsewhere, Spring, Key("order:Z-9"))).Used);
    }

    /// <summary>Bad arguments are refused with the reference store's messages, and change nothing.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Bad_arguments_are_refused()
    {
        var store = CreateStore();
        var points = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.ReserveAsync(Program, Spring, Key("order:A-1"), P(0), Budget));
        Assert.Equal("points", points.ParamName);
        Assert.StartsWith("points must be greater than 0 (was 0).", points.Message, StringComparison.Ordinal);
        var budget = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.ReserveAsync(Program, Spring, Key("order:A-1"), P(10), P(-5)));
        Assert.Equal("budget", budget.ParamName);
        Assert.StartsWith("budget must be greater than 0 (was -5).", budget.Message, StringComparison.Ordinal);

        await store.ReserveAsync(Program, Spring, Key("order:A-1"), P(10), Budget);
        var grant = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.SettleAsync(Program, Key("order:A-1"), [new CampaignGrant(Spring, P(-1))]));
        Assert.Equal("grants", grant.ParamName);
        Assert.StartsWith("The grant of rule 'spring-campaign' must be 0 points or more (was -1).", grant.Message, StringComparison.Ordinal);
        Assert.Equal("grants", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await store.SettleAsync(Program, Key("order:A-1"), null!))).ParamName);
        Assert.Equal(new CampaignBudgetUsage(P(10), P(10)), await store.GetUsageAsync(Program, Spring, Key("order:A-1")));
    }

    /// <summary>
    /// A usage read is one consistent view: when a reservation of the same key lands while the read
    /// runs, both figures show it or neither does, so the key never holds more than the total (an
    /// order evaluated from a torn read would take its own reservation for another key's).
    /// </summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_usage_read_is_one_view_when_a_reservation_of_its_key_lands_during_it()
    {
        // First on an untouched budget (the rule's total not written yet), then on one another key already draws on.
        foreach (var key in new[] { Key("order:A-1"), Key("order:A-2") })
        {
            if (key == Key("order:A-2"))
            {
                await CreateStore().ReserveAsync(Program, Spring, Key("order:B-1"), P(100), Budget);
            }

            var before = (await CreateStore().GetUsageAsync(Program, Spring, key)).Used;
            var writer = CreateStore();
            var points = 0;
            var reader = CreateInterleavedStore(async () =>
            {
                if (Interlocked.Increment(ref points) == 1)
                {
                    Assert.Equal(P(150), await writer.ReserveAsync(Program, Spring, key, P(150), Budget));
                }
            });

            var usage = await reader.GetUsageAsync(Program, Spring, key);

            Assert.True(points > 0, "the store gave the reservation a point to land at");
            Assert.Contains(usage, new[] { new CampaignBudgetUsage(before, P(0)), new CampaignBudgetUsage(before + P(150), P(150)) });
            Assert.Equal(new CampaignBudgetUsage(before + P(150), P(150)), await CreateStore().GetUsageAsync(Program, Spring, key));
        }
    }

    /// <summary>Writers racing for one budget with different keys: together they never get more than the budget.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_reservations_never_exceed_the_budget()
    {
        var ask = (Budget.Value / ConcurrentWriters) + 50;
        var writers = Enumerable.Range(0, ConcurrentWriters).Select(i => (Store: CreateStore(), Key: Key("order:R-" + i))).ToArray();
        var grants = await Task.WhenAll(writers.Select(w => Task.Run(async () => await w.Store.ReserveAsync(Program, Spring, w.Key, P(ask), Budget))));

        Assert.All(grants, g => Assert.InRange(g.Value, 0, ask));
        Assert.Equal(Budget.Value, grants.Sum(g => g.Value));
        Assert.Equal(Budget, (await CreateStore().GetUsageAsync(Program, Spring, Key("order:R-0"))).Used);
    }

    /// <summary>Writers racing with the same key (a webhook delivered several times at once): the key is granted once.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_repeats_of_one_key_are_granted_once()
    {
        var writers = Enumerable.Range(0, ConcurrentWriters).Select(_ => CreateStore()).ToArray();
        var grants = await Task.WhenAll(writers.Select(s => Task.Run(async () => await s.ReserveAsync(Program, Spring, Key("order:A-1"), P(300), Budget))));

        Assert.All(grants, g => Assert.Equal(P(300), g));
        Assert.Equal(new CampaignBudgetUsage(P(300), P(300)), await CreateStore().GetUsageAsync(Program, Spring, Key("order:A-1")));
    }

    /// <summary>
    /// Members' data rights: the reservations of given keys are listed by key then rule, and re-keyed (an
    /// erasure gives the member's transactions random ids) without any rule's usage moving by a point.
    /// </summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Reservations_are_listed_and_re_keyed_without_moving_the_usage()
    {
        var autumn = RuleId.From("autumn-campaign");
        await CreateStore().ReserveAsync(Program, Spring, Key("order:A-1"), P(100), Budget);
        await CreateStore().ReserveAsync(Program, autumn, Key("order:A-1"), P(40), Budget);
        await CreateStore().ReserveAsync(Program, Spring, Key("activity:review-1"), P(10), Budget);
        await CreateStore().ReserveAsync(Program, Spring, Key("order:B-1"), P(200), Budget);
        var data = Assert.IsAssignableFrom<ICampaignBudgetDataStore>(CreateStore());

        Assert.Equal(
            [new CampaignReservation(Spring, Key("activity:review-1"), P(10)), new CampaignReservation(autumn, Key("order:A-1"), P(40)), new CampaignReservation(Spring, Key("order:A-1"), P(100))],
            await data.ListReservationsAsync(Program, [Key("order:A-1"), Key("activity:review-1"), Key("order:none")]));
        Assert.Empty(await data.ListReservationsAsync(Program, []));

        var moved = await data.RenameKeysAsync(Program, new Dictionary<TransactionId, TransactionId> { [Key("order:A-1")] = Key("erased-1"), [Key("activity:review-1")] = Key("erased-2"), [Key("order:none")] = Key("erased-3") });

        Assert.Equal(3, moved);
        Assert.Empty(await data.ListReservationsAsync(Program, [Key("order:A-1"), Key("activity:review-1")]));
        Assert.Equal(
            [new CampaignReservation(autumn, Key("erased-1"), P(40)), new CampaignReservation(Spring, Key("erased-1"), P(100)), new CampaignReservation(Spring, Key("erased-2"), P(10))],
            await data.ListReservationsAsync(Program, [Key("erased-1"), Key("erased-2"), Key("erased-3")]));
        Assert.Equal(new CampaignBudgetUsage(P(310), P(100)), await CreateStore().GetUsageAsync(Program, Spring, Key("erased-1")));
        Assert.Equal(new CampaignBudgetUsage(P(40), P(40)), await CreateStore().GetUsageAsync(Program, autumn, Key("erased-1")));
        Assert.Equal(new CampaignBudgetUsage(P(310), P(200)), await CreateStore().GetUsageAsync(Program, Spring, Key("order:B-1")));

        // A key re-keyed keeps what it held: asking again under the new key takes nothing more.
        Assert.Equal(P(100), await CreateStore().ReserveAsync(Program, Spring, Key("erased-1"), P(100), Budget));
        Assert.Equal(new CampaignBudgetUsage(P(310), P(100)), await CreateStore().GetUsageAsync(Program, Spring, Key("erased-1")));
    }

    private static Points P(long value) => Points.FromInt64(value);

    private static TransactionId Key(string value) => TransactionId.From(value);

    /// <summary>An atomic store with <see cref="CreateInterleavedStore"/>'s only points before each operation.</summary>
    private sealed class InterleavedStore(ICampaignBudgetStore inner, Func<Task> interleave) : ICampaignBudgetStore
    {
        public async ValueTask<CampaignBudgetUsage> GetUsageAsync(ProgramId programId, RuleId ruleId, TransactionId key, CancellationToken cancellationToken = default)
        {
            await interleave();
            return await inner.GetUsageAsync(programId, ruleId, key, cancellationToken);
        }

        public async ValueTask<Points> ReserveAsync(ProgramId programId, RuleId ruleId, TransactionId key, Points points, Points budget, CancellationToken cancellationToken = default)
        {
            await interleave();
            return await inner.ReserveAsync(programId, ruleId, key, points, budget, cancellationToken);
        }

        public async ValueTask SettleAsync(ProgramId programId, TransactionId key, IReadOnlyCollection<CampaignGrant> grants, CancellationToken cancellationToken = default)
        {
            await interleave();
            await inner.SettleAsync(programId, key, grants, cancellationToken);
        }
    }
}
