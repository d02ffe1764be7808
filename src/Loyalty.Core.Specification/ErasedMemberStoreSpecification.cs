using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="IErasedMemberStore"/> must have: a marker is added once and found again,
/// programmes are apart, a malformed marker is refused with the reference store's message, and racing adds of
/// one marker add it once. Subclass it once per store and implement <see cref="CreateStore"/>.
/// </summary>
/// <remarks>Each test works in its own programme, so a subclass may share one database between all its tests.</remarks>
public abstract class ErasedMemberStoreSpecification : IAsyncLifetime
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected ErasedMemberStoreSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>How many writers the concurrency test runs at once. Default 8.</summary>
    protected virtual int ConcurrentWriters => 8;

    /// <summary>Returns a store over this test's storage; every call must see the same data, each may be a new session for one writer.</summary>
    /// <returns>The store.</returns>
    protected abstract IErasedMemberStore CreateStore();

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A marker is added once and found again; another member's and another programme's are not found.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_marker_is_added_once_and_found_in_its_programme_only()
    {
        var markers = new ErasedMembers(CreateStore(), Key);
        var alice = MemberId.From("alice@example.com");
        Assert.False(await markers.WasErasedAsync(Program, alice));

        await markers.MarkAsync(Program, alice);

        Assert.True(await new ErasedMembers(CreateStore(), Key).WasErasedAsync(Program, alice));
        Assert.False(await CreateStore().AddAsync(Program, markers.MarkerOf(Program, alice)));
        Assert.False(await markers.WasErasedAsync(Program, MemberId.From("bob@example.com")));
        Assert.False(await markers.WasErasedAsync(ProgramId.From(Program.Value + "-other"), alice));
        Assert.False(await new ErasedMembers(CreateStore(), Key.Reverse().ToArray()).WasErasedAsync(Program, alice));
    }

    /// <summary>A marker that is not 32 lowercase hexadecimal digits is refused with the reference store's message.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_malformed_marker_is_refused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await CreateStore().AddAsync(Program, "alice@example.com"));
        Assert.Equal("An erasure marker must be 32 lowercase hexadecimal digits (was 'alice@example.com'); compute it with ErasedMembers.MarkerOf. (Parameter 'marker')", error.Message);
        await Assert.ThrowsAsync<ArgumentException>(async () => await CreateStore().ContainsAsync(Program, new string('A', 32)));
    }

    /// <summary>Writers racing to add one marker: exactly one adds it.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_adds_of_one_marker_add_it_once()
    {
        var marker = new ErasedMembers(CreateStore(), Key).MarkerOf(Program, MemberId.From("alice@example.com"));
        var stores = Enumerable.Range(0, ConcurrentWriters).Select(_ => CreateStore()).ToArray();

        var added = await Task.WhenAll(stores.Select(s => Task.Run(async () => await s.AddAsync(Program, marker))));

        Assert.Equal(1, added.Count(a => a));
        Assert.True(await CreateStore().ContainsAsync(Program, marker));
    }
}
