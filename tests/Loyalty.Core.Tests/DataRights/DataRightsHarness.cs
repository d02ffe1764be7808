using System.Reflection;
using Loyalty.Core.Achievements;
using Loyalty.Core.Cards;
using Loyalty.Core.DataRights;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Engagement;
using Loyalty.Core.Households;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Referrals;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Transfers;
using Loyalty.Core.Tests.Programs;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.Tests.DataRights;

/// <summary>
/// The shop of the examples with data rights and engagement: Alice (an e-mail as member id) has every
/// kind of record — a birth date, a referral given, orders with lines, a refund, a review, a voucher
/// redemption, an open hold, a campaign budget reservation, consents and contacts.
/// </summary>
public sealed class DataRightsHarness : IDisposable
{
    public static readonly MemberId Alice = MemberId.From("alice@example.com");
    public static readonly MemberId Bob = MemberId.From("bob@example.com");
    public static readonly LocalDate AliceBirthDate = new(1987, 11, 23);
    public static readonly ProgramId Club = ProgramId.From("club");

    private readonly ServiceProvider root;
    private readonly IServiceScope scope;

    public DataRightsHarness(Action<DataRightsOptions>? configure = null, Instant? start = null, Action<IServiceCollection>? replace = null)
    {
        Clock = new FakeClock(start ?? ProgramHarness.At(2026, 3, 2));
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(Clock);
        services.AddLoyalty(o =>
        {
            o.ProgramId = "club";
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Referral.RefereePoints = 50;
            o.Referral.MinimumOrderAmount = 20m;
        })
        .UseInMemoryStores()
        .UseTiers(ProgramHarness.Ladder)
        .AddEngagement()
        .AddCards()
        .AddAchievements(Achievements)
        .AddPointsTransfers()
        .AddHouseholds()
        .AddDataRights(configure);
        replace?.Invoke(services);
        root = services.BuildServiceProvider(validateScopes: true);
        scope = root.CreateScope();
    }

    public static EarningRuleSet Rules { get; } = new EarningRuleSetBuilder("2024-01", ProgramHarness.At(2024, 1, 1, 0), Currency.EUR, "Europe/Paris")
        .EarnPerUnit("base", 1m)
        .FixedBonus("spring", 150, configure: r => r with { Caps = new RuleCaps { CampaignBudget = Points.FromInt64(10_000) } })
        .Activity("welcome", ActivityKind.SignUp, 100)
        .Activity("referral", ActivityKind.ReferralCompleted, 200)
        .Activity("review", ActivityKind.Review, 10)
        .Build();

    /// <summary>One achievement that a review starts (so a member with a review has achievement progress).</summary>
    public static AchievementSet Achievements { get; } = AchievementSet.FromJson("""{ "achievements": [ { "id": "critic", "name": "Critic", "kind": "activityCount", "activity": "review", "target": 5, "bonusPoints": 50 } ] }""");

    public FakeClock Clock { get; }

    public IServiceProvider Services => scope.ServiceProvider;

    public Instant Now => Clock.GetCurrentInstant();

    public LoyaltyProgram Program => Services.GetRequiredService<LoyaltyProgram>();

    public DataRightsService Rights => Services.GetRequiredService<DataRightsService>();

    public PointsLedger Ledger => Services.GetRequiredService<PointsLedger>();

    public IMemberStore Members => Services.GetRequiredService<IMemberStore>();

    public ILedgerStore LedgerStore => Services.GetRequiredService<ILedgerStore>();

    public IRewardCatalogStore Rewards => Services.GetRequiredService<IRewardCatalogStore>();

    public ICampaignBudgetStore Budgets => Services.GetRequiredService<ICampaignBudgetStore>();

    public IDataRightsAuditStore Audit => Services.GetRequiredService<IDataRightsAuditStore>();

    public EngagementService Engagement => Services.GetRequiredService<EngagementService>();

