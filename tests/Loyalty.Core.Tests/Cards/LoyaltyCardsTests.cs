using Loyalty.Core.Cards;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Tests.Programs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.Tests.Cards;

/// <summary>Cards end to end through DI and the in-memory stores: EAN-13 numbers with prefix 400638 (the published 4006381333931 is one).</summary>
public sealed class LoyaltyCardsTests : IDisposable
{
    private const string Published = "4006381333931";
    private static readonly MemberId Alice = MemberId.From("alice");
    private static readonly MemberId Bob = MemberId.From("bob");
    private readonly ServiceProvider provider;
    private readonly IServiceScope scope;
    private readonly FakeClock clock = new(Instant.FromUtc(2026, 3, 2, 9, 0));

    public LoyaltyCardsTests()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        services.AddLoyalty(o =>
            {
                o.ProgramId = "club";
                o.Currency = "EUR";
                o.TimeZone = "Europe/Paris";
            })
            .UseInMemoryStores()
            .UseTiers(ProgramHarness.Ladder)
            .AddCards(o =>
            {
                o.Prefix = "400638";
                o.Length = 13;
                o.CheckDigit = CheckDigitAlgorithm.Ean13;
                o.IssueVirtualCardAtEnrolment = true;
            });
        provider = services.BuildServiceProvider(validateScopes: true);
        scope = provider.CreateScope();
    }

    private LoyaltyProgram Program => scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();

    private LoyaltyCards Cards => scope.ServiceProvider.GetRequiredService<LoyaltyCards>();

    private CardNumberScheme Scheme => Cards.Scheme;

    public void Dispose()
    {
        scope.Dispose();
        provider.Dispose();
    }

    private async Task SetUpAsync()
    {
        await Program.PublishRuleSetAsync(ProgramHarness.Rules);
        (await Cards.ImportRangeAsync("print-2026-03", Scheme.FromSerial(133000).Value, Scheme.FromSerial(133999).Value, CardKind.Physical)).Succeeded.Should().BeTrue();
        (await Cards.ImportRangeAsync("app", Scheme.FromSerial(900000).Value, Scheme.FromSerial(999999).Value, CardKind.Virtual)).Succeeded.Should().BeTrue();
        (await Program.EnrolAsync(new Enrolment(Alice))).GetValueOrThrow();
        (await Program.EnrolAsync(new Enrolment(Bob))).GetValueOrThrow();
    }

    [Fact]
    public async Task A_card_linked_at_the_till_finds_its_member_when_scanned()
    {
        await SetUpAsync();

        var linked = await Cards.LinkCardAsync(Published, Alice, "linked at till 4");
        var scanned = await Cards.FindMemberAsync("4006381333931");

        linked.Succeeded.Should().BeTrue();
        scanned.Value!.MemberId.Should().Be(Alice);
        scanned.Value.Card.History.Should().Equal(new CardStatusChange(CardEvent.Linked, clock.GetCurrentInstant(), "linked at till 4"));
        (await Cards.LinkCardAsync(Published, Alice, "linked at till 4")).IsRepeat.Should().BeTrue();
        var other = await Cards.LinkCardAsync(Published, Bob, "linked at till 5");
        other.ErrorCode.Should().Be(CardErrorCode.CardAlreadyLinked);
        other.ErrorMessage.Should().Be("Card 4006381333931 is already linked to another member; hand over another pre-printed card.");
    }

    [Fact]
    public async Task A_mistyped_digit_is_refused_everywhere_a_card_number_is_accepted()
    {
        await SetUpAsync();
        await Cards.LinkCardAsync(Published, Alice, "till");
        const string Typo = "4006381333831";
        const string Message = "The card number '4006381333831' fails its EAN-13 check digit; a digit was mistyped or two digits swapped, check the number.";

        (await Cards.FindMemberAsync(Typo)).Should().Match<CardResult<CardLookup>>(r => r.ErrorCode == CardErrorCode.InvalidCardNumber && r.ErrorMessage == Message);
        (await Cards.LinkCardAsync(Typo, Bob, "till")).Should().Match<CardResult<CardRecord>>(r => r.ErrorCode == CardErrorCode.InvalidCardNumber && r.ErrorMessage == Message);
        (await Cards.BlockCardAsync(Typo, "lost")).Should().Match<CardResult<CardRecord>>(r => r.ErrorCode == CardErrorCode.InvalidCardNumber && r.ErrorMessage == Message);
        (await Cards.ReplaceCardAsync(Typo, null, "lost")).Should().Match<CardResult<CardReplacement>>(r => r.ErrorCode == CardErrorCode.InvalidCardNumber && r.ErrorMessage == Message);
        (await Cards.ReplaceCardAsync(Published, Typo, "lost")).Should().Match<CardResult<CardReplacement>>(r => r.ErrorCode == CardErrorCode.InvalidCardNumber && r.ErrorMessage == Message);
        await FluentActions.Awaiting(() => Cards.ImportRangeAsync("batch", Typo, Published, CardKind.Physical)).Should().ThrowAsync<ArgumentException>().WithMessage(Message + " (Parameter 'firstNumber')");
        FluentActions.Invoking(() => Cards.GetBarcode(Typo)).Should().Throw<ArgumentException>().WithMessage(Message + " (Parameter 'cardNumber')");
        FluentActions.Invoking(() => Cards.GetQrCode(Typo)).Should().Throw<ArgumentException>().WithMessage(Message + " (Parameter 'cardNumber')");
        (await Cards.ListCardsAsync(Alice)).Should().ContainSingle().Which.Status.Should().Be(CardStatus.Active);
    }

    [Fact]
    public async Task A_range_that_overlaps_an_imported_one_is_refused()
    {
        await SetUpAsync();

        var overlapping = await Cards.ImportRangeAsync("print-2026-04", Scheme.FromSerial(133500).Value, Scheme.FromSerial(134500).Value, CardKind.Physical);
        var insideVirtual = await Cards.ImportRangeAsync("inside", Scheme.FromSerial(950000).Value, Scheme.FromSerial(950000).Value, CardKind.Physical);
        var sameIdOtherNumbers = await Cards.ImportRangeAsync("print-2026-03", Scheme.FromSerial(200000).Value, Scheme.FromSerial(200999).Value, CardKind.Physical);
        var again = await Cards.ImportRangeAsync("print-2026-03", Scheme.FromSerial(133000).Value, Scheme.FromSerial(133999).Value, CardKind.Physical);
        var adjacent = await Cards.ImportRangeAsync("print-2026-04", Scheme.FromSerial(134000).Value, Scheme.FromSerial(134999).Value, CardKind.Physical);

        overlapping.ErrorCode.Should().Be(CardErrorCode.RangeOverlaps);
        overlapping.ErrorMessage.Should().Be("Range 'print-2026-04' (serials 133500 to 134500) overlaps range 'print-2026-03' (serials 133000 to 133999); every card number belongs to one range, check the print batch's first and last numbers.");
        insideVirtual.ErrorCode.Should().Be(CardErrorCode.RangeOverlaps);
        sameIdOtherNumbers.ErrorMessage.Should().Be("Range 'print-2026-03' was imported before with other numbers (serials 133000 to 133999); give the new range another id.");
        again.IsRepeat.Should().BeTrue();
        adjacent.Succeeded.Should().BeTrue();
        (await Cards.ListRangesAsync()).Select(r => r.RangeId).Should().Equal("print-2026-03", "print-2026-04", "app");
    }

    [Fact]
    public async Task Bad_range_arguments_throw_the_exact_error()
    {
        await FluentActions.Awaiting(() => Cards.ImportRangeAsync("b", Scheme.FromSerial(5).Value, Scheme.FromSerial(4).Value, CardKind.Physical)).Should().ThrowAsync<ArgumentException>()
            .WithMessage($"lastNumber {Scheme.FromSerial(4)} comes before firstNumber {Scheme.FromSerial(5)}; give the range's first card then its last. (Parameter 'lastNumber')");
        await FluentActions.Awaiting(() => Cards.ImportRangeAsync(" b", Published, Published, CardKind.Physical)).Should().ThrowAsync<ArgumentException>()
            .WithMessage("rangeId must be 1 to 64 characters without leading or trailing spaces (was ' b'); name the print batch, e.g. \"2026-spring\". (Parameter 'rangeId')");
    }

    [Fact]
    public async Task A_card_outside_the_imported_ranges_cannot_be_linked_and_an_unknown_member_gets_none()
    {
        await SetUpAsync();

        var outside = await Cards.LinkCardAsync(Scheme.FromSerial(500000).Value, Alice, "till");
        var virtualNumber = await Cards.LinkCardAsync(Scheme.FromSerial(950000).Value, Alice, "till");
        var stranger = await Cards.LinkCardAsync(Published, MemberId.From("stranger"), "till");

        outside.ErrorCode.Should().Be(CardErrorCode.CardNotInRange);
        outside.ErrorMessage.Should().Be($"Card {Scheme.FromSerial(500000)} is not in an imported range of pre-printed cards; import its print batch with ImportRangeAsync, or check the number.");
        virtualNumber.ErrorCode.Should().Be(CardErrorCode.CardNotInRange);
        stranger.ErrorCode.Should().Be(CardErrorCode.MemberNotFound);
        stranger.ErrorMessage.Should().Be("Member 'stranger' is not enrolled; enrol them before linking a card.");
        (await Cards.FindMemberAsync(Published)).ErrorCode.Should().Be(CardErrorCode.CardNotFound);
    }

    [Fact]
    public async Task Enrolment_issues_a_virtual_card_once_and_a_member_may_hold_several_cards()
    {
        await SetUpAsync();

        var enrolled = await Cards.EnrolAsync(new Enrolment(MemberId.From("carol")));
        var repeat = await Cards.IssueVirtualCardAsync(MemberId.From("carol"), "app install");
        await Cards.LinkCardAsync(Published, MemberId.From("carol"), "till 2");

        enrolled.Card!.Number.Should().Be(Scheme.FromSerial(900000));
        enrolled.Card.Kind.Should().Be(CardKind.Virtual);
        enrolled.Card.History.Single().Should().Be(new CardStatusChange(CardEvent.Issued, clock.GetCurrentInstant(), "enrolment"));
        repeat.IsRepeat.Should().BeTrue();
        repeat.Value!.Number.Should().Be(enrolled.Card.Number);
        (await Cards.ListCardsAsync(MemberId.From("carol"))).Select(c => c.Number.Value).Should().Equal(Scheme.FromSerial(900000).Value, Published);
        (await Cards.FindMemberAsync(Scheme.FromSerial(900000).Value)).Value!.MemberId.Should().Be(MemberId.From("carol"));
        Cards.GetQrCode(enrolled.Card.Number.Value).Should().Be(new CardBarcode(CardSymbology.QrCode, enrolled.Card.Number.Value));
    }

    [Fact]
    public async Task A_lost_card_is_replaced_the_member_keeps_points_tier_and_history_and_the_old_card_is_refused()
    {
        await SetUpAsync();
        await Cards.LinkCardAsync(Published, Alice, "till 4");
        var scan = (await Cards.FindMemberAsync(Published)).GetValueOrThrow();
        (await Program.RecordOrderAsync(Order("o-1", scan.MemberId, 600m))).GetValueOrThrow();
        clock.Advance(Duration.FromDays(3));
        var before = (await Program.GetMemberSummaryAsync(Alice)).GetValueOrThrow();
        var replacementNumber = Scheme.FromSerial(133001).Value;

        var replaced = await Cards.ReplaceCardAsync(Published, replacementNumber, "lost");
        var oldScan = await Cards.FindMemberAsync(Published);
        var newScan = await Cards.FindMemberAsync(replacementNumber);
        var after = (await Program.GetMemberSummaryAsync(newScan.Value!.MemberId)).GetValueOrThrow();

        replaced.Value!.Blocked.Status.Should().Be(CardStatus.Blocked);
        replaced.Value.Blocked.ReplacedBy.Value.Should().Be(replacementNumber);
        replaced.Value.Blocked.History.Select(h => (h.Event, h.Reason)).Should().Equal((CardEvent.Linked, "till 4"), (CardEvent.Replaced, "lost"));
        replaced.Value.Replacement.History.Single().Should().Be(new CardStatusChange(CardEvent.Linked, clock.GetCurrentInstant(), "lost", CardNumber.FromDigits(Published)));
        oldScan.ErrorCode.Should().Be(CardErrorCode.CardBlocked);
        oldScan.ErrorMessage.Should().Be($"Card {Published} was blocked on 2026-03-05T09:00:00Z (lost); it was replaced by card {replacementNumber}; it can no longer be used, ask the member for their current card.");
        after.Balance.Should().BeEquivalentTo(before.Balance, o => o.Excluding(b => b.AsOf));
        after.Balance.Earned.Should().Be(Points.FromInt64(700));
        after.Tier.Tier.Id.Should().Be(before.Tier.Tier.Id);
        after.Tier.Tier.Id.Value.Should().Be("silver");
        (await Cards.ReplaceCardAsync(Published, null, "lost again")).ErrorCode.Should().Be(CardErrorCode.CardBlocked);
        (await Cards.BlockCardAsync(Published, "stolen")).ErrorCode.Should().Be(CardErrorCode.CardBlocked);
        (await Cards.LinkCardAsync(Published, Alice, "found it")).ErrorCode.Should().Be(CardErrorCode.CardBlocked);
    }

    [Fact]
    public async Task Racing_replacements_of_one_card_and_scans_of_both_cards_exactly_one_replacement_succeeds_and_no_scan_of_the_old_card_succeeds_after_it()
    {
        await SetUpAsync();
        await Cards.LinkCardAsync(Published, Alice, "till 4");
        using var start = new ManualResetEventSlim();
        var replacements = Enumerable.Range(1, 8).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await Cards.ReplaceCardAsync(Published, i % 2 == 0 ? Scheme.FromSerial(133000 + i).Value : null, "stolen");
        })).ToList();
        var scans = Enumerable.Range(0, 200).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await Cards.FindMemberAsync(Published);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(replacements);
        await Task.WhenAll(scans);

        results.Count(r => r.Succeeded).Should().Be(1);
        results.Where(r => !r.Succeeded).Should().OnlyContain(r => r.ErrorCode == CardErrorCode.CardBlocked);
        var winner = results.Single(r => r.Succeeded).Value!;
        scans.Select(s => s.Result).Should().OnlyContain(s => (s.Succeeded && s.Value!.MemberId == Alice) || s.ErrorCode == CardErrorCode.CardBlocked);
        var afterwards = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () => await Cards.FindMemberAsync(i % 2 == 0 ? Published : winner.Replacement.Number.Value))));
        afterwards.Where((_, i) => i % 2 == 0).Should().OnlyContain(r => r.ErrorCode == CardErrorCode.CardBlocked);
        afterwards.Where((_, i) => i % 2 == 1).Should().OnlyContain(r => r.Succeeded && r.Value!.MemberId == Alice);
        (await Cards.ListCardsAsync(Alice)).Should().HaveCount(2);
    }

    [Fact]
    public async Task Export_lists_a_member_s_cards_and_erasure_leaves_only_blocked_numbers_of_no_member()
    {
        await SetUpAsync();
        await Cards.LinkCardAsync(Published, Alice, "till 4");
        await Cards.IssueVirtualCardAsync(Alice, "app");

        var exported = await Cards.ExportMemberAsync(Alice);
        var erased = await Cards.EraseMemberAsync(Alice);

        exported.Should().HaveCount(2);
        erased.Should().Be(2);
        (await Cards.ExportMemberAsync(Alice)).Should().BeEmpty();
        var scan = await Cards.FindMemberAsync(Published);
        scan.ErrorCode.Should().Be(CardErrorCode.CardBlocked);
        scan.ErrorMessage.Should().NotContain("alice");
        (await Cards.LinkCardAsync(Published, Bob, "till 4")).ErrorCode.Should().Be(CardErrorCode.CardBlocked);
    }

    [Fact]
    public void Bad_card_options_stop_the_host_with_every_problem_and_its_path()
    {
        var services = new ServiceCollection();
        services.AddLoyalty().AddCards(o =>
        {
            o.Prefix = "4x";
            o.Length = 12;
        });
        using var bad = services.BuildServiceProvider();

        FluentActions.Invoking(() => bad.GetRequiredService<IOptions<CardOptions>>().Value).Should().Throw<OptionsValidationException>()
            .WithMessage("Loyalty:Cards:Length must be 13 for EAN-13 card numbers (was 12).; Loyalty:Cards:Prefix must be digits 0-9 only (was '4x').");
    }

    private static EarningOrder Order(string id, MemberId member, decimal amount) =>
        ProgramHarness.Order(id, member, Instant.FromUtc(2026, 3, 2, 10, 0), ProgramHarness.Line("sku-1", 1, amount));
}
