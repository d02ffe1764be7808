using Loyalty.Core.Cards;
using Loyalty.Core.DataRights;
using Loyalty.Core.Primitives;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="ICardStore"/> must have: cards read back whole, numbers unique,
/// optimistic updates, a replacement that blocks the old card and adds the new one together or not at
/// all (and of racing replacements exactly one), ranges that never overlap, virtual serials taken once
/// by racing callers, export and erasure, and programmes kept apart. Subclass it once per store.
/// </summary>
/// <remarks>Each test works in its own programme, so a subclass may share one database between all its tests.</remarks>
public abstract class CardStoreSpecification : IAsyncLifetime
{
    private static readonly Instant March = Instant.FromUtc(2026, 3, 1, 9, 0);
    private static readonly MemberId Alice = MemberId.From("alice");
    private static readonly MemberId Bob = MemberId.From("bob");
    private static readonly CardNumberScheme Scheme = CardNumberScheme.Create("400638", 13, CheckDigitAlgorithm.Ean13);

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected CardStoreSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>How many writers the concurrency tests run at once. Default 8.</summary>
    protected virtual int ConcurrentWriters => 8;

    /// <summary>Returns a store over this test's storage; every call must see the same data, each may be a new session for one writer.</summary>
    /// <returns>The store.</returns>
    protected abstract ICardStore CreateStore();

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A card added reads back whole, by number and in its member's list; a second card with its number is refused.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_card_reads_back_whole_and_its_number_is_unique()
    {
        var card = Card(1, Alice);
        Assert.Equal(CardWriteStatus.Written, await CreateStore().AddCardAsync(card));
        Assert.Equal(CardWriteStatus.NumberTaken, await CreateStore().AddCardAsync(Card(1, Bob)));

        Assert.True(card.SameAs(await CreateStore().FindCardAsync(Program, card.Number)));
        Assert.True(card.SameAs(Assert.Single(await CreateStore().ListMemberCardsAsync(Program, Alice))));
        Assert.Empty(await CreateStore().ListMemberCardsAsync(Program, Bob));
        Assert.Null(await CreateStore().FindCardAsync(ProgramId.From("other-" + Guid.NewGuid().ToString("N")), card.Number));
    }

    /// <summary>An update is written only from the version read.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task An_update_is_written_only_from_the_version_read()
    {
        var card = Card(2, Alice);
        await CreateStore().AddCardAsync(card);
        var blocked = Blocked(card, "stolen");

        Assert.Equal(CardWriteStatus.Written, await CreateStore().UpdateCardAsync(blocked, 1));
        Assert.Equal(CardWriteStatus.VersionConflict, await CreateStore().UpdateCardAsync(Blocked(card, "lost"), 1));
        Assert.True(blocked.SameAs(await CreateStore().FindCardAsync(Program, card.Number)));
    }

    /// <summary>A replacement blocks the old card and adds the new one together; refused, it writes neither.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_replacement_writes_both_cards_or_neither()
    {
        var old = Card(3, Alice);
        var taken = Card(4, Bob);
        await CreateStore().AddCardAsync(old);
        await CreateStore().AddCardAsync(taken);

        Assert.Equal(CardWriteStatus.NumberTaken, await CreateStore().ReplaceCardAsync(Replaced(old, taken.Number), 1, Card(4, Alice)));
        Assert.True(old.SameAs(await CreateStore().FindCardAsync(Program, old.Number)));
        Assert.Equal(CardWriteStatus.VersionConflict, await CreateStore().ReplaceCardAsync(Replaced(old, Scheme.FromSerial(5)), 7, Card(5, Alice)));
        Assert.Null(await CreateStore().FindCardAsync(Program, Scheme.FromSerial(5)));

        var replacement = Card(6, Alice);
        Assert.Equal(CardWriteStatus.Written, await CreateStore().ReplaceCardAsync(Replaced(old, replacement.Number), 1, replacement));
        Assert.Equal(CardStatus.Blocked, (await CreateStore().FindCardAsync(Program, old.Number))!.Status);
        Assert.Equal([old.Number, replacement.Number], (await CreateStore().ListMemberCardsAsync(Program, Alice)).Select(c => c.Number).ToArray());
    }