    /// <summary>Every object that keeps member data (stores, and the ledger's cache).</summary>
    public IEnumerable<object> Holders =>
    [
        Members, LedgerStore, Rewards, Budgets, Audit, Ledger,
        Services.GetRequiredService<IConsentStore>(), Services.GetRequiredService<IContactHistoryStore>(),
        Services.GetRequiredService<ICardStore>(), Services.GetRequiredService<IAchievementStore>(),
        Services.GetRequiredService<IPointsTransferStore>(), Services.GetRequiredService<IHouseholdStore>(),
    ];

    public ICardStore Cards => Services.GetRequiredService<ICardStore>();

    /// <summary>Links a virtual card to a member, straight in the card store.</summary>
    public async Task IssueCardAsync(MemberId memberId, string reason)
    {
        var number = Services.GetRequiredService<CardNumberScheme>().FromSerial(42);
        var card = new CardRecord
        {
            ProgramId = Club,
            Number = number,
            MemberId = memberId,
            Kind = CardKind.Virtual,
            Status = CardStatus.Active,
            Version = 1,
            History = [new CardStatusChange(CardEvent.Issued, Now, reason)],
        };
        (await Cards.AddCardAsync(card)).Should().Be(CardWriteStatus.Written);
    }

    public LoyaltyAchievements AchievementService => Services.GetRequiredService<LoyaltyAchievements>();

    public PointsTransferService Transfers => Services.GetRequiredService<PointsTransferService>();

    public IHouseholdStore Households => Services.GetRequiredService<IHouseholdStore>();

    public static DataRightsRequest Request(string id) => new(id, "dpo@shop.example");

    public async Task PublishAsync()
    {
        await Program.PublishRuleSetAsync(Rules);
        await Program.PublishRewardAsync(ProgramHarness.Voucher);
        await Program.PublishRewardAsync(ProgramHarness.PayWithPoints);
    }

    /// <summary>Alice with every kind of record, and Bob (referred by her) with his own.</summary>
    public async Task<MemberProfile> SeedAliceAsync()
    {
        await PublishAsync();
        var alice = (await Program.EnrolAsync(new Enrolment(Alice) { BirthDate = AliceBirthDate })).GetValueOrThrow();
        (await Program.EnrolAsync(new Enrolment(Bob) { ReferralCode = alice.ReferralCode })).GetValueOrThrow();
        (await Program.RecordOrderAsync(new EarningOrder(OrderId.From("A-1"), Alice, Now, Currency.EUR, [new OrderLine("SKU-DRESS", 1, 600m, categories: ["clothing"], brand: "Maison"), new OrderLine("SKU-SCARF", 2, 25m)], coupons: ["ALICE10"]))).GetValueOrThrow();
        (await Program.RecordOrderAsync(new EarningOrder(OrderId.From("B-1"), Bob, Now, Currency.EUR, [new OrderLine("SKU-SHOES", 1, 80m)]))).GetValueOrThrow();
        Clock.Advance(Duration.FromDays(1));
        (await Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(1, 1))))).GetValueOrThrow();
        (await Program.RecordActivityAsync(ActivityId.From("review-alice-1"), new ActivityInput(ActivityKind.Review, Alice, Now))).GetValueOrThrow();
        (await Program.RedeemRewardAsync(Alice, ProgramHarness.Voucher.Id, RedemptionId.From("RD-1"))).GetValueOrThrow();
        (await Program.HoldPointsAsync(Alice, ProgramHarness.PayWithPoints.Id, OrderId.From("A-2"), Money.FromDecimal(40m, Currency.EUR), Points.FromInt64(200))).GetValueOrThrow();
        (await Engagement.RecordConsentAsync(Alice, EngagementChannel.Email, ConsentStatus.Granted, "signup form alice@example.com")).Status.Should().NotBe(default);
        (await Engagement.RecordContactAsync(new ContactRecord
        {
            ProgramId = Club,
            MessageId = "mail-alice@example.com-1",
            MemberId = Alice,
            Channel = EngagementChannel.Email,
            Category = MessageCategory.Marketing,
            MessageType = "welcome",
            SentAt = Now,
        })).Status.Should().NotBe(default);
        return alice;
    }

    /// <summary>
    /// Alice as in <see cref="SeedAliceAsync"/>, plus a virtual card, a display name on the achievements,
    /// a points transfer to Bob and a household she owns and Bob joined: the stores that can erase a
    /// member but not move one to another id.
    /// </summary>
    public async Task<MemberProfile> SeedAliceEverywhereAsync()
    {
        var alice = await SeedAliceAsync();
        await IssueCardAsync(Alice, "app install alice");
        await AchievementService.SetDisplayNameAsync(Alice, "Alice D.");
        (await Transfers.TransferAsync(new PointsTransfer(TransferId.From("T-1"), Alice, Bob, Points.FromInt64(10)) { Message = "from alice, happy birthday" })).GetValueOrThrow();
        (await Households.CreateAsync(Club, HouseholdId.From("H-1"), Alice, Now)).Should().Be(HouseholdWriteStatus.Done);
        (await Households.AddMemberAsync(Club, HouseholdId.From("H-1"), Bob, Now, 6)).Should().Be(HouseholdWriteStatus.Done);
        return alice;
    }

    /// <summary>Every account's figures added up: the programme's outstanding points and lifetime totals.</summary>
    public async Task<(long Outstanding, long Earned, long Redeemed, long Held, int Accounts)> TotalsAsync()
    {
        var source = (ILedgerSnapshotSource)LedgerStore;
        long outstanding = 0, earned = 0, redeemed = 0, held = 0;
        var accounts = 0;
        for (MemberId? after = null; ;)
        {
            var page = await source.ReadAccountSnapshotsAsync(Club, after, 100);
            foreach (var snapshot in page)
            {
                var head = snapshot.Head!;
                outstanding += head.LotPoints - head.Debt;
                earned += head.Earned;
                redeemed += head.Redeemed;
                held += head.HeldSnapshot;
                accounts++;
            }

            if (page.Count < 100)
            {
                return (outstanding, earned, redeemed, held, accounts);
            }

            after = page[^1].Head!.MemberId;
        }
    }

    public void Dispose()
    {
        scope.Dispose();
        root.Dispose();
    }
}

