using System.Data.Common;
using System.Text.Json;
using Loyalty.Core.DataRights;
using Loyalty.Core.Earning;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static Loyalty.Core.EntityFrameworkCore.Tests.DataRights.DataRightsShop;

namespace Loyalty.Core.EntityFrameworkCore.Tests.DataRights;

/// <summary>
/// Members' data rights through <see cref="DataRightsService"/> on the EF Core member and ledger stores,
/// on SQLite and PostgreSQL: export, erasure (the account re-keyed under a pseudonym, its hash chain sealed
/// again, the append-only guards passed only that way), rectification and merge, with the books unchanged.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EntityFrameworkMemberAndLedgerDataRightsTests(PostgresServerFixture fixture)
{
    /// <summary>The member and ledger tables (without prefix), which the member and ledger stores write.</summary>
    private static readonly string[] MemberAndLedgerTables =
    [
        "members", "member_histories", "member_orders", "member_refunds", "member_activities",
        "ledger_accounts", "ledger_transactions", "ledger_movements", "ledger_lots", "ledger_holds",
    ];

    // ------------------------------------------------------------------------------------------ export

    [Fact]
    public async Task The_export_holds_every_member_and_ledger_record_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
        await ExportScenarioAsync(shop);
    }

    [PostgresFact]
    public async Task The_export_holds_every_member_and_ledger_record_on_PostgreSQL()
    {
        var database = fixture.Database("rights", LoyaltyModelOptions.Default);
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseNpgsql(database.ConnectionString));
        await ExportScenarioAsync(shop);
    }

    // ----------------------------------------------------------------------------------------- erasure

    [Fact]
    public async Task Erasure_rekeys_the_member_and_the_account_and_keeps_the_books_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
        await ErasureScenarioAsync(shop, () => new SqliteConnection(database.ConnectionString), database.Loyalty);

        // The guards are back: a hand-written DELETE of the pseudonym's transactions is refused.
        await using var connection = new SqliteConnection(database.ConnectionString);
        var pseudonym = (await shop.AccountsAsync()).Single(m => m.Value.StartsWith(MemberDataRewrite.ErasedPrefix, StringComparison.Ordinal));
        (await FluentActions.Awaiting(() => ExecuteAsync(connection, $"DELETE FROM loyalty_ledger_transactions WHERE member_id = '{pseudonym}'")).Should().ThrowAsync<SqliteException>())
            .Which.Message.Should().Be("SQLite Error 19: 'The loyalty ledger table loyalty_ledger_transactions is append-only: DELETE is refused.'.");
    }

    [PostgresFact]
    public async Task Erasure_rekeys_the_member_and_the_account_and_keeps_the_books_on_PostgreSQL()
    {
        var database = fixture.Database("rights", LoyaltyModelOptions.Default);
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseNpgsql(database.ConnectionString));
        await ErasureScenarioAsync(shop, () => new NpgsqlConnection(database.ConnectionString), database.Loyalty);
    }

    [Fact]
    public async Task Erasure_in_memory_keeps_the_same_books_as_on_the_databases()
    {
        await using var shop = DataRightsShop.InMemory();
        await ErasureScenarioAsync(shop, null, null);
    }

    // ---------------------------------------------------------------------------------- rectification

    [Fact]
    public async Task Rectification_moves_the_member_with_its_history_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
        await RectificationScenarioAsync(shop);
    }

    [PostgresFact]
    public async Task Rectification_moves_the_member_with_its_history_on_PostgreSQL()
    {
        var database = fixture.Database("rights", LoyaltyModelOptions.Default);
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseNpgsql(database.ConnectionString));
        await RectificationScenarioAsync(shop);
    }

    // ------------------------------------------------------------------------------------------ merge

    [Fact]
    public async Task Merging_moves_the_available_points_with_a_ledger_trail_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
        await MergeScenarioAsync(shop);
    }

    [PostgresFact]
    public async Task Merging_moves_the_available_points_with_a_ledger_trail_on_PostgreSQL()
    {
        var database = fixture.Database("rights", LoyaltyModelOptions.Default);
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseNpgsql(database.ConnectionString));
        await MergeScenarioAsync(shop);
    }

    // ----------------------------------------------------------------------------- long histories

    [Fact]
    public async Task An_account_longer_than_one_command_is_erased_whole_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
        await LongHistoryScenarioAsync(shop);
    }

    [PostgresFact]
    public async Task An_account_longer_than_one_command_is_erased_whole_on_PostgreSQL()
    {
        var database = fixture.Database("rights", LoyaltyModelOptions.Default);
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseNpgsql(database.ConnectionString));
        await LongHistoryScenarioAsync(shop);
    }

    // ------------------------------------------------------------------------------ racing orders

    [Fact]
    public async Task An_erasure_racing_orders_of_the_member_leaves_each_order_either_erased_whole_or_refused_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseSqlite(database.ConnectionString), o => o.MaxAttempts = 50);
        await RaceScenarioAsync(shop);
    }

    [PostgresFact]
    public async Task An_erasure_racing_orders_of_the_member_leaves_each_order_either_erased_whole_or_refused_on_PostgreSQL()
    {
        var database = fixture.Database("rights", LoyaltyModelOptions.Default);
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseNpgsql(database.ConnectionString), o => o.MaxAttempts = 50);
        await RaceScenarioAsync(shop);
    }

    // ------------------------------------------------------------------------------------ scenarios

    private static async Task LongHistoryScenarioAsync(DataRightsShop shop)
    {
        await shop.SeedAsync();
        await shop.InScopeAsync(async sp =>
        {
            var ledger = sp.GetRequiredService<PointsLedger>();
            for (var i = 0; i < 450; i++)
            {
                (await ledger.EarnAsync(new EarnPoints(TransactionId.From($"bonus-{i}"), Alice, Points.FromInt64(1)))).Succeeded.Should().BeTrue();
                (await ledger.RedeemAsync(new RedeemPoints(TransactionId.From($"spend-{i}"), Alice, Points.FromInt64(1)))).Succeeded.Should().BeTrue();
            }
        });
        var totals = await shop.TotalsAsync();
        var transactions = await shop.TransactionsAsync(Alice);
        transactions.Count.Should().BeGreaterThan(900);

        (await shop.EraseAsync(Alice, "ERASE-LONG")).Status.Should().Be(DataRightsStatus.Completed);

        (await shop.TotalsAsync()).Should().Be(totals);
        var pseudonym = (await shop.AccountsAsync()).Single(m => m.Value.StartsWith(MemberDataRewrite.ErasedPrefix, StringComparison.Ordinal));
        var verification = await shop.VerifyAccountAsync(pseudonym);
        verification.IsIntact.Should().BeTrue(verification.FirstBreak?.Message);
        verification.TransactionsChecked.Should().Be(transactions.Count);
        (await shop.TransactionsAsync(pseudonym)).Sum(t => t.Movements.Count).Should().Be(transactions.Sum(t => t.Movements.Count));
    }

    private static async Task RaceScenarioAsync(DataRightsShop shop)
    {
        await shop.SeedAsync();
        var before = await shop.TotalsAsync();
        var ordersBefore = (await shop.HistoryAsync(Alice)).Orders.Count;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var placed = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            await start.Task;
            var order = new EarningOrder(OrderId.From("RACE-" + i), Alice, shop.Now, Currency.EUR, [new OrderLine("SKU-RACE", 1, 100m)]);
            return await shop.InScopeAsync(async sp => await sp.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(order));
        })).ToArray();
        var erase = Task.Run(async () =>
        {
            await start.Task;
            return await shop.EraseAsync(Alice, "ERASE-RACE");
        });
        start.SetResult();
        var erased = await erase;
        var results = await Task.WhenAll(placed);

        erased.Status.Should().Be(DataRightsStatus.Completed, erased.Message);
        results.Where(r => !r.Succeeded).Select(r => r.ErrorCode).Should().BeSubsetOf([LoyaltyErrorCode.MemberNotFound], "an order after the erasure finds no member");
        var landed = results.Count(r => r.Succeeded);
        (await shop.InScopeAsync(sp => sp.GetRequiredService<DataRightsService>().HoldsDataAsync(Alice))).Should().BeFalse();
        for (var i = 0; i < results.Length; i++)
        {
            (await shop.InScopeAsync(async sp => await sp.GetRequiredService<IMemberStore>().GetOrderAsync(shop.ProgramId, OrderId.From("RACE-" + i)))).Should().BeNull("an order that landed was erased with its id, one refused was never written");
        }

        // Each order that landed is whole under the pseudonym: its record, and its points in the ledger.
        var after = await shop.TotalsAsync();
        after.Accounts.Should().Be(before.Accounts);
        after.Earned.Should().Be(before.Earned + (100 * landed));
        after.Outstanding.Should().Be(before.Outstanding + (100 * landed));
        var pseudonym = (await shop.AccountsAsync()).Should().ContainSingle(m => m.Value.StartsWith(MemberDataRewrite.ErasedPrefix, StringComparison.Ordinal)).Which;
        var history = await shop.HistoryAsync(pseudonym);
        history.Orders.Should().HaveCount(ordersBefore + landed);
        var ledger = (await shop.TransactionsAsync(pseudonym)).Select(t => t.Id).ToHashSet();
        history.Orders.Should().OnlyContain(o => ledger.Contains(o.TransactionId));
        (await shop.VerifyProgramAsync()).IsIntact.Should().BeTrue();
    }


    private static async Task ExportScenarioAsync(DataRightsShop shop)
    {
        await shop.SeedAsync();
        var history = await shop.HistoryAsync(Alice);
        var contents = await shop.ContentsAsync(Alice);
        var transactions = await shop.TransactionsAsync(Alice);

        using var stream = new MemoryStream();
        var result = await shop.InScopeAsync(sp => sp.GetRequiredService<DataRightsService>().ExportAsync(Alice, stream, Request("EXPORT-1")));
        result.Status.Should().Be(DataRightsStatus.Completed, result.Message);

        using var document = JsonDocument.Parse(stream.ToArray());
        var sections = document.RootElement.GetProperty("sections");
        var member = sections.GetProperty("member");
        member.GetProperty("profile").GetProperty("memberId").GetString().Should().Be(Alice.Value);
        member.GetProperty("profile").GetProperty("birthDate").GetString().Should().Be("1987-11-23");
        member.GetProperty("referralsGiven").GetArrayLength().Should().Be(1);
        member.GetProperty("orders").EnumerateArray().Select(o => o.GetProperty("orderId").GetString()).Should().Equal(history.Orders.Select(o => o.OrderId.Value));
        member.GetProperty("orders")[0].GetProperty("lines").GetArrayLength().Should().Be(2);
        member.GetProperty("orders")[0].GetProperty("coupons")[0].GetString().Should().Be("ALICE10");
        member.GetProperty("refunds").EnumerateArray().Select(r => r.GetProperty("refundId").GetString()).Should().Equal("R-1");
        member.GetProperty("activities").EnumerateArray().Select(a => a.GetProperty("activityId").GetString())
            .Should().Equal(history.Activities.Select(a => ExportedId(a.ActivityId.Value))).And.Contain("review-alice-1").And.Contain("referral:#1");

        var ledger = sections.GetProperty("ledger");
        ledger.GetProperty("account").GetProperty("version").GetInt64().Should().Be(contents.Head!.Version);
        ledger.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transactionId").GetString())
            .Should().Equal(transactions.Select(t => ExportedId(t.Id.Value)));
        ledger.GetProperty("lots").GetArrayLength().Should().Be(contents.Lots.Count);
        ledger.GetProperty("holds").EnumerateArray().Select(h => (h.GetProperty("holdId").GetString(), h.GetProperty("status").GetString()))
            .Should().Equal(("hold-A-2", "Open"), ("hold-A-3", "Released"));
        document.RootElement.GetProperty("counts").GetProperty("ledger").GetInt32().Should().Be(transactions.Count + contents.Lots.Count + contents.Holds.Count);
        document.RootElement.GetProperty("counts").GetProperty("member").GetInt32().Should().Be(1 + 1 + history.Orders.Count + history.Refunds.Count + history.Activities.Count);
        System.Text.Encoding.UTF8.GetString(stream.ToArray()).Should().NotContain(Bob.Value, "other members are never named");

        static string ExportedId(string id) => id.Contains(Bob.Value, StringComparison.Ordinal) ? id.Replace("referral:" + Bob.Value, "referral:#1", StringComparison.Ordinal) : id;
    }

    private static async Task ErasureScenarioAsync(DataRightsShop shop, Func<DbConnection>? connect, LoyaltyModelOptions? loyalty)
    {
        await shop.SeedAsync();
        var totals = await shop.TotalsAsync();
        var bob = await shop.BalanceAsync(Bob);
        var alice = await shop.BalanceAsync(Alice);
        var aliceHistory = await shop.HistoryAsync(Alice);
        var aliceTransactions = await shop.TransactionsAsync(Alice);
        var aliceContents = await shop.ContentsAsync(Alice);
        var bobVersion = (await shop.MemberAsync(Bob))!.Version;

        var erased = await shop.EraseAsync(Alice, "ERASE-1");

        erased.Status.Should().Be(DataRightsStatus.Completed, erased.Message);
        erased.Sections["ledger"].Should().Be(aliceTransactions.Count + aliceContents.Lots.Count + aliceContents.Holds.Count);
        erased.Sections["member"].Should().Be(1 + aliceHistory.Orders.Count + aliceHistory.Refunds.Count + aliceHistory.Activities.Count);
        (await shop.InScopeAsync(sp => sp.GetRequiredService<DataRightsService>().HoldsDataAsync(Alice))).Should().BeFalse();
        (await shop.MemberAsync(Alice)).Should().BeNull();
        (await shop.ContentsAsync(Alice)).Head.Should().BeNull();

        // The books: every total, and the other member, to the point.
        (await shop.TotalsAsync()).Should().Be(totals);
        (await shop.BalanceAsync(Bob)).Should().Be(bob);

        // The account lives on under a pseudonym, with the same figures, and its chain verifies.
        var pseudonym = (await shop.AccountsAsync()).Should().ContainSingle(m => m.Value.StartsWith(MemberDataRewrite.ErasedPrefix, StringComparison.Ordinal)).Which;
        var moved = await shop.BalanceAsync(pseudonym);
        (moved.Available, moved.Held, moved.Earned, moved.Redeemed, moved.Adjusted).Should().Be((alice.Available, alice.Held, alice.Earned, alice.Redeemed, alice.Adjusted));
        var verification = await shop.VerifyAccountAsync(pseudonym);
        verification.IsIntact.Should().BeTrue(verification.FirstBreak?.Message);
        verification.TransactionsChecked.Should().Be(aliceTransactions.Count);
        (await shop.VerifyProgramAsync()).IsIntact.Should().BeTrue();
        var movedTransactions = await shop.TransactionsAsync(pseudonym);
        movedTransactions.Select(t => (t.Version, t.Kind, t.Amount, t.RecordedAt, t.Applied)).Should().Equal(aliceTransactions.Select(t => (t.Version, t.Kind, t.Amount, t.RecordedAt, t.Applied)));
        movedTransactions.Should().OnlyContain(t => t.Id.Value.StartsWith(MemberDataRewrite.ErasedPrefix, StringComparison.Ordinal));
        movedTransactions.Should().OnlyContain(t => (t.Reason == null || t.Reason == MemberDataRewrite.ErasedText) && (t.Actor == null || t.Actor == MemberDataRewrite.ErasedText));
        movedTransactions.Should().Contain(t => t.Kind == LedgerTransactionKind.Adjust && t.Reason == MemberDataRewrite.ErasedText && t.Actor == MemberDataRewrite.ErasedText);
        (await shop.ContentsAsync(pseudonym)).Holds.Select(h => (h.Amount, h.Status)).Should().BeEquivalentTo(aliceContents.Holds.Select(h => (h.Amount, h.Status)));

        // The member record and history under the pseudonym, without the personal fields.
        var member = (await shop.MemberAsync(pseudonym))!;
        member.BirthDate.Should().BeNull();
        var history = await shop.HistoryAsync(pseudonym);
        history.Version.Should().Be(aliceHistory.Version);
        history.Orders.Select(o => (o.Order.PlacedAt, o.Order.Lines.Count, o.Earning.Total)).Should().Equal(aliceHistory.Orders.Select(o => (o.Order.PlacedAt, o.Order.Lines.Count, o.Earning.Total)));
        history.Orders.Should().OnlyContain(o => o.Order.Coupons.All(c => !c.Contains("ALICE", StringComparison.OrdinalIgnoreCase)));
        history.Refunds.Should().ContainSingle().Which.OrderId.Should().Be(history.Orders.Single().OrderId);
        history.Activities.Should().HaveCount(aliceHistory.Activities.Count);
        (await shop.InScopeAsync(async sp => await sp.GetRequiredService<ILedgerStore>().FindTransactionAsync(shop.ProgramId, history.Orders.Single().TransactionId)))
            .Should().NotBeNull("an order's transaction id and its ledger transaction still match");

        // Bob was referred by Alice: now by the pseudonym, his version moved on.
        var bobNow = (await shop.MemberAsync(Bob))!;
        bobNow.ReferredBy.Should().Be(pseudonym);
        bobNow.Version.Should().Be(bobVersion + 1);

        // Idempotent: the same request again does nothing; another request finds nothing.
        (await shop.EraseAsync(Alice, "ERASE-1")).Status.Should().Be(DataRightsStatus.AlreadyCompleted);
        (await shop.EraseAsync(Alice, "ERASE-2")).Status.Should().Be(DataRightsStatus.UnknownMember);
        (await shop.TotalsAsync()).Should().Be(totals);

        if (connect is not null)
        {
            (await ScanAsync(connect, loyalty!, shop.ProgramId, ["alice", "1987-11-23"])).Should().BeEmpty("no member or ledger row names the erased member");
        }
    }

    private static async Task RectificationScenarioAsync(DataRightsShop shop)
    {
        await shop.SeedAsync();
        var totals = await shop.TotalsAsync();
        var alice = await shop.BalanceAsync(Alice);
        var aliceHistory = await shop.HistoryAsync(Alice);
        var aliceTransactions = await shop.TransactionsAsync(Alice);
        var renamed = MemberId.From("alice.martin@example.com");

        (await shop.RectifyAsync(Alice, Bob, "RECTIFY-0")).Status.Should().Be(DataRightsStatus.TargetInUse);
        var rectified = await shop.RectifyAsync(Alice, renamed, "RECTIFY-1");

        rectified.Status.Should().Be(DataRightsStatus.Completed, rectified.Message);
        (await shop.MemberAsync(Alice)).Should().BeNull();
        (await shop.ContentsAsync(Alice)).Head.Should().BeNull();
        (await shop.TotalsAsync()).Should().Be(totals);
        var balance = await shop.BalanceAsync(renamed);
        (balance.Available, balance.Held, balance.Earned).Should().Be((alice.Available, alice.Held, alice.Earned));

        var member = (await shop.MemberAsync(renamed))!;
        member.BirthDate.Should().Be(AliceBirthDate, "a rectification keeps the personal fields");
        var history = await shop.HistoryAsync(renamed);
        history.Orders.Select(o => o.OrderId).Should().Equal(aliceHistory.Orders.Select(o => o.OrderId), "orders keep their ids");
        history.Refunds.Select(r => r.RefundId).Should().Equal(RefundId.From("R-1"));
        history.Activities.Select(a => a.ActivityId.Value).Should().Contain("review-alice-1");
        var transactions = await shop.TransactionsAsync(renamed);
        transactions.Select(t => t.Id).Should().Contain(TransactionId.From("hold-A-2"));
        transactions.Should().HaveCount(aliceTransactions.Count);
        (await shop.VerifyAccountAsync(renamed)).IsIntact.Should().BeTrue();
        (await shop.MemberAsync(Bob))!.ReferredBy.Should().Be(renamed);

        // The open hold is captured under the new id; the next refund of the order numbers after the first.
        await shop.InScopeAsync(async sp => (await sp.GetRequiredService<PointsLedger>().CaptureAsync(new CaptureHold(TransactionId.From("capture-A-2"), renamed, TransactionId.From("hold-A-2")))).Succeeded.Should().BeTrue());
        await shop.InScopeAsync(async sp => (await sp.GetRequiredService<LoyaltyProgram>().RecordRefundAsync(
            new RefundRequest(RefundId.From("R-2"), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(0, 1))))).GetValueOrThrow());
        (await shop.HistoryAsync(renamed)).Refunds.Should().HaveCount(2);
        (await shop.VerifyProgramAsync()).IsIntact.Should().BeTrue();

        (await shop.RectifyAsync(Alice, renamed, "RECTIFY-1")).Status.Should().Be(DataRightsStatus.AlreadyCompleted);
    }

    private static async Task MergeScenarioAsync(DataRightsShop shop)
    {
        await shop.SeedAsync();
        var totals = await shop.TotalsAsync();
        var bob = await shop.BalanceAsync(Bob);
        var alice = await shop.BalanceAsync(Alice);

        var merged = await shop.MergeAsync(Bob, Alice, "MERGE-1");

        merged.Status.Should().Be(DataRightsStatus.Completed, merged.Message);
        merged.PointsMoved.Should().Be(bob.Available);
        (await shop.BalanceAsync(Bob)).Available.Should().Be(Points.Zero);
        (await shop.BalanceAsync(Alice)).Available.Should().Be(alice.Available + bob.Available);
        var after = await shop.TotalsAsync();
        (after.Outstanding, after.Earned, after.Redeemed, after.Held, after.Accounts).Should().Be((totals.Outstanding, totals.Earned, totals.Redeemed, totals.Held, totals.Accounts));
        var trail = await shop.TransactionsAsync(Alice);
        trail[^1].Id.Should().Be(TransactionId.From("merge-in:MERGE-1"));
        trail[^1].Reason.Should().Be("merge:MERGE-1");
        (await shop.VerifyProgramAsync()).IsIntact.Should().BeTrue();

        (await shop.MergeAsync(Bob, Alice, "MERGE-1")).Status.Should().Be(DataRightsStatus.AlreadyCompleted);
        (await shop.BalanceAsync(Alice)).Available.Should().Be(alice.Available + bob.Available);
    }

    // ------------------------------------------------------------------------------------- helpers

    /// <summary>Every value of every column of the programme's rows in the member and ledger tables that contains one of <paramref name="needles"/>.</summary>
    internal static async Task<IReadOnlyList<string>> ScanAsync(Func<DbConnection> connect, LoyaltyModelOptions loyalty, ProgramId programId, IReadOnlyList<string> needles)
    {
        var found = new List<string>();
        await using var connection = connect();
        await connection.OpenAsync();
        foreach (var table in MemberAndLedgerTables)
        {
            var name = loyalty.Table(table);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT * FROM " + (loyalty.Schema is null ? "" : "\"" + loyalty.Schema + "\".") + "\"" + name + "\" WHERE program_id = @program";
            var program = command.CreateParameter();
            program.ParameterName = "@program";
            program.Value = programId.Value;
            command.Parameters.Add(program);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.IsDBNull(i) ? "" : reader.GetValue(i) is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "";
                    foreach (var needle in needles)
                    {
                        if (value.Contains(needle, StringComparison.OrdinalIgnoreCase))
                        {
                            found.Add($"{name}.{reader.GetName(i)} = {value}");
                        }
                    }
                }
            }
        }

        return found;
    }

    internal static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await connection.OpenAsync();
        }

        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
