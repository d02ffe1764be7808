using Loyalty.Core.DataRights;
using Loyalty.Core.Engagement;
using Loyalty.Core.Primitives;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="IContactHistoryStore"/> must have: sends read back whole in sending
/// order from an instant on, recording is idempotent by message id (a repeat changes nothing, another send
/// with the id is refused and the stored one returned), pages of members read in one call, programmes kept
/// apart, and of racing writers of one message id exactly one adds it. Subclass it once per store and
/// implement <see cref="CreateStore"/>.
/// </summary>
/// <remarks>Each test works in its own programme, so a subclass may share one database between all its tests.</remarks>
public abstract class ContactHistoryStoreSpecification : IAsyncLifetime
{
    private static readonly Instant March = Instant.FromUtc(2026, 3, 1, 9, 0);
    private static readonly MemberId Alice = MemberId.From("alice");
    private static readonly MemberId Bob = MemberId.From("bob");

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected ContactHistoryStoreSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>How many writers the concurrency test runs at once. Default 8.</summary>
    protected virtual int ConcurrentWriters => 8;

    /// <summary>Returns a store over this test's storage; every call must see the same data, each may be a new session for one writer.</summary>
    /// <returns>The store.</returns>
    protected abstract IContactHistoryStore CreateStore();

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Sends come back whole, by sending instant then message id, from the instant asked on (inclusive).</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Sends_read_back_whole_in_sending_order_from_an_instant()
    {
        var receipt = Send("alice/receipt/A-1", Alice, March, EngagementChannel.Email, MessageCategory.Transactional, "receipt");
        var welcome = Send("alice/welcome/day-0", Alice, March, EngagementChannel.Email, MessageCategory.Marketing, "welcome");
        var sms = Send("alice/birthday/2026", Alice, (March + Duration.FromHours(30)), EngagementChannel.Sms, MessageCategory.Marketing, "birthday");
        var old = Send("alice/newsletter/2025-12", Alice, (March + Duration.FromHours(-24 * 60)), EngagementChannel.Push, MessageCategory.Marketing, "newsletter");
        foreach (var record in new[] { sms, welcome, old, receipt })
        {
            Assert.Equal(new ContactRecordResult(ContactRecordStatus.Added), await CreateStore().RecordAsync(record));
        }

        Assert.Equal([old, receipt, welcome, sms], await CreateStore().ListAsync(Program, Alice, Instant.MinValue));
        Assert.Equal([receipt, welcome, sms], await CreateStore().ListAsync(Program, Alice, March));
        Assert.Equal([sms], await CreateStore().ListAsync(Program, Alice, March.PlusTicks(1)));
        Assert.Equal(sms, await CreateStore().GetAsync(Program, "alice/birthday/2026"));
        Assert.Null(await CreateStore().GetAsync(Program, "alice/birthday/2027"));
    }

    /// <summary>Recording the same send again changes nothing; another send with the message id is refused and the stored one returned.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Recording_is_idempotent_by_message_id()
    {
        var welcome = Send("alice/welcome/day-0", Alice, March, EngagementChannel.Email, MessageCategory.Marketing, "welcome");
        await CreateStore().RecordAsync(welcome);

        Assert.Equal(new ContactRecordResult(ContactRecordStatus.Exists, welcome), await CreateStore().RecordAsync(welcome));
        var other = welcome with { SentAt = (March + Duration.FromHours(1)), Channel = EngagementChannel.Sms };
        Assert.Equal(new ContactRecordResult(ContactRecordStatus.Conflict, welcome), await CreateStore().RecordAsync(other));
        Assert.Equal([welcome], await CreateStore().ListAsync(Program, Alice, Instant.MinValue));
    }

    /// <summary>A page of members is read in one call, in the order asked, an unknown member with no send; other programmes are not seen.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Sends_of_a_page_of_members_come_in_the_order_asked_and_programmes_are_apart()
    {
        var alice = Send("alice/welcome/day-0", Alice, March, EngagementChannel.Email, MessageCategory.Marketing, "welcome");
        var bob = Send("bob/welcome/day-0", Bob, March, EngagementChannel.Email, MessageCategory.Marketing, "welcome");
        var bobOld = Send("bob/newsletter/1", Bob, (March + Duration.FromHours(-1)), EngagementChannel.Email, MessageCategory.Marketing, "newsletter");
        var elsewhere = alice with { ProgramId = ProgramId.From(Program.Value + "-other") };
        await CreateStore().RecordAsync(alice);
        await CreateStore().RecordAsync(bob);
        await CreateStore().RecordAsync(bobOld);
        Assert.Equal(ContactRecordStatus.Added, (await CreateStore().RecordAsync(elsewhere)).Status);

        var lists = await CreateStore().ListManyAsync(Program, [Bob, MemberId.From("nobody"), Alice], March);

        Assert.Equal(3, lists.Count);
        Assert.Equal([bob], lists[0]);
        Assert.Empty(lists[1]);
        Assert.Equal([alice], lists[2]);
        Assert.Empty(await CreateStore().ListManyAsync(Program, [], March));
    }