/// <summary>Walks every field of an object graph and collects what could identify a member: text, dates.</summary>
public static class MemoryScan
{
    public static IReadOnlyList<string> Find(IEnumerable<object> roots, IReadOnlyList<string> needles, IReadOnlyList<LocalDate> dates)
    {
        var found = new List<string>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(object Value, string Path)>();
        foreach (var root in roots)
        {
            stack.Push((root, root.GetType().Name));
        }

        while (stack.Count > 0)
        {
            var (value, path) = stack.Pop();
            var type = value.GetType();
            if (value is string text)
            {
                foreach (var needle in needles)
                {
                    if (text.Contains(needle, StringComparison.OrdinalIgnoreCase))
                    {
                        found.Add($"{path} = \"{text}\"");
                    }
                }

                continue;
            }

            if (value is LocalDate date)
            {
                if (dates.Contains(date))
                {
                    found.Add($"{path} = {date}");
                }

                continue;
            }

            if (type.IsPrimitive || type.IsEnum || value is Type || value is Delegate || value is Pointer
                || type.Namespace is { } ns && (ns.StartsWith("NodaTime", StringComparison.Ordinal) || ns.StartsWith("System.Threading", StringComparison.Ordinal) || ns.StartsWith("System.Reflection", StringComparison.Ordinal) || ns.StartsWith("Microsoft.Extensions", StringComparison.Ordinal)))
            {
                continue;
            }

            if (!type.IsValueType && !seen.Add(value))
            {
                continue;
            }

            if (value is Array array)
            {
                if (type.GetElementType() is { IsPrimitive: true })
                {
                    continue;
                }

                var i = 0;
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        stack.Push((item, $"{path}[{i}]"));
                    }

                    i++;
                }

                continue;
            }

            for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            {
                foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (field.FieldType.IsPointer || field.FieldType.IsByRefLike)
                    {
                        continue;
                    }

                    if (field.GetValue(value) is { } child)
                    {
                        stack.Push((child, path + "." + field.Name));
                    }
                }
            }
        }

        return found;
    }
}
