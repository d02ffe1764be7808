using Loyalty.Core.DataRights;
using Loyalty.Core.Engagement;
using Loyalty.Core.Primitives;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="IConsentStore"/> must have: consents and opt-outs read back whole in
/// instant order, a repeat changes nothing, a clash on (member, channel, instant) is refused and the stored
/// record returned, pages of members read in one call, programmes kept apart, and racing writers of one
/// record add it once. Subclass it once per store and implement <see cref="CreateStore"/>.
/// </summary>
/// <remarks>Each test works in its own programme, so a subclass may share one database between all its tests.</remarks>
public abstract class ConsentStoreSpecification : IAsyncLifetime
{
    private static readonly Instant March = Instant.FromUtc(2026, 3, 1, 9, 0);
    private static readonly MemberId Alice = MemberId.From("alice");
    private static readonly MemberId Bob = MemberId.From("bob");

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected ConsentStoreSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>How many writers the concurrency test runs at once. Default 8.</summary>
    protected virtual int ConcurrentWriters => 8;

    /// <summary>Returns a store over this test's storage; every call must see the same data, each may be a new session for one writer.</summary>
    /// <returns>The store.</returns>
    protected abstract IConsentStore CreateStore();

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A member with no record has an empty log.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_member_without_records_has_an_empty_log() => Assert.Empty(await CreateStore().GetHistoryAsync(Program, Alice));

    /// <summary>Consents and opt-outs come back whole, by instant then channel, whatever the order they were recorded in.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Records_read_back_whole_in_instant_order()
    {
        var optOut = Record(Alice, EngagementChannel.Email, (March + Duration.FromHours(48)), ConsentStatus.Withdrawn, "unsubscribe-link");
        var email = Record(Alice, EngagementChannel.Email, March, ConsentStatus.Granted, "checkout-form");
        var sms = Record(Alice, EngagementChannel.Sms, March, ConsentStatus.Granted, "checkout-form");
        var push = Record(Alice, EngagementChannel.Push, (March + Duration.FromHours(1)), ConsentStatus.Granted, "app-settings ✓");
        foreach (var record in new[] { optOut, push, sms, email })
        {
            Assert.Equal(new ConsentRecordResult(ConsentRecordStatus.Added), await CreateStore().RecordAsync(record));
        }

        Assert.Equal([email, sms, push, optOut], await CreateStore().GetHistoryAsync(Program, Alice));
        Assert.Empty(await CreateStore().GetHistoryAsync(Program, Bob));
    }

    /// <summary>Recording the same record again changes nothing; another record with the same member, channel and instant is refused and the stored one returned.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_repeat_changes_nothing_and_a_clash_is_refused()
    {
        var granted = Record(Alice, EngagementChannel.Email, March, ConsentStatus.Granted, "checkout-form");
        await CreateStore().RecordAsync(granted);

        Assert.Equal(new ConsentRecordResult(ConsentRecordStatus.Exists, granted), await CreateStore().RecordAsync(granted));
        var clash = granted with { Status = ConsentStatus.Withdrawn, Source = "unsubscribe-link" };
        Assert.Equal(new ConsentRecordResult(ConsentRecordStatus.Conflict, granted), await CreateStore().RecordAsync(clash));
        Assert.Equal([granted], await CreateStore().GetHistoryAsync(Program, Alice));
    }

    /// <summary>A page of members is read in one call, in the order asked, an unknown member with an empty log; other programmes are not seen.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Logs_of_a_page_of_members_come_in_the_order_asked_and_programmes_are_apart()
    {
        var alice = Record(Alice, EngagementChannel.Email, March, ConsentStatus.Granted, "checkout-form");
        var bob = Record(Bob, EngagementChannel.Sms, March, ConsentStatus.Withdrawn, "stop-sms");
        var elsewhere = alice with { ProgramId = ProgramId.From(Program.Value + "-other"), Source = "other-shop" };
        await CreateStore().RecordAsync(alice);
        await CreateStore().RecordAsync(bob);
        Assert.Equal(ConsentRecordStatus.Added, (await CreateStore().RecordAsync(elsewhere)).Status);

        var logs = await CreateStore().GetHistoriesAsync(Program, [Bob, MemberId.From("nobody"), Alice]);

        Assert.Equal(3, logs.Count);
        Assert.Equal([bob], logs[0]);
        Assert.Empty(logs[1]);
        Assert.Equal([alice], logs[2]);
        Assert.Empty(await CreateStore().GetHistoriesAsync(Program, []));
    }

