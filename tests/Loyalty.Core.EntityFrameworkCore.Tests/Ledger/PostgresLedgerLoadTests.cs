using System.Collections.Concurrent;
using Loyalty.Core.Configuration;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Ledger;

/// <summary>
/// The ledger service on EF Core and PostgreSQL under concurrent load: every writer has its own
/// context (as each web request would), all on the same tables.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresLedgerLoadTests(PostgresServerFixture fixture)
{
    private static readonly Instant Now = Instant.FromUtc(2026, 6, 1, 12, 0);

    [PostgresFact]
    public async Task Sixteen_concurrent_redeemers_on_one_account_never_overspend()
    {
        var program = NewProgram();
        var member = MemberId.From("shared-card");
        await using (var setup = Session(program))
        {
            (await setup.Ledger.EarnAsync(new EarnPoints(TransactionId.From("welcome"), member, Points.FromInt64(1_000)))).Succeeded.Should().BeTrue();
        }

        var granted = new ConcurrentBag<string>();
        var refused = 0;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(r => Task.Run(async () =>
        {
            await using var session = Session(program);
            for (var i = 0; ; i++)
            {
                var id = TransactionId.From($"redeem-{r}-{i}");
                var result = await RetryConflicts(() => session.Ledger.RedeemAsync(new RedeemPoints(id, member, Points.FromInt64(7))));
                if (result.ErrorCode == LedgerErrorCode.InsufficientPoints)
                {
                    Interlocked.Increment(ref refused);
                    return;
                }

                result.Succeeded.Should().BeTrue(result.ToString());
                granted.Add(id.Value);
            }
        })));

        await using var check = Session(program);
        var balance = await check.Ledger.GetBalanceAsync(member);
        granted.Should().HaveCount(1_000 / 7);
        balance.Redeemed.Should().Be(Points.FromInt64(granted.Count * 7L));
        balance.Available.Should().Be(Points.FromInt64(1_000 % 7));
        refused.Should().Be(16);
    }

    [PostgresFact]
    public async Task Eight_writers_of_a_thousand_earns_each_give_exactly_8000_transactions_and_exact_balances()
    {
        // Each writer earns for its own 25 members (distinct accounts across writers), 40 earns each,
        // interleaved, as a checkout service would.
        var program = NewProgram();
        const int Writers = 8;
        const int EarnsEach = 1_000;
        const int MembersEach = 25;

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            await using var session = Session(program);
            for (var i = 0; i < EarnsEach; i++)
            {
                var member = MemberId.From($"writer-{w}-member-{i % MembersEach}");
                var result = await session.Ledger.EarnAsync(new EarnPoints(TransactionId.From($"earn-{w}-{i}"), member, Points.FromInt64((i % 10) + 1)));
                result.Succeeded.Should().BeTrue(result.ToString());
            }

            session.Context.ChangeTracker.Entries().Should().BeEmpty("the store leaves nothing tracked in the shop's context");
        })));

        await using var check = Session(program);
        var count = await check.Context.Database.SqlQueryRaw<long>(
            "SELECT count(*) AS \"Value\" FROM shop_loyalty.ledger_transactions WHERE program_id = {0}", program.Value).SingleAsync();
        count.Should().Be(Writers * EarnsEach);
        for (var w = 0; w < Writers; w++)
        {
            for (var m = 0; m < MembersEach; m++)
            {
                var expected = Enumerable.Range(0, EarnsEach).Where(i => i % MembersEach == m).Sum(i => (i % 10) + 1L);
                var balance = await check.Ledger.GetBalanceAsync(MemberId.From($"writer-{w}-member-{m}"));
                balance.Available.Should().Be(Points.FromInt64(expected));
                balance.Earned.Should().Be(Points.FromInt64(expected));
                balance.Version.Should().Be(EarnsEach / MembersEach);
            }
        }
    }

    [PostgresFact]
    public async Task Every_append_retried_with_the_same_id_lands_once()
    {
        var program = NewProgram();
        var member = MemberId.From("retrier");
        const int Orders = 150;
        const int Senders = 4;
        var firsts = new ConcurrentBag<string>();
        var repeats = 0;

        // Four senders deliver the same 150 earns (say, a webhook retried), each in its own order.
        await Task.WhenAll(Enumerable.Range(0, Senders).Select(s => Task.Run(async () =>
        {
            await using var session = Session(program);
            var order = Enumerable.Range(0, Orders).OrderBy(i => (i * 7919 * (s + 1)) % Orders).ToList();
            foreach (var i in order)
            {
                var result = await RetryConflicts(() => session.Ledger.EarnAsync(new EarnPoints(TransactionId.From($"order-{i}"), member, Points.FromInt64(i + 1))));
                result.Succeeded.Should().BeTrue(result.ToString());
                if (result.IsRepeat)
                {
                    Interlocked.Increment(ref repeats);
                }
                else
                {
                    firsts.Add(result.Transaction!.Id.Value);
                }
            }
        })));

        firsts.Should().OnlyHaveUniqueItems().And.HaveCount(Orders);
        repeats.Should().Be((Senders - 1) * Orders);
        await using var check = Session(program);
        var balance = await check.Ledger.GetBalanceAsync(member);
        balance.Version.Should().Be(Orders);
        balance.Earned.Should().Be(Points.FromInt64(Enumerable.Range(1, Orders).Sum()));
        var history = await check.Ledger.GetHistoryAsync(member, 0, 1_000);
        history.Transactions.Select(t => t.Id.Value).Should().OnlyHaveUniqueItems().And.HaveCount(Orders);
    }

    private static ProgramId NewProgram() => ProgramId.From("load-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>The ledger retries conflicts itself a bounded number of times; under this much contention a caller retries the same command.</summary>
    private static async Task<LedgerResult> RetryConflicts(Func<Task<LedgerResult>> write)
    {
        for (var attempt = 0; ; attempt++)
        {
            var result = await write();
            if (result.ErrorCode != LedgerErrorCode.ConcurrencyConflict || attempt == 100)
            {
                return result;
            }
        }
    }

    private Session Session(ProgramId program)
    {
        var context = fixture.Database("spec", LoyaltyModelOptions.Create("shop_loyalty", "")).CreateContext();
        var options = new LoyaltyOptions { ProgramId = program.Value };
        var ledger = new PointsLedger(new FakeClock(Now), new EntityFrameworkLedgerStore(context), options.ToProgramSettings(), Options.Create(options.Ledger));
        return new Session(context, ledger);
    }
}

internal sealed record Session(ShopContext Context, PointsLedger Ledger) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Context.DisposeAsync();
}
