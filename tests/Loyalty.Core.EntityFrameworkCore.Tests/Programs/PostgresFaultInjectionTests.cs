using System.Collections.Concurrent;
using System.Diagnostics;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Programs;

/// <summary>
/// Faults injected into a live PostgreSQL server while eight writers earn points and record orders:
/// backends killed with <c>pg_terminate_backend</c>, the server stopped and started again. Every
/// failed call must surface as a <see cref="LoyaltyStoreException"/> that says it is transient, and
/// retrying it with the same id must record it exactly once. Each test runs its own throwaway server
/// (it is stopped on purpose), bounded to about a minute.
/// </summary>
public sealed class PostgresFaultInjectionTests(ITestOutputHelper output)
{
    private const int Writers = 8;
    private static readonly Instant Now = Instant.FromUtc(2026, 3, 2, 10, 0);
    private static readonly TimeSpan ChaosLength = TimeSpan.FromSeconds(12);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [PostgresFact]
    public async Task Killed_backends_and_a_restarted_server_give_transient_store_exceptions_and_retries_are_exactly_once()
    {
        using var server = PostgresServer.Start();
        var database = new PostgresDatabase(server, "faults", LoyaltyModelOptions.Default);
        await using var root = Provider(database, retrying: false);
        var members = Enumerable.Range(0, Writers).Select(i => MemberId.From($"member-{i}")).ToArray();
        await SetUpAsync(root, members);

        using var bound = new CancellationTokenSource(Bound);
        var faults = new ConcurrentQueue<Exception>();
        var done = new ConcurrentBag<Done>();
        using var chaosOver = new CancellationTokenSource();
        var chaos = Task.Run(() => ChaosAsync(server, database.ConnectionString, chaosOver, bound.Token));

        var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var member = members[w];
            for (var n = 0; !chaosOver.IsCancellationRequested; n++)
            {
                // Alternately an earn on the ledger and an order through the programme, each call in a scope of its own.
                var call = n % 2 == 0 ? Earn(member, $"earn-{w}-{n}", 1 + n % 7) : Order(member, $"order-{w}-{n}", 10m + n % 5);
                done.Add(await UntilDoneAsync(root, call, faults, bound.Token));
            }
        })).ToList();
        await Task.WhenAll(writers.Append(chaos));

        var unexpected = faults.Where(f => f is not LoyaltyStoreException { IsTransient: true }).ToList();
        unexpected.Should().BeEmpty("every fault surfaces as a transient LoyaltyStoreException; got {0}", string.Join("\n---\n", unexpected.Take(5)));
        faults.Should().NotBeEmpty("the injected faults must have hit some calls");
        output.WriteLine($"{done.Count} calls recorded, {faults.Count} faults met and retried; by inner type: "
            + string.Join(", ", faults.GroupBy(f => f.InnerException?.GetType().Name ?? "none").Select(g => $"{g.Key} {g.Count()}")));

        // Exactly once: every call's id is in the store once, the balances are the sums of what was
        // recorded, and a last repeat of every call returns the original.
        await using var scope = root.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<PointsLedger>();
        var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
        foreach (var member in members)
        {
            var own = done.Where(d => d.Member == member).ToList();
            var ids = new List<string>();
            for (long? after = 0; after is { } a;)
            {
                var page = await ledger.GetHistoryAsync(member, a, 1_000);
                ids.AddRange(page.Transactions.Select(t => t.Id.Value));
                after = page.ContinueAfter;
            }

            ids.Should().OnlyHaveUniqueItems()
                .And.BeEquivalentTo(own.Select(d => d.Id), "each call of {0} is recorded once", member);
            (await ledger.GetBalanceAsync(member)).Earned.Value.Should().Be(own.Sum(d => d.Points), "{0} earned what the calls recorded", member);
        }

        foreach (var d in done)
        {
            var again = await d.Call(scope.ServiceProvider);
            again.Repeat.Should().BeTrue("call {0} was recorded before", d.Id);
            again.Points.Should().Be(d.Points, "a repeat of {0} returns the original", d.Id);
        }
    }

    [PostgresFact]
    public async Task A_stopped_server_gives_transient_store_exceptions_on_reads_and_writes_with_either_execution_strategy()
    {
        using var server = PostgresServer.Start();
        var database = new PostgresDatabase(server, "stopped", LoyaltyModelOptions.Default);
        var member = MemberId.From("alice");
        await using var plain = Provider(database, retrying: false);
        await using var retrying = Provider(database, retrying: true);
        await SetUpAsync(plain, [member]);
        server.Stop();
        try
        {
            foreach (var root in new[] { plain, retrying })
            {
                await using var scope = root.CreateAsyncScope();
                var ledger = scope.ServiceProvider.GetRequiredService<PointsLedger>();
                var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
                var calls = new (string Name, Func<Task> Call)[]
                {
                    ("GetBalanceAsync", () => ledger.GetBalanceAsync(member)),
                    ("EarnAsync", () => ledger.EarnAsync(new EarnPoints(TransactionId.From("earn-stopped"), member, Points.FromInt64(5)))),
                    ("GetMemberSummaryAsync", () => program.GetMemberSummaryAsync(member)),
                    ("RecordOrderAsync", () => program.RecordOrderAsync(new EarningOrder(OrderId.From("o-stopped"), member, Now, Currency.EUR, [new OrderLine("SKU", 1, 10m)]))),
                };
                foreach (var (name, call) in calls)
                {
                    var thrown = (await call.Should().ThrowAsync<LoyaltyStoreException>(name)).Which;
                    thrown.IsTransient.Should().BeTrue("{0} met a stopped server, which the provider classifies as transient: {1}", name, thrown);
                }
            }
        }
        finally
        {
            server.StartAgain();
        }

        // Back up: the same calls succeed, once, with either strategy.
        foreach (var root in new[] { plain, retrying })
        {
            await using var scope = root.CreateAsyncScope();
            var ledger = scope.ServiceProvider.GetRequiredService<PointsLedger>();
            var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
            (await ledger.EarnAsync(new EarnPoints(TransactionId.From("earn-stopped"), member, Points.FromInt64(5)))).Succeeded.Should().BeTrue();
            (await program.RecordOrderAsync(new EarningOrder(OrderId.From("o-stopped"), member, Now, Currency.EUR, [new OrderLine("SKU", 1, 10m)]))).Succeeded.Should().BeTrue();
            (await ledger.GetBalanceAsync(member)).Earned.Should().Be(Points.FromInt64(15));
        }
    }

    private static ServiceProvider Provider(PostgresDatabase database, bool retrying)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FakeClock(Now));
        services.AddSingleton(database.Loyalty);
        services.AddDbContext<ShopContext>(o => o.UseNpgsql(
            new NpgsqlConnectionStringBuilder(database.ConnectionString) { Timeout = 3, CommandTimeout = 10 }.ConnectionString,
            n =>
            {
                if (retrying)
                {
                    n.EnableRetryOnFailure(2, TimeSpan.FromMilliseconds(50), null);
                }
            }));
        services.AddLoyalty(o =>
        {
            o.ProgramId = "club";
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.Zero;
        }).UseEntityFrameworkCore<ShopContext>();
        return services.BuildServiceProvider(validateScopes: true);
    }

    private static async Task SetUpAsync(ServiceProvider root, IEnumerable<MemberId> members)
    {
        await using var scope = root.CreateAsyncScope();
        var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
        await program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-03", Now - Duration.FromDays(1), Currency.EUR, "Europe/Paris")
            .EarnPerUnit("base", 1m)
            .Build());
        foreach (var member in members)
        {
            (await program.EnrolAsync(new Enrolment(member))).Succeeded.Should().BeTrue();
        }
    }

    /// <summary>Runs <paramref name="call"/> until it succeeds, each attempt in a new scope, keeping every exception.</summary>
    private static async Task<Done> UntilDoneAsync(ServiceProvider root, Call call, ConcurrentQueue<Exception> faults, CancellationToken bound)
    {
        while (true)
        {
            bound.ThrowIfCancellationRequested();
            try
            {
                await using var scope = root.CreateAsyncScope();
                var outcome = await call.Run(scope.ServiceProvider);
                return new Done(call.Member, call.Id, outcome.Points, call.Run);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                faults.Enqueue(ex);
                await Task.Delay(50, bound);
            }
        }
    }

    private static Call Earn(MemberId member, string id, long points) => new(member, id, async services =>
    {
        var result = await services.GetRequiredService<PointsLedger>().EarnAsync(new EarnPoints(TransactionId.From(id), member, Points.FromInt64(points)));
        result.Succeeded.Should().BeTrue(result.ToString());
        return (result.Transaction!.Amount, result.IsRepeat);
    });

    private static Call Order(MemberId member, string id, decimal price) => new(member, "order:" + id, async services =>
    {
        var result = await services.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(
            new EarningOrder(OrderId.From(id), member, Now, Currency.EUR, [new OrderLine("SKU", 1, price)]));
        result.Succeeded.Should().BeTrue(result.ToString());
        return (result.Value!.Points.Value, result.IsRepeat);
    });

    /// <summary>Kills every other backend of the database every 250 ms; stops and starts the server twice.</summary>
    private static async Task ChaosAsync(PostgresServer server, string connectionString, CancellationTokenSource over, CancellationToken bound)
    {
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 3 }.ConnectionString;
        var clock = Stopwatch.StartNew();
        var restarts = new Queue<TimeSpan>([TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(8)]);
        try
        {
            while (clock.Elapsed < ChaosLength && !bound.IsCancellationRequested)
            {
                if (restarts.TryPeek(out var at) && clock.Elapsed >= at)
                {
                    restarts.Dequeue();
                    server.Stop();
                    await Task.Delay(500, bound);
                    server.StartAgain();
                    continue;
                }

                try
                {
                    await using var connection = new NpgsqlConnection(admin);
                    await connection.OpenAsync(bound);
                    await using var kill = connection.CreateCommand();
                    kill.CommandText = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()";
                    await kill.ExecuteScalarAsync(bound);
                }
                catch (NpgsqlException)
                {
                    // The server is starting; the next round kills again.
                }

                await Task.Delay(250, bound);
            }
        }
        finally
        {
            over.Cancel();
        }
    }

    private sealed record Call(MemberId Member, string Id, Func<IServiceProvider, Task<(long Points, bool Repeat)>> Run);

    private sealed record Done(MemberId Member, string Id, long Points, Func<IServiceProvider, Task<(long Points, bool Repeat)>> Call);
}