    /// <summary>An invalid record is refused with the reference store's message and nothing is written.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task An_invalid_record_is_refused_and_nothing_is_written()
    {
        var bad = Record(Alice, EngagementChannel.Email, March, ConsentStatus.Granted, new string('x', ConsentRecord.MaxSourceLength + 1));

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await CreateStore().RecordAsync(bad));

        Assert.Equal("The consent record's source must be 1 to 256 characters saying where the consent came from, e.g. \"checkout-form\" (was 257 characters). (Parameter 'record')", error.Message);
        Assert.Empty(await CreateStore().GetHistoryAsync(Program, Alice));
    }

    /// <summary>Writers racing to record the same record add it once; the others see it as a repeat.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_writers_of_one_record_add_it_once()
    {
        var record = Record(Alice, EngagementChannel.Email, March, ConsentStatus.Withdrawn, "unsubscribe-link");
        var stores = Enumerable.Range(0, ConcurrentWriters).Select(_ => CreateStore()).ToArray();

        var results = await Task.WhenAll(stores.Select(s => Task.Run(async () => await s.RecordAsync(record))));

        Assert.Equal(1, results.Count(r => r.Status == ConsentRecordStatus.Added));
        Assert.All(results.Where(r => r.Status != ConsentRecordStatus.Added), r => Assert.Equal(new ConsentRecordResult(ConsentRecordStatus.Exists, record), r));
        Assert.Equal([record], await CreateStore().GetHistoryAsync(Program, Alice));
    }

    /// <summary>
    /// Members' data rights: a member's consent log is replaced as a whole under another id (an erasure's
    /// pseudonym, sources scrubbed), only at the number of records read, never onto a member who has a log.
    /// </summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_members_log_is_rewritten_as_a_whole_at_the_count_read()
    {
        var pseudonym = MemberId.From("erased-0123456789abcdef0123456789abcdef");
        var email = Record(Alice, EngagementChannel.Email, March, ConsentStatus.Granted, "checkout-form alice@example.com");
        var optOut = Record(Alice, EngagementChannel.Email, March + Duration.FromHours(48), ConsentStatus.Withdrawn, "unsubscribe-link");
        var bob = Record(Bob, EngagementChannel.Sms, March, ConsentStatus.Granted, "stop-sms");
        foreach (var record in new[] { email, optOut, bob })
        {
            await CreateStore().RecordAsync(record);
        }

        var data = Assert.IsAssignableFrom<IConsentDataStore>(CreateStore());
        ConsentRecord[] replacement = [email with { MemberId = pseudonym, Source = "[erased]" }, optOut with { MemberId = pseudonym, Source = "[erased]" }];

        Assert.Equal(MemberRewriteStatus.NotFound, await data.RewriteConsentsAsync(Program, MemberId.From("nobody"), 0, []));
        Assert.Equal(MemberRewriteStatus.Conflict, await data.RewriteConsentsAsync(Program, Alice, 1, replacement));
        Assert.Equal(MemberRewriteStatus.TargetExists, await data.RewriteConsentsAsync(Program, Alice, 2, [email with { MemberId = Bob }]));
        Assert.Equal([email, optOut], await CreateStore().GetHistoryAsync(Program, Alice));

        Assert.Equal(MemberRewriteStatus.Rewritten, await data.RewriteConsentsAsync(Program, Alice, 2, replacement));

        Assert.Empty(await CreateStore().GetHistoryAsync(Program, Alice));
        Assert.Equal(replacement, await CreateStore().GetHistoryAsync(Program, pseudonym));
        Assert.Equal([bob], await CreateStore().GetHistoryAsync(Program, Bob));
        Assert.Equal(MemberRewriteStatus.NotFound, await data.RewriteConsentsAsync(Program, Alice, 2, replacement));
    }

    private ConsentRecord Record(MemberId member, EngagementChannel channel, Instant at, ConsentStatus status, string source) => new()
    {
        ProgramId = Program,
        MemberId = member,
        Channel = channel,
        Status = status,
        At = at,
        Source = source,
    };
}
