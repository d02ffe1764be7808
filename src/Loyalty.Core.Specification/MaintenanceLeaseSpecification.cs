using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="IMaintenanceLease"/> must have: one holder at a time, a lapsed lease
/// taken over, renewal and release only by the holder, the last completion remembered, programmes and
/// names kept apart, and racing instances never holding one lease together. Subclass it once per
/// store and implement <see cref="CreateStore"/>.
/// </summary>
/// <remarks>Each test works in its own programme, so a subclass may share one database between all its tests.</remarks>
public abstract class MaintenanceLeaseSpecification : IAsyncLifetime
{
    private const string Nightly = "maintenance:0/1";
    private static readonly Instant Night = Instant.FromUtc(2026, 3, 29, 1, 0);
    private static readonly Duration FiveMinutes = Duration.FromMinutes(5);

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected MaintenanceLeaseSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>How many instances the race runs at once. Default 4.</summary>
    protected virtual int ConcurrentHolders => 4;

    /// <summary>Returns a store over this test's storage; every call must see the same data, each may be a new session for one instance.</summary>
    /// <returns>The store.</returns>
    protected abstract IMaintenanceLease CreateStore();

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A lease never taken reads as null; taking it gives its holder and expiry.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_free_lease_is_taken_with_its_expiry()
    {
        var store = CreateStore();
        Assert.Null(await store.GetAsync(Program, Nightly));

        var taken = await store.TryAcquireAsync(Program, Nightly, "a", Night, FiveMinutes);

        Assert.Equal(new MaintenanceLeaseState(Nightly, "a", Night + FiveMinutes, null), taken);
        Assert.Equal(taken, await CreateStore().GetAsync(Program, Nightly));
    }

    /// <summary>While held, another holder is refused; the holder itself may take it again (extending it).</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_held_lease_is_refused_to_others_until_it_lapses()
    {
        var store = CreateStore();
        await store.TryAcquireAsync(Program, Nightly, "a", Night, FiveMinutes);

        Assert.Null(await CreateStore().TryAcquireAsync(Program, Nightly, "b", Night + Duration.FromMinutes(4), FiveMinutes));
        Assert.NotNull(await store.TryAcquireAsync(Program, Nightly, "a", Night + Duration.FromMinutes(4), FiveMinutes));
        Assert.Null(await CreateStore().TryAcquireAsync(Program, Nightly, "b", Night + Duration.FromMinutes(8), FiveMinutes));

        var taken = await CreateStore().TryAcquireAsync(Program, Nightly, "b", Night + Duration.FromMinutes(9), FiveMinutes);

        Assert.Equal("b", taken?.Holder);
        Assert.False(await store.RenewAsync(Program, Nightly, "a", Night + Duration.FromMinutes(9), FiveMinutes));
        Assert.False(await store.ReleaseAsync(Program, Nightly, "a", Night + Duration.FromMinutes(9)));
        Assert.Equal("b", (await store.GetAsync(Program, Nightly))?.Holder);
    }

    /// <summary>Renewal moves the expiry on, so a renewed lease is still refused to others after its first expiry.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Renewal_extends_the_lease()
    {
        var store = CreateStore();
        await store.TryAcquireAsync(Program, Nightly, "a", Night, FiveMinutes);

        Assert.True(await store.RenewAsync(Program, Nightly, "a", Night + Duration.FromMinutes(3), FiveMinutes));

        Assert.Null(await CreateStore().TryAcquireAsync(Program, Nightly, "b", Night + Duration.FromMinutes(7), FiveMinutes));
        Assert.Equal(Night + Duration.FromMinutes(8), (await store.GetAsync(Program, Nightly))?.ExpiresAt);
    }

    /// <summary>Release frees the lease at once; a completion is remembered and handed to the next holder; a release without one keeps it.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Release_frees_the_lease_and_remembers_the_last_completion()
    {
        var store = CreateStore();
        await store.TryAcquireAsync(Program, Nightly, "a", Night, FiveMinutes);
        Assert.True(await store.ReleaseAsync(Program, Nightly, "a", Night));

        var next = await CreateStore().TryAcquireAsync(Program, Nightly, "b", Night + Duration.FromMinutes(1), FiveMinutes);
        Assert.Equal(Night, next?.LastCompletedAt);
        Assert.True(await CreateStore().ReleaseAsync(Program, Nightly, "b", null));

        Assert.Equal(new MaintenanceLeaseState(Nightly, null, Night + Duration.FromMinutes(6), Night), await store.GetAsync(Program, Nightly));
        Assert.False(await store.ReleaseAsync(Program, Nightly, "b", null));
    }

    /// <summary>Leases of other names and other programmes are independent.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Names_and_programmes_are_kept_apart()
    {
        var store = CreateStore();
        var other = ProgramId.From(Program.Value + "-other");
        await store.TryAcquireAsync(Program, Nightly, "a", Night, FiveMinutes);

        Assert.NotNull(await store.TryAcquireAsync(Program, "maintenance:1/2", "b", Night, FiveMinutes));
        Assert.NotNull(await store.TryAcquireAsync(other, Nightly, "b", Night, FiveMinutes));
        Assert.Equal("a", (await store.GetAsync(Program, Nightly))?.Holder);
    }

    /// <summary>Bad names and durations are refused with a message saying what to fix, and nothing is written.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Bad_arguments_are_refused_with_a_clear_message()
    {
        var store = CreateStore();

        var blank = await Assert.ThrowsAsync<ArgumentException>(async () => await store.TryAcquireAsync(Program, " ", "a", Night, FiveMinutes));
        Assert.Equal("The lease name must be 1 to 200 characters and not blank (was 1 characters). (Parameter 'name')", blank.Message);
        var longHolder = await Assert.ThrowsAsync<ArgumentException>(async () => await store.TryAcquireAsync(Program, Nightly, new string('h', 201), Night, FiveMinutes));
        Assert.Equal("The lease holder must be 1 to 200 characters and not blank (was 201 characters). (Parameter 'holder')", longHolder.Message);
        var zero = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.RenewAsync(Program, Nightly, "a", Night, Duration.Zero));
        Assert.StartsWith("The lease duration must be positive (was 0:00:00:00).", zero.Message, StringComparison.Ordinal);
        Assert.Null(await store.GetAsync(Program, Nightly));
    }

    /// <summary>Instances racing for one lease, again and again, never hold it together; each gets it in turn.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_instances_never_hold_one_lease_together()
    {
        var inside = 0;
        var overlaps = 0;
        var held = 0;
        using var start = new ManualResetEventSlim();
        var holders = Enumerable.Range(0, ConcurrentHolders).Select(i => Task.Run(async () =>
        {
            var store = CreateStore();
            var holder = "holder-" + i;
            start.Wait();
            for (var round = 0; round < 25; round++)
            {
                if (await store.TryAcquireAsync(Program, Nightly, holder, Night, Duration.FromHours(1)) is null)
                {
                    await Task.Yield();
                    continue;
                }

                if (Interlocked.Increment(ref inside) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                Interlocked.Increment(ref held);
                await Task.Delay(2);
                Interlocked.Decrement(ref inside);
                Assert.True(await store.ReleaseAsync(Program, Nightly, holder, null));
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(holders);

        Assert.Equal(0, overlaps);
        Assert.True(held > 0, "no instance ever took the lease");
    }
}