    /// <summary>Of racing replacements of one card, exactly one is written.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Of_racing_replacements_exactly_one_is_written()
    {
        var old = Card(10, Alice);
        await CreateStore().AddCardAsync(old);
        using var start = new ManualResetEventSlim();
        var writers = Enumerable.Range(0, ConcurrentWriters).Select(i => Task.Run(async () =>
        {
            var store = CreateStore();
            start.Wait();
            return await store.ReplaceCardAsync(Replaced(old, Scheme.FromSerial(100 + i)), 1, Card(100 + i, Alice));
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(writers);

        Assert.Equal(1, results.Count(r => r == CardWriteStatus.Written));
        Assert.Equal(2, (await CreateStore().ListMemberCardsAsync(Program, Alice)).Count);
    }

    /// <summary>A range overlapping another (of either kind) is refused, the same range again is a repeat, an id names one range.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Ranges_never_overlap()
    {
        var first = Range("a", CardKind.Physical, 1000, 1999);
        Assert.Equal(CardRangeImportStatus.Added, (await CreateStore().ImportRangeAsync(first)).Status);
        Assert.Equal(CardRangeImportStatus.Exists, (await CreateStore().ImportRangeAsync(first)).Status);
        var overlap = await CreateStore().ImportRangeAsync(Range("b", CardKind.Virtual, 1999, 2999));
        Assert.Equal(CardRangeImportStatus.Overlaps, overlap.Status);
        Assert.Equal("a", overlap.Existing!.RangeId);
        Assert.Equal(CardRangeImportStatus.Overlaps, (await CreateStore().ImportRangeAsync(Range("a", CardKind.Physical, 5000, 5999))).Status);
        Assert.Equal(CardRangeImportStatus.Added, (await CreateStore().ImportRangeAsync(Range("b", CardKind.Virtual, 2000, 2999))).Status);
        Assert.Equal(["a", "b"], (await CreateStore().ListRangesAsync(Program)).Select(r => r.RangeId).ToArray());
    }

    /// <summary>Racing callers take each serial of a virtual range once, and none past its end; a physical range gives none.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Virtual_serials_are_taken_once_each_by_racing_callers()
    {
        await CreateStore().ImportRangeAsync(Range("app", CardKind.Virtual, 500, 519));
        await CreateStore().ImportRangeAsync(Range("plastic", CardKind.Physical, 600, 699));
        var takers = Enumerable.Range(0, ConcurrentWriters).Select(_ => Task.Run(async () =>
        {
            var store = CreateStore();
            var taken = new List<long>();
            while (await store.TakeNextSerialAsync(Program, "app") is { } serial)
            {
                taken.Add(serial);
            }

            return taken;
        })).ToList();
        var all = (await Task.WhenAll(takers)).SelectMany(t => t).Order().ToArray();

        Assert.Equal(Enumerable.Range(500, 20).Select(i => (long)i).ToArray(), all);
        Assert.Null(await CreateStore().TakeNextSerialAsync(Program, "plastic"));
        Assert.Null(await CreateStore().TakeNextSerialAsync(Program, "unknown"));
    }

    /// <summary>Export lists a member's cards; erasure leaves each number blocked, of no member, with only the erasure in its history.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Export_and_erasure_cover_every_card_of_a_member()
    {
        await CreateStore().AddCardAsync(Card(20, Alice));
        await CreateStore().AddCardAsync(Card(21, Alice));
        await CreateStore().AddCardAsync(Card(22, Bob));

        Assert.Equal(2, (await CreateStore().ExportMemberAsync(Program, Alice)).Count);
        Assert.Equal(2, await CreateStore().EraseMemberAsync(Program, Alice, March + Duration.FromDays(1)));

        Assert.Empty(await CreateStore().ExportMemberAsync(Program, Alice));
        var left = (await CreateStore().FindCardAsync(Program, Scheme.FromSerial(20)))!;
        Assert.True(left.MemberId.IsDefault);
        Assert.Equal(CardStatus.Blocked, left.Status);
        Assert.Equal([new CardStatusChange(CardEvent.Blocked, March + Duration.FromDays(1), CardTombstone.Reason)], left.History);
        Assert.Single(await CreateStore().ExportMemberAsync(Program, Bob));
        Assert.Equal(0, await CreateStore().EraseMemberAsync(Program, Alice, March));
    }

    /// <summary>
    /// A store with <see cref="ICardDataStore"/> moves every card of a member (active and blocked, histories kept,
    /// each at its next version) to a new id, so a scan finds the new id and nothing is left under the old one;
    /// a move to a member who already has a card is refused with nothing moved. A store without it is skipped.
    /// </summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task Re_keying_moves_every_card_with_its_history_and_refuses_a_member_who_has_cards()
    {
        if (CreateStore() is not ICardDataStore)
        {
            return;
        }

        var renamed = MemberId.From("alice.new");
        var first = Card(30, Alice);
        var replacement = Card(31, Alice) with { Kind = CardKind.Virtual, History = [new CardStatusChange(CardEvent.Issued, March + Duration.FromHours(3), "lost", first.Number)] };
        Assert.Equal(CardWriteStatus.Written, await CreateStore().AddCardAsync(first));
        Assert.Equal(CardWriteStatus.Written, await CreateStore().ReplaceCardAsync(Replaced(first, replacement.Number), 1, replacement));
        Assert.Equal(CardWriteStatus.Written, await CreateStore().AddCardAsync(Card(32, Bob)));
        var before = await CreateStore().ListMemberCardsAsync(Program, Alice);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () => await ((ICardDataStore)CreateStore()).RenameMemberCardsAsync(Program, Alice, Bob));
        Assert.Equal("Member 'bob' already has a card; the cards of member 'alice' were not moved. Choose an unused id, or block and erase the other member's cards first.", refused.Message);
        Assert.Equal(2, (await CreateStore().ListMemberCardsAsync(Program, Alice)).Count);
        Assert.Single(await CreateStore().ListMemberCardsAsync(Program, Bob));

        Assert.Equal(2, await ((ICardDataStore)CreateStore()).RenameMemberCardsAsync(Program, Alice, renamed));

        Assert.Empty(await CreateStore().ListMemberCardsAsync(Program, Alice));
        Assert.Empty(await CreateStore().ExportMemberAsync(Program, Alice));
        var after = await CreateStore().ListMemberCardsAsync(Program, renamed);
        Assert.Equal(before.Count, after.Count);
        for (var i = 0; i < before.Count; i++)
        {
            Assert.True((before[i] with { MemberId = renamed, Version = before[i].Version + 1 }).SameAs(after[i]), $"card {i} moved whole");
        }

        var scanned = (await CreateStore().FindCardAsync(Program, replacement.Number))!;
        Assert.Equal(renamed, scanned.MemberId);
        Assert.Equal(CardStatus.Active, scanned.Status);
        Assert.Equal(CardWriteStatus.VersionConflict, await CreateStore().UpdateCardAsync(Blocked(replacement, "stale") with { MemberId = Alice }, 1));
        Assert.Equal(0, await ((ICardDataStore)CreateStore()).RenameMemberCardsAsync(Program, Alice, MemberId.From("nobody")));
        Assert.Single(await CreateStore().ListMemberCardsAsync(Program, Bob));
    }

    private CardRecord Card(long serial, MemberId member) => new()
    {
        ProgramId = Program,
        Number = Scheme.FromSerial(serial),
        MemberId = member,
        Kind = CardKind.Physical,
        Status = CardStatus.Active,
        Version = 1,
        History = [new CardStatusChange(CardEvent.Linked, March, "till ✓ 4")],
    };

    private static CardRecord Blocked(CardRecord card, string reason) =>
        card with { Status = CardStatus.Blocked, Version = card.Version + 1, History = [.. card.History, new CardStatusChange(CardEvent.Blocked, March + Duration.FromHours(2), reason)] };

    private static CardRecord Replaced(CardRecord card, CardNumber by) =>
        card with { Status = CardStatus.Blocked, Version = card.Version + 1, History = [.. card.History, new CardStatusChange(CardEvent.Replaced, March + Duration.FromHours(3), "lost", by)] };

    private CardRange Range(string id, CardKind kind, long first, long last) =>
        new() { ProgramId = Program, RangeId = id, Kind = kind, FirstSerial = first, LastSerial = last, ImportedAt = March };
}