    /// <summary>An invalid send or message id is refused with the reference store's message and nothing is written.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task An_invalid_send_is_refused_and_nothing_is_written()
    {
        var bad = Send(new string('m', ContactRecord.MaxMessageIdLength + 1), Alice, March, EngagementChannel.Email, MessageCategory.Marketing, "welcome");

        var error = await Assert.ThrowsAsync<ArgumentException>(async () => await CreateStore().RecordAsync(bad));
        Assert.Equal("The message id must be 1 to 512 characters (was 513 characters). (Parameter 'record')", error.Message);
        var read = await Assert.ThrowsAsync<ArgumentException>(async () => await CreateStore().GetAsync(Program, ""));
        Assert.Equal("The message id must be 1 to 512 characters (was 0 characters). (Parameter 'messageId')", read.Message);
        Assert.Empty(await CreateStore().ListAsync(Program, Alice, Instant.MinValue));
    }

    /// <summary>Of writers racing to record one message id (the same send or different ones), exactly one adds it.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Racing_writers_of_one_message_id_add_it_once()
    {
        var stores = Enumerable.Range(0, ConcurrentWriters).Select(_ => CreateStore()).ToArray();
        var sends = stores.Select((_, i) => Send("alice/points-expiring/2026-03-31", Alice, (March + Duration.FromSeconds(i % 2)), EngagementChannel.Email, MessageCategory.Marketing, "points-expiring")).ToArray();

        var results = await Task.WhenAll(stores.Select((s, i) => Task.Run(async () => await s.RecordAsync(sends[i]))));

        Assert.Equal(1, results.Count(r => r.Status == ContactRecordStatus.Added));
        var stored = Assert.Single(await CreateStore().ListAsync(Program, Alice, Instant.MinValue));
        Assert.All(results.Where(r => r.Status != ContactRecordStatus.Added), r => Assert.Equal(stored, r.Existing));
    }

    /// <summary>
    /// Members' data rights: a member's sends are replaced as a whole under another id with new message ids,
    /// only at the number of records read, never onto a member who has sends nor onto a message id in use.
    /// </summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_members_sends_are_rewritten_as_a_whole_at_the_count_read()
    {
        var pseudonym = MemberId.From("erased-0123456789abcdef0123456789abcdef");
        var welcome = Send("mail-alice@example.com-1", Alice, March, EngagementChannel.Email, MessageCategory.Marketing, "welcome");
        var receipt = Send("mail-alice@example.com-2", Alice, March + Duration.FromHours(1), EngagementChannel.Email, MessageCategory.Transactional, "receipt");
        var bobs = Send("sms-bob-1", Bob, March, EngagementChannel.Sms, MessageCategory.Marketing, "promo");
        foreach (var send in new[] { welcome, receipt, bobs })
        {
            await CreateStore().RecordAsync(send);
        }

        var data = Assert.IsAssignableFrom<IContactHistoryDataStore>(CreateStore());
        ContactRecord[] replacement = [welcome with { MemberId = pseudonym, MessageId = "erased-m1" }, receipt with { MemberId = pseudonym, MessageId = "erased-m2" }];

        Assert.Equal(MemberRewriteStatus.NotFound, await data.RewriteContactsAsync(Program, MemberId.From("nobody"), 0, []));
        Assert.Equal(MemberRewriteStatus.Conflict, await data.RewriteContactsAsync(Program, Alice, 3, replacement));
        Assert.Equal(MemberRewriteStatus.TargetExists, await data.RewriteContactsAsync(Program, Alice, 2, [replacement[0], receipt with { MemberId = pseudonym, MessageId = bobs.MessageId }]));
        Assert.Equal(MemberRewriteStatus.TargetExists, await data.RewriteContactsAsync(Program, Alice, 2, [welcome with { MemberId = Bob, MessageId = "erased-m1" }]));
        Assert.Equal([welcome, receipt], await CreateStore().ListAsync(Program, Alice, Instant.MinValue));

        Assert.Equal(MemberRewriteStatus.Rewritten, await data.RewriteContactsAsync(Program, Alice, 2, replacement));

        Assert.Empty(await CreateStore().ListAsync(Program, Alice, Instant.MinValue));
        Assert.Null(await CreateStore().GetAsync(Program, welcome.MessageId));
        Assert.Equal(replacement, await CreateStore().ListAsync(Program, pseudonym, Instant.MinValue));
        Assert.Equal(replacement[1], await CreateStore().GetAsync(Program, "erased-m2"));
        Assert.Equal([bobs], await CreateStore().ListAsync(Program, Bob, Instant.MinValue));
    }

    private ContactRecord Send(string id, MemberId member, Instant at, EngagementChannel channel, MessageCategory category, string type) => new()
    {
        ProgramId = Program,
        MessageId = id,
        MemberId = member,
        Channel = channel,
        Category = category,
        MessageType = type,
        SentAt = at,
    };
}
