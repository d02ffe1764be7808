using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Ledger;

/// <summary>
/// What the PostgreSQL append adds to the shared specification: one prepared statement per kind of
/// append on a connection, and the shop's transaction kept usable when an append fails in the database.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLedgerAppendTests(PostgresServerFixture fixture)
{
    private static readonly Instant At = Instant.FromUtc(2026, 5, 4, 10, 0);

    [PostgresFact]
    public async Task Appends_on_one_connection_prepare_each_of_their_statements_once()
    {
        await using var context = Database().CreateContext();
        await context.Database.OpenConnectionAsync();
        var store = new EntityFrameworkLedgerStore(context);
        var program = NewProgram();
        foreach (var member in new[] { "ana", "ben" })
        {
            var account = new LedgerAccountKey(program, MemberId.From(member));
            LedgerAccountHead? head = null;
            for (var i = 1; i <= 3; i++)
            {
                var append = Earn(account, head, $"{member}-{i}", 10);
                (await store.AppendAsync(append)).Should().Be(new LedgerAppendResult(LedgerAppendStatus.Appended, i));
                head = append.Head;
            }

            // Another shape: a transaction without movement or lot (the statement with common table expressions).
            var earn = Earn(account, head, $"{member}-note", 1);
            var adjust = earn with { Transactions = [earn.Transactions[0] with { Movements = [] }], Lots = [] };
            (await store.AppendAsync(adjust)).Should().Be(new LedgerAppendResult(LedgerAppendStatus.Appended, 4));
        }

        var prepared = await context.Database
            .SqlQueryRaw<string>("SELECT statement AS \"Value\" FROM pg_prepared_statements WHERE statement LIKE '%shop_loyalty.ledger_%'")
            .ToListAsync();

        // The single shape's batch (head insert or guarded head update, transaction, movement, lot) and the statement with common table expressions for existing accounts.
        prepared.Should().HaveCount(6);
        prepared.Should().ContainSingle(s => s.StartsWith("INSERT INTO shop_loyalty.ledger_accounts", StringComparison.Ordinal));
        prepared.Should().ContainSingle(s => s.StartsWith("WITH head AS (\n    UPDATE shop_loyalty.ledger_accounts", StringComparison.Ordinal) && s.Contains("count(*) = 1", StringComparison.Ordinal));
        prepared.Should().ContainSingle(s => s.StartsWith("INSERT INTO shop_loyalty.ledger_transactions", StringComparison.Ordinal));
        prepared.Should().ContainSingle(s => s.StartsWith("INSERT INTO shop_loyalty.ledger_movements", StringComparison.Ordinal));
        prepared.Should().ContainSingle(s => s.StartsWith("INSERT INTO shop_loyalty.ledger_lots", StringComparison.Ordinal));
        prepared.Should().ContainSingle(s => s.StartsWith("WITH head AS (\n    UPDATE shop_loyalty.ledger_accounts", StringComparison.Ordinal) && s.Contains("unnest", StringComparison.Ordinal));
    }

    [PostgresFact]
    public async Task An_append_failing_in_the_database_inside_the_shops_transaction_leaves_that_transaction_usable()
    {
        await using var context = Database().CreateContext();
        var store = new EntityFrameworkLedgerStore(context);
        var account = new LedgerAccountKey(NewProgram(), MemberId.From("alice"));
        var reference = "order-" + account.ProgramId;
        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            context.Orders.Add(new ShopOrder { Reference = reference, Total = 40m });
            await context.SaveChangesAsync();

            // The same lot twice: PostgreSQL refuses to upsert one row twice in a statement.
            var broken = Earn(account, null, "broken", 40);
            var fault = async () => await store.AppendAsync(broken with { Lots = [broken.Lots[0], broken.Lots[0]] });
            var thrown = (await fault.Should().ThrowAsync<LoyaltyStoreException>()).Which;
            thrown.Message.Should().StartWith($"The ledger store could not append to {account}: 21000: ON CONFLICT DO UPDATE command cannot affect row a second time");
            thrown.IsTransient.Should().BeFalse();

            (await store.AppendAsync(Earn(account, null, "order-1", 40))).Status.Should().Be(LedgerAppendStatus.Appended);
            await transaction.CommitAsync();
        }

        await using var reader = Database().CreateContext();
        var readStore = new EntityFrameworkLedgerStore(reader);
        (await reader.Orders.CountAsync(o => o.Reference == reference)).Should().Be(1);
        (await readStore.GetHeadAsync(account))!.Version.Should().Be(1);
        (await readStore.FindTransactionAsync(account.ProgramId, TransactionId.From("order-1"))).Should().NotBeNull();
        (await readStore.FindTransactionAsync(account.ProgramId, TransactionId.From("broken"))).Should().BeNull();
    }

    [PostgresFact]
    public async Task Points_appended_inside_the_shops_transaction_roll_back_with_its_order()
    {
        await using var context = Database().CreateContext();
        var store = new EntityFrameworkLedgerStore(context);
        var account = new LedgerAccountKey(NewProgram(), MemberId.From("bob"));
        var reference = "declined-" + account.ProgramId;
        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            context.Orders.Add(new ShopOrder { Reference = reference, Total = 25m });
            await context.SaveChangesAsync();
            (await store.AppendAsync(Earn(account, null, "declined-1", 25))).Status.Should().Be(LedgerAppendStatus.Appended);
            await transaction.RollbackAsync();
        }

        await using var reader = Database().CreateContext();
        (await reader.Orders.CountAsync(o => o.Reference == reference)).Should().Be(0);
        (await new EntityFrameworkLedgerStore(reader).GetHeadAsync(account)).Should().BeNull();
    }

    [PostgresFact]
    public async Task Earns_refused_inside_the_shops_transaction_give_their_outcome_and_keep_the_transaction_usable()
    {
        await using var context = Database().CreateContext();
        var store = new EntityFrameworkLedgerStore(context);
        var account = new LedgerAccountKey(NewProgram(), MemberId.From("carol"));
        var other = new LedgerAccountKey(account.ProgramId, MemberId.From("dave"));
        var reference = "refused-" + account.ProgramId;
        await using (var transaction = await context.Database.BeginTransactionAsync())
        {
            context.Orders.Add(new ShopOrder { Reference = reference, Total = 30m });
            await context.SaveChangesAsync();
            var first = Earn(account, null, "refused-1", 30);
            (await store.AppendAsync(first)).Should().Be(new LedgerAppendResult(LedgerAppendStatus.Appended, 1));

            // The account exists already (a new account's insert), or is not at the expected version.
            (await store.AppendAsync(Earn(account, null, "refused-2", 30))).Should().Be(new LedgerAppendResult(LedgerAppendStatus.VersionConflict, 1));
            (await store.AppendAsync(Earn(account, first.Head with { Version = 5 }, "refused-3", 30))).Should().Be(new LedgerAppendResult(LedgerAppendStatus.VersionConflict, 1));

            // At the expected version, with an id used in the programme (by this account, or by another's first append).
            (await store.AppendAsync(Earn(account, first.Head, "refused-1", 30))).Should().Be(new LedgerAppendResult(LedgerAppendStatus.Duplicate, 1, TransactionId.From("refused-1")));
            (await store.AppendAsync(Earn(other, null, "refused-1", 30))).Should().Be(new LedgerAppendResult(LedgerAppendStatus.Duplicate, 0, TransactionId.From("refused-1")));

            (await store.AppendAsync(Earn(account, first.Head, "refused-4", 30))).Should().Be(new LedgerAppendResult(LedgerAppendStatus.Appended, 2));
            await transaction.CommitAsync();
        }

        await using var reader = Database().CreateContext();
        var readStore = new EntityFrameworkLedgerStore(reader);
        (await reader.Orders.CountAsync(o => o.Reference == reference)).Should().Be(1);
        (await readStore.GetHeadAsync(account))!.Version.Should().Be(2);
        (await readStore.GetHeadAsync(other)).Should().BeNull();
        (await readStore.FindTransactionAsync(account.ProgramId, TransactionId.From("refused-2"))).Should().BeNull();
        (await readStore.FindTransactionAsync(account.ProgramId, TransactionId.From("refused-3"))).Should().BeNull();
        (await readStore.FindTransactionAsync(account.ProgramId, TransactionId.From("refused-4"))).Should().NotBeNull();
    }

    private PostgresDatabase Database() => fixture.Database("append", LoyaltyModelOptions.Create("shop_loyalty", ""));

    private static ProgramId NewProgram() => ProgramId.From("p" + Guid.NewGuid().ToString("N")[..10]);

    private static LedgerAppend Earn(LedgerAccountKey account, LedgerAccountHead? previous, string id, long amount)
    {
        var version = (previous?.Version ?? 0) + 1;
        var txId = TransactionId.From(id);
        var tx = new LedgerTransactionRecord
        {
            ProgramId = account.ProgramId, MemberId = account.MemberId, Id = txId, Version = version, Kind = LedgerTransactionKind.Earn,
            RecordedAt = At, EffectiveAt = At, Amount = amount, AvailableAt = At, Movements = [new LedgerLotMovement(txId, amount)],
        };
        var lot = new LedgerLotRecord { LotId = txId, Sequence = version, OriginalAmount = amount, Remaining = amount, CreatedAt = At, AvailableAt = At };
        var head = (previous ?? new LedgerAccountHead { ProgramId = account.ProgramId, MemberId = account.MemberId, Version = 0, UpdatedAt = At }) with
        {
            Version = version,
            UpdatedAt = At,
            LotPoints = (previous?.LotPoints ?? 0) + amount,
            Earned = (previous?.Earned ?? 0) + amount,
        };
        return new LedgerAppend { Account = account, ExpectedVersion = version - 1, Transactions = [tx], Head = head, Lots = [lot] };
    }
}
