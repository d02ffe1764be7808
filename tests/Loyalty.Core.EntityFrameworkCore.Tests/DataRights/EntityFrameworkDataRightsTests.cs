using System.Globalization;
using System.Text;
using Loyalty.Core.Achievements;
using Loyalty.Core.Cards;
using Loyalty.Core.DataRights;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.Engagement;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Households;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Loyalty.Core.Transfers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.EntityFrameworkCore.Tests.DataRights;

/// <summary>
/// Members' data rights on the EF Core stores: a member with a record in every table is erased through
/// <see cref="DataRightsService"/>, then every column of every loyalty table of the EF model is read back
/// and must hold nothing of the member (its id, birth date, referral code, the ids and free text that
/// name it), while the books stay exact; a later call for the id is answered <see cref="LoyaltyErrorCode.MemberErased"/>.
/// Each test has a database of its own, so the scan reads everything in it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EntityFrameworkDataRightsTests(PostgresServerFixture fixture)
{
    private static readonly MemberId Alice = MemberId.From("alice@example.com");
    private static readonly MemberId Bob = MemberId.From("bob@example.com");
    private static readonly Instant Now = Instant.FromUtc(2026, 3, 2, 10, 0);
    private static readonly RewardDefinition Voucher = RewardDefinition.AmountOffVoucher(RewardId.From("voucher-5"), "5 € voucher", Points.FromInt64(500), Money.FromDecimal(5m, Currency.EUR)).WithStock(100);
    private static readonly AchievementSet Achievements = AchievementSet.FromJson("""{ "achievements": [ { "id": "critic", "name": "Critic", "kind": "activityCount", "activity": "review", "target": 5, "bonusPoints": 50 } ] }""");
    private static readonly string MarkerKey = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray());

    /// <summary>The tables the member and ledger stores keep; empty here when those stores are in memory.</summary>
    private static readonly string[] MemberAndLedgerTables = ["members", "member_histories", "member_orders", "member_refunds", "member_activities", "ledger_accounts", "ledger_transactions", "ledger_movements", "ledger_lots", "ledger_holds"];

    [Fact]
    public async Task Erasure_leaves_nothing_of_the_member_in_any_column_of_the_other_stores_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await ErasureScenarioAsync(o => o.UseSqlite(database.ConnectionString), memberAndLedgerInMemory: true);
    }

    [PostgresFact]
    public async Task Erasure_leaves_nothing_of_the_member_in_any_column_of_the_other_stores_on_PostgreSQL()
    {
        var database = fixture.Database("rights-" + Guid.NewGuid().ToString("N")[..12], LoyaltyModelOptions.Default);
        await ErasureScenarioAsync(o => o.UseNpgsql(database.ConnectionString), memberAndLedgerInMemory: true);
    }

    [EntityFrameworkMemberDataFact]
    public async Task Erasure_leaves_nothing_of_the_member_in_any_column_of_any_table_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await ErasureScenarioAsync(o => o.UseSqlite(database.ConnectionString), memberAndLedgerInMemory: false);
    }

    [EntityFrameworkMemberDataFact(postgres: true)]
    public async Task Erasure_leaves_nothing_of_the_member_in_any_column_of_any_table_on_PostgreSQL()
    {
        var database = fixture.Database("rights-" + Guid.NewGuid().ToString("N")[..12], LoyaltyModelOptions.Default);
        await ErasureScenarioAsync(o => o.UseNpgsql(database.ConnectionString), memberAndLedgerInMemory: false);
    }

    [EntityFrameworkMemberDataFact]
    public async Task An_order_racing_the_erasure_lands_before_it_and_is_erased_or_is_refused_as_erased_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await ConcurrentOrdersScenarioAsync(o => o.UseSqlite(database.ConnectionString), rounds: 3);
    }

    [EntityFrameworkMemberDataFact(postgres: true)]
    public async Task An_order_racing_the_erasure_lands_before_it_and_is_erased_or_is_refused_as_erased_on_PostgreSQL()
    {
        var database = fixture.Database("rights-" + Guid.NewGuid().ToString("N")[..12], LoyaltyModelOptions.Default);
        await ConcurrentOrdersScenarioAsync(o => o.UseNpgsql(database.ConnectionString), rounds: 5);
    }

    [Fact]
    public void The_EF_Core_adapter_registers_the_audit_and_the_erasure_markers_in_tables()
    {
        using var database = new SqliteDatabase();
        using var root = Build(o => o.UseSqlite(database.ConnectionString), "club", memberAndLedgerInMemory: true);
        using var scope = root.CreateScope();

        scope.ServiceProvider.GetRequiredService<IDataRightsAuditStore>().Should().BeOfType<EntityFrameworkDataRightsAuditStore>();
        scope.ServiceProvider.GetRequiredService<IErasedMemberStore>().Should().BeOfType<EntityFrameworkErasedMemberStore>();
        scope.ServiceProvider.GetRequiredService<ErasedMembers>().Should().NotBeNull();
        scope.ServiceProvider.GetRequiredService<IRewardCatalogStore>().Should().BeAssignableTo<IRedemptionDataStore>().And.BeAssignableTo<IRewardCodeDataStore>();
        scope.ServiceProvider.GetRequiredService<ICampaignBudgetStore>().Should().BeAssignableTo<ICampaignBudgetDataStore>();
        scope.ServiceProvider.GetRequiredService<IConsentStore>().Should().BeAssignableTo<IConsentDataStore>();
        scope.ServiceProvider.GetRequiredService<IContactHistoryStore>().Should().BeAssignableTo<IContactHistoryDataStore>();
    }

    private async Task ErasureScenarioAsync(Action<DbContextOptionsBuilder> provider, bool memberAndLedgerInMemory)
    {
        var programId = "club-" + Guid.NewGuid().ToString("N")[..8];
        await using var root = Build(provider, programId, memberAndLedgerInMemory);
        var request = new DataRightsRequest("TICKET-813", "dpo@shop.example");

        // Alice with a record in every store; Bob, whom she referred, with his own.
        string referralCode;
        (long Used, long Claimed) booksBefore;
        await using (var scope = root.CreateAsyncScope())
        {
            var services = scope.ServiceProvider;
            var program = services.GetRequiredService<LoyaltyProgram>();
            await program.PublishRuleSetAsync(Rules);
            await program.PublishRewardAsync(Voucher);
            var alice = (await program.EnrolAsync(new Enrolment(Alice) { BirthDate = new LocalDate(1987, 11, 23) })).GetValueOrThrow();
            referralCode = alice.ReferralCode.Value;
            (await program.EnrolAsync(new Enrolment(Bob) { ReferralCode = alice.ReferralCode })).GetValueOrThrow();
            (await program.RecordOrderAsync(new EarningOrder(OrderId.From("ORD-alice-1"), Alice, Now, Currency.EUR, [new OrderLine("SKU-DRESS", 1, 600m), new OrderLine("SKU-SCARF", 2, 25m)], coupons: ["ALICE10"]))).GetValueOrThrow();
            (await program.RecordOrderAsync(new EarningOrder(OrderId.From("ORD-bob-1"), Bob, Now, Currency.EUR, [new OrderLine("SKU-SHOES", 1, 80m)]))).GetValueOrThrow();
            (await program.RecordActivityAsync(ActivityId.From("review-alice-1"), new ActivityInput(ActivityKind.Review, Alice, Now))).GetValueOrThrow();
            (await program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-alice-1"))).GetValueOrThrow();
            var engagement = services.GetRequiredService<EngagementService>();
            await engagement.RecordConsentAsync(Alice, EngagementChannel.Email, ConsentStatus.Granted, "signup form alice@example.com", Now);
            await engagement.RecordContactAsync(new ContactRecord { ProgramId = ProgramId.From(programId), MessageId = "mail-alice@example.com-1", MemberId = Alice, Channel = EngagementChannel.Email, Category = MessageCategory.Marketing, MessageType = "welcome", SentAt = Now });
            await services.GetRequiredService<LoyaltyAchievements>().SetDisplayNameAsync(Alice, "Alice D.");
            (await services.GetRequiredService<PointsTransferService>().TransferAsync(new PointsTransfer(TransferId.From("T-1"), Alice, Bob, Points.FromInt64(10)) { Message = "from alice, happy birthday" })).GetValueOrThrow();
            var households = services.GetRequiredService<IHouseholdStore>();
            (await households.CreateAsync(ProgramId.From(programId), HouseholdId.From("H-1"), Alice, Now)).Should().Be(HouseholdWriteStatus.Done);
            (await households.AddMemberAsync(ProgramId.From(programId), HouseholdId.From("H-1"), Bob, Now, 6)).Should().Be(HouseholdWriteStatus.Done);
            var card = new CardRecord
            {
                ProgramId = ProgramId.From(programId),
                Number = services.GetRequiredService<CardNumberScheme>().FromSerial(42),
                MemberId = Alice,
                Kind = CardKind.Virtual,
                Status = CardStatus.Active,
                Version = 1,
                History = [new CardStatusChange(CardEvent.Issued, Now, "app install")],
            };
            (await services.GetRequiredService<ICardStore>().AddCardAsync(card)).Should().Be(CardWriteStatus.Written);
            (await services.GetRequiredService<DataRightsService>().ExportAsync(Alice, Stream.Null, new DataRightsRequest("TICKET-812", "dpo@shop.example"))).Status.Should().Be(DataRightsStatus.Completed);
            booksBefore = await BooksAsync(services, programId);
        }

        string[] needles = ["alice", "1987-11-23", referralCode];
        await using (var scope = root.CreateAsyncScope())
        {
            // The scan sees the member where the stores keep it: it is a scan that can fail.
            var before = await ScanAsync(scope.ServiceProvider.GetRequiredService<ShopContext>(), needles);
            var expected = new List<string> { "reward_redemptions", "reward_codes", "member_consents", "contact_history", "data_rights_audit", "member_achievements", "points_transfers", "household_members", "households", "cards" };
            if (!memberAndLedgerInMemory)
            {
                expected.AddRange(["members", "member_orders", "member_activities", "ledger_accounts", "ledger_transactions"]);
            }

            before.Select(f => f.Table).Distinct().Should().Contain(expected.Select(t => "loyalty_" + t));

            var erased = await scope.ServiceProvider.GetRequiredService<DataRightsService>().EraseAsync(Alice, request);
            erased.Status.Should().Be(DataRightsStatus.Completed, erased.Message);
        }

        await using (var scope = root.CreateAsyncScope())
        {
            var services = scope.ServiceProvider;
            var left = await ScanAsync(services.GetRequiredService<ShopContext>(), needles);
            if (memberAndLedgerInMemory)
            {
                // Those tables are not used here (their stores are in memory); every row is checked otherwise.
                left.Select(f => f.Table).Should().NotIntersectWith(MemberAndLedgerTables.Select(t => "loyalty_" + t));
            }

            left.Should().BeEmpty("no column of any loyalty table may hold the erased member's id or personal data");

            // The books are exact: campaign budget usage and reward stock claimed are where they were.
            (await BooksAsync(services, programId)).Should().Be(booksBefore);

            // Later calls for the id: the erased code, not "not enrolled"; the erasure again: already erased.
            var program = services.GetRequiredService<LoyaltyProgram>();
            var order = await program.RecordOrderAsync(new EarningOrder(OrderId.From("ORD-alice-2"), Alice, Now, Currency.EUR, [new OrderLine("SKU-HAT", 1, 30m)]));
            order.ErrorCode.Should().Be(LoyaltyErrorCode.MemberErased);
            order.Error!.Message.Should().Be("Member 'alice@example.com' was erased from the programme at their request; nothing was recorded. Do not enrol the id again automatically.");
            (await program.GetMemberSummaryAsync(Alice)).ErrorCode.Should().Be(LoyaltyErrorCode.MemberErased);
            (await program.GetMemberSummaryAsync(MemberId.From("nobody@example.com"))).ErrorCode.Should().Be(LoyaltyErrorCode.MemberNotFound);
            (await program.GetMemberSummaryAsync(Bob)).Succeeded.Should().BeTrue();

            var again = await services.GetRequiredService<DataRightsService>().EraseAsync(Alice, new DataRightsRequest("TICKET-900", "dpo@shop.example"));
            again.Status.Should().Be(DataRightsStatus.AlreadyErased);
            again.Message.Should().Be($"Member 'alice@example.com' was already erased from programme '{programId}'; nothing of it is left.");
            (await services.GetRequiredService<DataRightsService>().EraseAsync(Alice, request)).Status.Should().Be(DataRightsStatus.AlreadyCompleted);
        }
    }

    /// <summary>
    /// Orders of a member race its erasure, each in its own scope (its own context and transaction): every
    /// order either lands before the erasure (and is erased with the member: its points stay in the books,
    /// under the pseudonym) or is refused with <see cref="LoyaltyErrorCode.MemberErased"/> and writes nothing;
    /// none is half written, and nothing of the member is left in any column.
    /// </summary>
    private async Task ConcurrentOrdersScenarioAsync(Action<DbContextOptionsBuilder> provider, int rounds)
    {
        var programId = "club-" + Guid.NewGuid().ToString("N")[..8];
        await using var root = Build(provider, programId, memberAndLedgerInMemory: false);
        await using (var scope = root.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().PublishRuleSetAsync(Rules);
        }

        for (var round = 0; round < rounds; round++)
        {
            var member = MemberId.From($"carol-{round}@example.com");
            await using (var scope = root.CreateAsyncScope())
            {
                (await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().EnrolAsync(new Enrolment(member))).GetValueOrThrow();
            }

            var before = await BooksOfEveryAccountAsync(root, programId);
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var orders = Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
            {
                await go.Task;
                for (var attempt = 1; ; attempt++)
                {
                    await using var scope = root.CreateAsyncScope();
                    try
                    {
                        return await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(
                            new EarningOrder(OrderId.From($"ORD-carol-{round}-{i}"), member, Now, Currency.EUR, [new OrderLine("SKU-HAT", 1, 40m + i)]));
                    }
                    catch (LoyaltyStoreException fault) when (fault.IsTransient && attempt < 10)
                    {
                        // The database aborted the order's transaction (a deadlock with the erasure): nothing of it
                        // was kept, and the shop's webhook retries it, as it would any transient fault.
                    }
                }
            })).ToArray();
            var erasure = Task.Run(async () =>
            {
                await go.Task;
                await using var scope = root.CreateAsyncScope();
                return await scope.ServiceProvider.GetRequiredService<DataRightsService>().EraseAsync(member, new DataRightsRequest($"DEL-{round}", "dpo@shop.example"));
            });
            go.SetResult();
            var results = await Task.WhenAll(orders);
            var erased = await erasure;

            erased.Status.Should().Be(DataRightsStatus.Completed, erased.Message);
            results.Should().OnlyContain(r => r.Succeeded || r.ErrorCode == LoyaltyErrorCode.MemberErased, $"round {round}: an order lands whole or is refused as erased");
            var landed = results.Where(r => r.Succeeded).Select(r => r.Value!).ToArray();
            var after = await BooksOfEveryAccountAsync(root, programId);
            after.Orders.Should().Be(before.Orders + landed.Length, $"round {round}: each landed order is kept once (under the pseudonym), a refused one not at all");
            after.Earned.Should().Be(before.Earned + landed.Sum(r => r.Points.Value), $"round {round}: the books hold exactly the landed orders' points");

            await using (var scope = root.CreateAsyncScope())
            {
                (await ScanAsync(scope.ServiceProvider.GetRequiredService<ShopContext>(), [member.Value, $"ORD-carol-{round}"])).Should().BeEmpty($"round {round}: orders {string.Join(", ", results.Select(r => r.Succeeded ? "landed" : r.ErrorCode.ToString()))}, erasure: {erased.Message}");
                (await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(
                    new EarningOrder(OrderId.From($"ORD-carol-{round}-late"), member, Now, Currency.EUR, [new OrderLine("SKU-HAT", 1, 40m)]))).ErrorCode.Should().Be(LoyaltyErrorCode.MemberErased);
            }
        }
    }

    /// <summary>The orders recorded in the programme and the points every account earned, added up.</summary>
    private static async Task<(int Orders, long Earned)> BooksOfEveryAccountAsync(ServiceProvider root, string programId)
    {
        await using var scope = root.CreateAsyncScope();
        var program = ProgramId.From(programId);
        var orders = await scope.ServiceProvider.GetRequiredService<ShopContext>().Set<Loyalty.Core.EntityFrameworkCore.Programs.OrderRow>().CountAsync(o => o.ProgramId == programId);
        var source = (ILedgerSnapshotSource)scope.ServiceProvider.GetRequiredService<ILedgerStore>();
        long earned = 0;
        for (MemberId? after = null; ;)
        {
            var page = await source.ReadAccountSnapshotsAsync(program, after, 100);
            earned += page.Sum(s => s.Head?.Earned ?? 0);
            if (page.Count < 100)
            {
                return (orders, earned);
            }

            after = page[^1].Head!.MemberId;
        }
    }

    /// <summary>The figures erasure must not move: every rule's campaign budget usage and every reward's units claimed.</summary>
    private static async Task<(long Used, long Claimed)> BooksAsync(IServiceProvider services, string programId)
    {
        var usage = await services.GetRequiredService<ICampaignBudgetStore>().GetUsageAsync(ProgramId.From(programId), RuleId.From("spring"), TransactionId.From("none"));
        var claimed = await services.GetRequiredService<IRewardCatalogStore>().CountClaimedAsync(ProgramId.From(programId), Voucher.Id);
        usage.Used.Value.Should().BeGreaterThan(0);
        claimed.Should().Be(1);
        return (usage.Used.Value, claimed);
    }

    /// <summary>Reads every column of every loyalty table of the EF model (whatever the provider) and returns the values holding a needle.</summary>
    private static async Task<List<(string Table, string Column, string Value)>> ScanAsync(DbContext context, IReadOnlyList<string> needles)
    {
        var sql = context.GetService<ISqlGenerationHelper>();
        var found = new List<(string, string, string)>();
        var connection = context.Database.GetDbConnection();
        await context.Database.OpenConnectionAsync();
        try
        {
            var tables = context.Model.GetEntityTypes()
                .Where(e => e.ClrType.Namespace!.StartsWith("Loyalty.Core.EntityFrameworkCore", StringComparison.Ordinal) && e.GetTableName() is not null)
                .ToList();
            tables.Should().HaveCountGreaterThan(30, "the scan covers the whole loyalty model");
            foreach (var entity in tables)
            {
                var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
                var columns = entity.GetProperties().Select(p => p.GetColumnName(table)!).ToArray();
                await using var command = connection.CreateCommand();
                command.CommandText = $"SELECT {string.Join(", ", columns.Select(c => sql.DelimitIdentifier(c)))} FROM {sql.DelimitIdentifier(table.Name, table.Schema)}";
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    for (var i = 0; i < columns.Length; i++)
                    {
                        if (await reader.IsDBNullAsync(i))
                        {
                            continue;
                        }

                        var value = reader.GetValue(i) switch
                        {
                            byte[] bytes => Encoding.UTF8.GetString(bytes) + " " + Convert.ToHexString(bytes),
                            var other => Convert.ToString(other, CultureInfo.InvariantCulture) ?? "",
                        };
                        if (needles.Any(n => value.Contains(n, StringComparison.OrdinalIgnoreCase)))
                        {
                            found.Add((table.Name, columns[i], value));
                        }
                    }
                }
            }
        }
        finally
        {
            await context.Database.CloseConnectionAsync();
        }

        return found;
    }

    private static EarningRuleSet Rules { get; } = new EarningRuleSetBuilder("2024-01", Instant.FromUtc(2024, 1, 1, 0, 0), Currency.EUR, "Europe/Paris")
        .EarnPerUnit("base", 1m)
        .FixedBonus("spring", 150, configure: r => r with { Caps = new RuleCaps { CampaignBudget = Points.FromInt64(10_000) } })
        .Activity("welcome", ActivityKind.SignUp, 100)
        .Activity("referral", ActivityKind.ReferralCompleted, 200)
        .Activity("review", ActivityKind.Review, 10)
        .Build();

    private static ServiceProvider Build(Action<DbContextOptionsBuilder> provider, string programId, bool memberAndLedgerInMemory)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FakeClock(Now));
        services.AddSingleton(LoyaltyModelOptions.Default);
        services.AddDbContext<ShopContext>(provider);
        services.AddLoyalty(o =>
        {
            o.ProgramId = programId;
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.Zero;
            o.Referral.RefereePoints = 50;
            o.Referral.MinimumOrderAmount = 20m;
        })
            .UseEntityFrameworkCore<ShopContext>()
            .AddEngagement()
            .AddCards(o =>
            {
                o.Prefix = "400638";
                o.Length = 13;
                o.CheckDigit = CheckDigitAlgorithm.Ean13;
            })
            .AddAchievements(Achievements)
            .AddPointsTransfers()
            .AddHouseholds()
            .AddDataRights(o =>
            {
                o.ErasureMarkerKey = MarkerKey;
                o.MaxAttempts = 20;
            });
        if (memberAndLedgerInMemory)
        {
            // Every other store stays on EF Core (and the data-rights service scoped with it).
            services.Replace(ServiceDescriptor.Singleton<IMemberStore>(new InMemoryMemberStore()));
            services.Replace(ServiceDescriptor.Singleton<ILedgerStore>(new InMemoryLedgerStore()));
        }

        return services.BuildServiceProvider(validateScopes: true);
    }
}
