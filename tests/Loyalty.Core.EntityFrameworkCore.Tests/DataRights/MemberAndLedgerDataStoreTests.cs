using Loyalty.Core.DataRights;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Loyalty.Core.EntityFrameworkCore.Tests.DataRights.DataRightsShop;

namespace Loyalty.Core.EntityFrameworkCore.Tests.DataRights;

/// <summary>
/// <see cref="IMemberDataStore.RewriteMemberAsync"/> and <see cref="ILedgerDataStore.RewriteAccountAsync"/>
/// answer the same on the EF Core stores (SQLite, PostgreSQL) as on the in-memory ones: NotFound for an
/// unknown id, Conflict for a version that moved on, TargetExists for a used id, referral code, record id,
/// account or transaction id, with nothing written; Rewritten moves every row, as written.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class MemberAndLedgerDataStoreTests(PostgresServerFixture fixture)
{
    private static readonly MemberId Renamed = MemberId.From("alice-2");

    [Fact]
    public async Task The_member_store_refuses_and_rewrites_in_memory()
    {
        await using var shop = DataRightsShop.InMemory();
        await MemberScenarioAsync(shop);
    }

    [Fact]
    public async Task The_member_store_refuses_and_rewrites_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
        await MemberScenarioAsync(shop);
    }

    [PostgresFact]
    public async Task The_member_store_refuses_and_rewrites_on_PostgreSQL()
    {
        var database = fixture.Database("rights-stores", LoyaltyModelOptions.Default);
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseNpgsql(database.ConnectionString));
        await MemberScenarioAsync(shop);
    }

    [Fact]
    public async Task The_ledger_store_refuses_and_rewrites_in_memory()
    {
        await using var shop = DataRightsShop.InMemory();
        await LedgerScenarioAsync(shop);
    }

    [Fact]
    public async Task The_ledger_store_refuses_and_rewrites_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
        await LedgerScenarioAsync(shop);
    }

    [PostgresFact]
    public async Task The_ledger_store_refuses_and_rewrites_on_PostgreSQL()
    {
        var database = fixture.Database("rights-stores", LoyaltyModelOptions.Default);
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseNpgsql(database.ConnectionString));
        await LedgerScenarioAsync(shop);
    }

    [Fact]
    public async Task The_EF_Core_registration_exposes_the_data_rights_capabilities_of_the_scopes_stores()
    {
        using var database = new SqliteDatabase();
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
        await shop.InScopeAsync(sp =>
        {
            sp.GetRequiredService<IMemberDataStore>().Should().BeSameAs(sp.GetRequiredService<IMemberStore>());
            sp.GetRequiredService<ILedgerDataStore>().Should().BeSameAs(sp.GetRequiredService<ILedgerStore>());
            sp.GetRequiredService<DataRightsService>().Sections.Should().StartWith(["redemptions", "ledger"]).And.EndWith(["dataRightsRequests", "member", "campaignBudgets"]);
            return Task.CompletedTask;
        });
    }

    [Fact]
    public async Task A_rewrite_that_is_not_of_the_rewritten_member_is_refused_before_anything_is_read()
    {
        using var database = new SqliteDatabase();
        await using var shop = DataRightsShop.EntityFramework(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
        await shop.SeedAsync();
        await shop.InScopeAsync(async sp =>
        {
            var members = sp.GetRequiredService<IMemberStore>();
            var member = (await members.GetMemberAsync(shop.ProgramId, Alice))!;
            var history = await members.GetHistoryAsync(shop.ProgramId, Alice);
            var rewrite = MemberRewriteOf(shop, member, history, Renamed) with { Orders = history.Orders };
            (await FluentActions.Awaiting(() => sp.GetRequiredService<IMemberDataStore>().RewriteMemberAsync(rewrite).AsTask()).Should().ThrowAsync<ArgumentException>())
                .WithMessage($"The rewrite's order 'A-1' is of member 'alice@example.com' in programme '{shop.ProgramId}', not of the rewritten member 'alice-2' in programme '{shop.ProgramId}'.*");

            var ledger = sp.GetRequiredService<ILedgerStore>();
            var account = await AccountRewriteOfAsync(shop, ledger, Renamed);
            (await FluentActions.Awaiting(() => ((ILedgerDataStore)ledger).RewriteAccountAsync(account with { To = new LedgerAccountKey(ProgramId.From("other"), Renamed) }).AsTask()).Should().ThrowAsync<ArgumentException>())
                .WithMessage($"An account is rewritten within its programme: From is in programme '{shop.ProgramId}' but To is in 'other'.*");
            (await FluentActions.Awaiting(() => ((ILedgerDataStore)ledger).RewriteAccountAsync(account with { Transactions = account.Transactions.Reverse().ToArray() }).AsTask()).Should().ThrowAsync<ArgumentException>())
                .WithMessage($"The rewrite's transactions must be versions 1 to {account.Transactions.Count} of {account.To} in order; *");
        });
        (await shop.MemberAsync(Alice)).Should().NotBeNull();
        (await shop.VerifyAccountAsync(Alice)).IsIntact.Should().BeTrue();
    }

    private static async Task MemberScenarioAsync(DataRightsShop shop)
    {
        await shop.SeedAsync();
        await shop.InScopeAsync(async sp =>
        {
            var members = sp.GetRequiredService<IMemberStore>();
            var data = (IMemberDataStore)members;
            var program = shop.ProgramId;
            var member = (await members.GetMemberAsync(program, Alice))!;
            var history = await members.GetHistoryAsync(program, Alice);
            var bob = (await members.GetMemberAsync(program, Bob))!;
            var bobOrder = (await members.GetHistoryAsync(program, Bob)).Orders.Single();
            (await data.ListReferredMembersAsync(program, Alice)).Select(m => m.MemberId).Should().Equal(Bob);

            var rewrite = MemberRewriteOf(shop, member, history, Renamed);
            (await data.RewriteMemberAsync(rewrite with { From = MemberId.From("nobody") })).Should().Be(MemberRewriteStatus.NotFound);
            (await data.RewriteMemberAsync(rewrite with { ExpectedVersion = member.Version - 1 })).Should().Be(MemberRewriteStatus.Conflict);
            (await data.RewriteMemberAsync(rewrite with { ExpectedHistoryVersion = history.Version - 1 })).Should().Be(MemberRewriteStatus.Conflict);
            (await data.RewriteMemberAsync(MemberRewriteOf(shop, member, history, Bob))).Should().Be(MemberRewriteStatus.TargetExists);
            (await data.RewriteMemberAsync(rewrite with { Member = rewrite.Member with { ReferralCode = bob.ReferralCode } })).Should().Be(MemberRewriteStatus.TargetExists);
            (await data.RewriteMemberAsync(rewrite with { Orders = [rewrite.Orders[0] with { OrderId = bobOrder.OrderId }] })).Should().Be(MemberRewriteStatus.TargetExists);
            (await data.RewriteMemberAsync(rewrite with { Activities = [.. rewrite.Activities.Skip(1), rewrite.Activities[0] with { ActivityId = (await members.GetHistoryAsync(program, Bob)).Activities[0].ActivityId }] })).Should().Be(MemberRewriteStatus.TargetExists);

            // Nothing was written by the refusals.
            (await members.GetMemberAsync(program, Alice)).Should().BeEquivalentTo(member);
            (await members.GetHistoryAsync(program, Alice)).Should().Match<MemberHistory>(h => h.Version == history.Version
                && h.Orders.Select(o => o.OrderId.Value + o.Fingerprint).SequenceEqual(history.Orders.Select(o => o.OrderId.Value + o.Fingerprint))
                && h.Refunds.Select(r => r.RefundId.Value + r.Fingerprint).SequenceEqual(history.Refunds.Select(r => r.RefundId.Value + r.Fingerprint))
                && h.Activities.Select(a => a.ActivityId.Value + a.Fingerprint).SequenceEqual(history.Activities.Select(a => a.ActivityId.Value + a.Fingerprint)));
            (await members.GetMemberAsync(program, Bob))!.Version.Should().Be(bob.Version);
            (await members.GetMemberAsync(program, Renamed)).Should().BeNull();

            (await data.RewriteMemberAsync(rewrite)).Should().Be(MemberRewriteStatus.Rewritten);
            (await data.RewriteMemberAsync(rewrite)).Should().Be(MemberRewriteStatus.NotFound, "nothing is left under the old id");
        });

        await shop.InScopeAsync(async sp =>
        {
            var members = sp.GetRequiredService<IMemberStore>();
            var program = shop.ProgramId;
            (await members.GetMemberAsync(program, Alice)).Should().BeNull();
            (await members.GetHistoryAsync(program, Alice)).Orders.Should().BeEmpty();
            var moved = (await members.GetMemberAsync(program, Renamed))!;
            var history = await members.GetHistoryAsync(program, Renamed);
            moved.BirthDate.Should().Be(AliceBirthDate);
            (await members.FindByReferralCodeAsync(program, moved.ReferralCode))!.MemberId.Should().Be(Renamed);
            history.Orders.Should().ContainSingle().Which.OrderId.Should().Be(OrderId.From("A-1"));
            history.Refunds.Should().ContainSingle().Which.RefundId.Should().Be(RefundId.From("R-1"));
            (await members.ListRefundsAsync(program, OrderId.From("A-1"))).Should().ContainSingle().Which.MemberId.Should().Be(Renamed);
            (await members.GetActivityAsync(program, ActivityId.From("review-alice-1")))!.MemberId.Should().Be(Renamed);
            var bob = (await members.GetMemberAsync(program, Bob))!;
            bob.ReferredBy.Should().Be(Renamed);
            (await ((IMemberDataStore)members).ListReferredMembersAsync(program, Renamed)).Select(m => m.MemberId).Should().Equal(Bob);
            return history.Version;
        });
    }

    private static async Task LedgerScenarioAsync(DataRightsShop shop)
    {
        await shop.SeedAsync();
        var totals = await shop.TotalsAsync();
        LedgerAccountRewrite rewrite = null!;
        await shop.InScopeAsync(async sp =>
        {
            var ledger = sp.GetRequiredService<ILedgerStore>();
            var data = (ILedgerDataStore)ledger;
            var head = (await ledger.GetHeadAsync(new LedgerAccountKey(shop.ProgramId, Alice)))!;
            var bobOrder = (await sp.GetRequiredService<IMemberStore>().GetHistoryAsync(shop.ProgramId, Bob)).Orders.Single().TransactionId;
            rewrite = await AccountRewriteOfAsync(shop, ledger, Renamed);

            (await data.RewriteAccountAsync(rewrite with { From = new LedgerAccountKey(shop.ProgramId, MemberId.From("nobody")) })).Should().Be(MemberRewriteStatus.NotFound);
            (await data.RewriteAccountAsync(rewrite with { ExpectedVersion = head.Version - 1 })).Should().Be(MemberRewriteStatus.Conflict);
            (await data.RewriteAccountAsync(await AccountRewriteOfAsync(shop, ledger, Bob))).Should().Be(MemberRewriteStatus.TargetExists);
            (await data.RewriteAccountAsync(rewrite with { Transactions = [rewrite.Transactions[0] with { Id = bobOrder }, .. rewrite.Transactions.Skip(1)] })).Should().Be(MemberRewriteStatus.TargetExists);
            (await ledger.GetHeadAsync(new LedgerAccountKey(shop.ProgramId, Alice))).Should().Be(head, "the refusals wrote nothing");
        });

        (await shop.VerifyAccountAsync(Alice)).IsIntact.Should().BeTrue();
        await shop.InScopeAsync(async sp =>
        {
            var data = (ILedgerDataStore)sp.GetRequiredService<ILedgerStore>();
            (await data.RewriteAccountAsync(rewrite)).Should().Be(MemberRewriteStatus.Rewritten);
            (await data.RewriteAccountAsync(rewrite)).Should().Be(MemberRewriteStatus.NotFound, "nothing is left under the old key");
        });

        (await shop.ContentsAsync(Alice)).Should().BeEquivalentTo(new LedgerAccountContents(null, [], []));
        var contents = await shop.ContentsAsync(Renamed);
        contents.Head.Should().Be(rewrite.Head);
        contents.Lots.Should().BeEquivalentTo(rewrite.Lots, o => o.WithStrictOrdering());
        contents.Holds.Should().BeEquivalentTo(rewrite.Holds);
        (await shop.TransactionsAsync(Renamed)).Should().BeEquivalentTo(rewrite.Transactions, o => o.WithStrictOrdering());
        (await shop.TotalsAsync()).Should().Be(totals);
    }

    private static MemberRewrite MemberRewriteOf(DataRightsShop shop, MemberRecord member, MemberHistory history, MemberId to) => new()
    {
        ProgramId = shop.ProgramId,
        From = member.MemberId,
        ExpectedVersion = member.Version,
        ExpectedHistoryVersion = history.Version,
        Member = member with { MemberId = to },
        Orders = history.Orders.Select(o => o with { MemberId = to }).ToArray(),
        Refunds = history.Refunds.Select(r => r with { MemberId = to }).ToArray(),
        Activities = history.Activities.Select(a => a with { MemberId = to }).ToArray(),
    };

    /// <summary>Alice's account under another key, every row as read (the chain is not sealed again: the store writes what it is given).</summary>
    private static async Task<LedgerAccountRewrite> AccountRewriteOfAsync(DataRightsShop shop, ILedgerStore ledger, MemberId to)
    {
        var from = new LedgerAccountKey(shop.ProgramId, Alice);
        var contents = await ((ILedgerDataStore)ledger).ReadAccountContentsAsync(from);
        var transactions = (await ledger.ReadHistoryAsync(from, 0, int.MaxValue)).Transactions;
        return new LedgerAccountRewrite
        {
            From = from,
            ExpectedVersion = contents.Head!.Version,
            To = new LedgerAccountKey(shop.ProgramId, to),
            Transactions = transactions.Select(t => t with { MemberId = to }).ToArray(),
            Lots = contents.Lots,
            Holds = contents.Holds,
            Head = contents.Head with { MemberId = to },
        };
    }
}
