using System.Data.Common;
using System.Diagnostics.Metrics;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Loyalty.Core.Tests.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Npgsql;
using NodaTime;
using NodaTime.Testing;
using Xunit.Abstractions;

namespace Loyalty.Core.EntityFrameworkCore.Tests;

/// <summary>
/// One programme call, one transaction: an order, its member state and its points are kept
/// together or not at all, in a transaction of their own or in the shop's.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EntityFrameworkUnitOfWorkTests(PostgresServerFixture fixture, ITestOutputHelper output)
{
    private static readonly Instant Now = Instant.FromUtc(2026, 3, 2, 10, 0);
    private static readonly MemberId Alice = MemberId.From("alice");

    [Fact]
    public async Task An_order_whose_points_cannot_be_written_leaves_nothing_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await FailedEarnScenarioAsync(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
    }

    [PostgresFact]
    public async Task An_order_whose_points_cannot_be_written_leaves_nothing_on_PostgreSQL()
    {
        var database = fixture.Database("unit_of_work", LoyaltyModelOptions.Default);
        await FailedEarnScenarioAsync(database.Loyalty, o => o.UseNpgsql(database.ConnectionString));
    }

    [Fact]
    public async Task A_refund_whose_reversal_cannot_be_written_leaves_nothing_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await FailedReversalScenarioAsync(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
    }

    [PostgresFact]
    public async Task A_refund_whose_reversal_cannot_be_written_leaves_nothing_on_PostgreSQL()
    {
        var database = fixture.Database("unit_of_work", LoyaltyModelOptions.Default);
        await FailedReversalScenarioAsync(database.Loyalty, o => o.UseNpgsql(database.ConnectionString));
    }

    [Fact]
    public async Task An_order_recorded_in_the_shops_transaction_follows_its_rollback_and_its_commit_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await ShopTransactionScenarioAsync(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
    }

    [PostgresFact]
    public async Task An_order_recorded_in_the_shops_transaction_follows_its_rollback_and_its_commit_on_PostgreSQL()
    {
        var database = fixture.Database("unit_of_work", LoyaltyModelOptions.Default);
        await ShopTransactionScenarioAsync(database.Loyalty, o => o.UseNpgsql(database.ConnectionString));
    }

    [Fact]
    public async Task A_new_order_is_one_transaction_on_SQLite()
    {
        using var database = new SqliteDatabase();
        var counter = new CommandCounter();
        var (first, second) = await RoundTripScenarioAsync(database.Loyalty, o => o.UseSqlite(database.ConnectionString), counter);
        foreach (var (name, round) in new[] { ("new order", first), ("next order", second) })
        {
            output.WriteLine($"SQLite, {name}: {round.Statements.Count} statements run, {round.Transactions} transaction(s) committed:");
            foreach (var statement in round.Statements)
            {
                output.WriteLine("  " + statement);
            }
        }

        // SQLite runs in process (no round trips): the order is written at once, statement by
        // statement, in one transaction (BEGIN … COMMIT). The member is read, then (in a new scope)
        // the ledger account; the write is the member row at its version, the history version and the
        // order behind a savepoint, then the ledger append's head, transaction, movement and lot behind another.
        foreach (var round in new[] { first, second })
        {
            round.Transactions.Should().Be(1, "the order, the member's state and the points are one transaction");
            round.Statements.Count(IsSelect).Should().Be(2, "the member and its ledger account are read once each: the rule sets come from their cache");
            round.Statements.Should().HaveCount(SqliteStatementsPerOrder, "the documented count (docs/programs.md)");
        }
    }

    [PostgresFact]
    public async Task A_new_order_is_one_read_batch_and_one_write_batch_on_PostgreSQL()
    {
        var database = fixture.Database("unit_of_work", LoyaltyModelOptions.Default);
        var log = new CommandLog();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(log).SetMinimumLevel(LogLevel.Debug));
        await using var source = new NpgsqlDataSourceBuilder(database.ConnectionString).UseLoggerFactory(loggers).Build();
        var counter = new CommandCounter();
        var (first, second) = await RoundTripScenarioAsync(database.Loyalty, o => o.UseNpgsql(source), counter, log);
        foreach (var (name, round) in new[] { ("new order", first), ("next order", second) })
        {
            output.WriteLine($"PostgreSQL, {name}: {round.RoundTrips.Count} round trips:");
            foreach (var line in round.RoundTrips)
            {
                output.WriteLine("  " + line);
            }
        }

        // One read batch: the member with (in a new scope) its ledger account's head, open lots and open
        // holds, which the ledger takes instead of reading again; then one write batch: the member row at
        // its version, the history version, the order, the ledger append (head at its version,
        // transaction, movement, lot), which PostgreSQL runs as one implicit transaction: no BEGIN, no COMMIT.
        foreach (var round in new[] { first, second })
        {
            round.RoundTrips.Should().HaveCount(2, "the documented count (docs/programs.md)");
            round.RoundTrips[0].Should().StartWith("Batch execution completed").And.Contain("SELECT").And.Contain("birth_date");
            round.RoundTrips[1].Should().StartWith("Batch execution completed").And.Contain("UPDATE loyalty_members");
            round.Transactions.Should().Be(0, "the batch is its own transaction: nothing is begun or committed");
        }
    }

    [PostgresFact]
    public async Task An_account_read_with_its_member_that_moved_on_meanwhile_is_read_again_before_points_are_written_on_PostgreSQL()
    {
        var database = fixture.Database("unit_of_work_prefetch", LoyaltyModelOptions.Default);
        var (root, programId) = await StartAsync(database.Loyalty, o => o.UseNpgsql(database.ConnectionString), _ => { });
        await using (root)
        {
            await using (var scope = root.CreateAsyncScope())
            {
                (await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(Order("A-1"))).GetValueOrThrow();
            }

            // The member read brings the ledger account along (head at the first order's version) …
            await using var reader = root.CreateAsyncScope();
            (await reader.ServiceProvider.GetRequiredService<IMemberStore>().GetMemberAsync(programId, Alice)).Should().NotBeNull();

            // … another request then moves the account on …
            await using (var scope = root.CreateAsyncScope())
            {
                (await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(Order("A-2"))).GetValueOrThrow();
            }

            // … so the earn decided from the account read with the member misses its version, reads
            // the account again and is written on top of the other request's points.
            var earned = await reader.ServiceProvider.GetRequiredService<PointsLedger>().EarnAsync(new EarnPoints(TransactionId.From("bonus-1"), Alice, Points.FromInt64(7)));
            earned.Succeeded.Should().BeTrue(earned.ToString());
            await using (var scope = root.CreateAsyncScope())
            {
                (await scope.ServiceProvider.GetRequiredService<PointsLedger>().GetBalanceAsync(Alice)).Pending.Should().Be(Points.FromInt64(40 + 40 + 7));
            }
        }
    }

    [PostgresFact]
    public async Task An_account_read_with_a_member_is_not_given_for_another_member_on_PostgreSQL()
    {
        var database = fixture.Database("unit_of_work_prefetch_other", LoyaltyModelOptions.Default);
        var (root, programId) = await StartAsync(database.Loyalty, o => o.UseNpgsql(database.ConnectionString), _ => { });
        await using (root)
        {
            await using (var scope = root.CreateAsyncScope())
            {
                (await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(Order("A-1"))).GetValueOrThrow();
            }

            await using var reader = root.CreateAsyncScope();
            (await reader.ServiceProvider.GetRequiredService<IMemberStore>().GetMemberAsync(programId, Alice)).Should().NotBeNull();
            var store = reader.ServiceProvider.GetRequiredService<ILedgerStore>();
            var bob = await store.GetAccountAsync(new LedgerAccountKey(programId, MemberId.From("bob")));
            bob.Head.Should().BeNull("bob has no account; alice's, read with her member record, is not his");
            var alice = await store.GetAccountAsync(new LedgerAccountKey(programId, Alice));
            alice.Head!.MemberId.Should().Be(Alice);
            alice.OpenLots.Sum(l => l.Remaining).Should().Be(40);
        }
    }

    [PostgresFact]
    public async Task An_account_read_with_a_member_is_not_given_to_the_next_lease_of_a_pooled_context_on_PostgreSQL()
    {
        var database = fixture.Database("unit_of_work_prefetch_pool", LoyaltyModelOptions.Default);
        var programId = "club-" + Guid.NewGuid().ToString("N")[..8];
        ServiceProvider Build(bool pooled)
        {
            var services = new ServiceCollection();
            services.AddSingleton<IClock>(new FakeClock(Now));
            if (pooled)
            {
                services.AddDbContextPool<PooledShopContext>(o => o.UseNpgsql(database.ConnectionString), poolSize: 1);
            }
            else
            {
                services.AddDbContext<PooledShopContext>(o => o.UseNpgsql(database.ConnectionString));
            }

            services.AddLoyalty(o =>
            {
                o.ProgramId = programId;
                o.Currency = "EUR";
                o.TimeZone = "Europe/Paris";
                o.Ledger.PendingPeriod = TimeSpan.FromDays(14);
            }).UseEntityFrameworkCore<PooledShopContext>();
            return services.BuildServiceProvider(validateScopes: true);
        }

        await using var elsewhere = Build(pooled: false);
        await using var pool = Build(pooled: true);
        await using (var scope = elsewhere.CreateAsyncScope())
        {
            var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
            await program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-03", Now - Duration.FromDays(1), Currency.EUR, "Europe/Paris").EarnPerUnit("base", 1m).Build());
            (await program.EnrolAsync(new Enrolment(Alice))).GetValueOrThrow();
            (await program.RecordOrderAsync(Order("A-1"))).GetValueOrThrow();
        }

        // A request reads the member (its account comes along) and ends without reading the account.
        DbContext leased;
        await using (var scope = pool.CreateAsyncScope())
        {
            leased = scope.ServiceProvider.GetRequiredService<PooledShopContext>();
            (await scope.ServiceProvider.GetRequiredService<IMemberStore>().GetMemberAsync(ProgramId.From(programId), Alice)).Should().NotBeNull();
        }

        // Another process moves the account on; the next request leases the same context and reads the account.
        await using (var scope = elsewhere.CreateAsyncScope())
        {
            (await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(Order("A-2"))).GetValueOrThrow();
        }

        await using (var scope = pool.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<PooledShopContext>().Should().BeSameAs(leased, "a pool of one leases the same context again");
            var account = await scope.ServiceProvider.GetRequiredService<ILedgerStore>().GetAccountAsync(new LedgerAccountKey(ProgramId.From(programId), Alice));
            account.OpenLots.Sum(l => l.Remaining).Should().Be(80, "the account read for the previous lease is not given to this one");
        }
    }

    [PostgresFact]
    public async Task An_order_held_back_and_refused_is_written_again_at_once_with_the_true_answer_on_PostgreSQL()
    {
        var database = fixture.Database("unit_of_work_refused", LoyaltyModelOptions.Default);
        using var meter = new OrderMeter();
        var (root, programId) = await StartAsync(database.Loyalty, o => o.UseNpgsql(database.ConnectionString), s => s.AddSingleton<IMeterFactory>(meter));
        await using (root)
        {
            await using (var scope = root.CreateAsyncScope())
            {
                (await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(Order("A-1"))).GetValueOrThrow().Points.Should().Be(Points.FromInt64(40));
            }

            meter.Start();

            // A repeat: its held-back batch is refused on the order's key (the member's version was the
            // current one); the call runs again, writing at once, and answers with the stored order.
            await using (var scope = root.CreateAsyncScope())
            {
                var repeat = await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(Order("A-1"));
                repeat.IsRepeat.Should().BeTrue();
                repeat.GetValueOrThrow().Points.Should().Be(Points.FromInt64(40));
            }

            // Two scopes racing for the same member: one batch wins, the other is refused at the
            // member's version and the order is evaluated again from the re-read member.
            await Task.WhenAll(Enumerable.Range(2, 6).Select(async i =>
            {
                await using var scope = root.CreateAsyncScope();
                (await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(Order("A-" + i))).GetValueOrThrow();
            }));

            await using (var scope = root.CreateAsyncScope())
            {
                var members = scope.ServiceProvider.GetRequiredService<IMemberStore>();
                var history = await members.GetHistoryAsync(programId, Alice);
                history.Orders.Select(o => o.OrderId.Value).Should().BeEquivalentTo(Enumerable.Range(1, 7).Select(i => "A-" + i));
                (await members.GetMemberAsync(programId, Alice))!.Evaluation!.OrderCount.Should().Be(7);
                (await scope.ServiceProvider.GetRequiredService<PointsLedger>().GetBalanceAsync(Alice)).Pending.Should().Be(Points.FromInt64(7 * 40));
            }

            meter.Orders.Should().Be(6, "the repeat and the runs whose writes were refused are not counted");
            meter.Earned.Should().Be(6 * 40);
        }
    }

    private static async Task FailedEarnScenarioAsync(LoyaltyModelOptions loyalty, Action<DbContextOptionsBuilder> provider)
    {
        var fault = new FaultSwitch();
        var (root, programId) = await StartAsync(loyalty, provider, s =>
            s.Replace(ServiceDescriptor.Scoped<ILedgerStore>(sp => new FailingLedgerStore(new EntityFrameworkLedgerStore(sp.GetRequiredService<ShopContext>()), fault))));
        await using (root)
        {
            fault.Armed = true;
            await using (var scope = root.CreateAsyncScope())
            {
                var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
                var act = () => program.RecordOrderAsync(Order("A-1"));
                await act.Should().ThrowAsync<LoyaltyStoreException>().WithMessage("Injected fault in the ledger append.");

                // The same scope goes on working: the rolled-back earn is not cached.
                (await program.GetMemberSummaryAsync(Alice)).GetValueOrThrow().Balance.Pending.Should().Be(Points.Zero);
            }

            await using (var scope = root.CreateAsyncScope())
            {
                var members = scope.ServiceProvider.GetRequiredService<IMemberStore>();
                (await members.GetOrderAsync(programId, OrderId.From("A-1"))).Should().BeNull("the order was rolled back with its points");
                var member = (await members.GetMemberAsync(programId, Alice))!;
                member.Evaluation!.OrderCount.Should().Be(0, "the member's state was rolled back with the order");
                (await members.GetHistoryAsync(programId, Alice)).Orders.Should().BeEmpty();
                (await scope.ServiceProvider.GetRequiredService<PointsLedger>().GetBalanceAsync(Alice)).Pending.Should().Be(Points.Zero);
            }

            fault.Armed = false;
            await using (var scope = root.CreateAsyncScope())
            {
                var receipt = (await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(Order("A-1"))).GetValueOrThrow();
                receipt.Points.Should().Be(Points.FromInt64(40));
                (await scope.ServiceProvider.GetRequiredService<PointsLedger>().GetBalanceAsync(Alice)).Pending.Should().Be(Points.FromInt64(40));
            }
        }
    }

    private static async Task FailedReversalScenarioAsync(LoyaltyModelOptions loyalty, Action<DbContextOptionsBuilder> provider)
    {
        // Only the reversal fails: the order's earn (written again, idempotently, by the refund) goes through.
        var fault = new FaultSwitch { When = a => a.Transactions.Any(t => t.Kind == LedgerTransactionKind.Reverse) };
        var (root, programId) = await StartAsync(loyalty, provider, s =>
            s.Replace(ServiceDescriptor.Scoped<ILedgerStore>(sp => new FailingLedgerStore(new EntityFrameworkLedgerStore(sp.GetRequiredService<ShopContext>()), fault))));
        await using (root)
        {
            var refund = new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(0, 1)));
            await using (var scope = root.CreateAsyncScope())
            {
                var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
                (await program.RecordOrderAsync(Order("A-1"))).GetValueOrThrow();
                fault.Armed = true;
                var act = () => program.RecordRefundAsync(refund);
                await act.Should().ThrowAsync<LoyaltyStoreException>().WithMessage("Injected fault in the ledger append.");
            }

            await using (var scope = root.CreateAsyncScope())
            {
                var members = scope.ServiceProvider.GetRequiredService<IMemberStore>();
                (await members.GetRefundAsync(programId, RefundId.From("R-1"))).Should().BeNull("the refund was rolled back with its reversal");
                (await members.GetHistoryAsync(programId, Alice)).Refunds.Should().BeEmpty();
                (await scope.ServiceProvider.GetRequiredService<PointsLedger>().GetBalanceAsync(Alice)).Pending.Should().Be(Points.FromInt64(40));
            }

            fault.Armed = false;
            await using (var scope = root.CreateAsyncScope())
            {
                (await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RecordRefundAsync(refund)).GetValueOrThrow().PointsReversed.Should().Be(Points.FromInt64(40));
                (await scope.ServiceProvider.GetRequiredService<PointsLedger>().GetBalanceAsync(Alice)).Pending.Should().Be(Points.Zero);
            }
        }
    }

    private static async Task ShopTransactionScenarioAsync(LoyaltyModelOptions loyalty, Action<DbContextOptionsBuilder> provider)
    {
        var (root, programId) = await StartAsync(loyalty, provider, _ => { });
        await using (root)
        {
            await using (var scope = root.CreateAsyncScope())
            {
                var shop = scope.ServiceProvider.GetRequiredService<ShopContext>();
                await using var transaction = await shop.Database.BeginTransactionAsync();
                shop.Orders.Add(new ShopOrder { Reference = "A-1", Total = 40m });
                await shop.SaveChangesAsync();
                (await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(Order("A-1"))).Succeeded.Should().BeTrue();
                await transaction.RollbackAsync();
            }

            await using (var scope = root.CreateAsyncScope())
            {
                (await scope.ServiceProvider.GetRequiredService<ShopContext>().Orders.CountAsync()).Should().Be(0);
                (await scope.ServiceProvider.GetRequiredService<IMemberStore>().GetOrderAsync(programId, OrderId.From("A-1"))).Should().BeNull("the shop rolled its transaction back");
                (await scope.ServiceProvider.GetRequiredService<PointsLedger>().GetBalanceAsync(Alice)).Pending.Should().Be(Points.Zero);
            }

            await using (var scope = root.CreateAsyncScope())
            {
                var shop = scope.ServiceProvider.GetRequiredService<ShopContext>();
                await using var transaction = await shop.Database.BeginTransactionAsync();
                shop.Orders.Add(new ShopOrder { Reference = "A-1", Total = 40m });
                await shop.SaveChangesAsync();
                (await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(Order("A-1"))).Succeeded.Should().BeTrue();
                await transaction.CommitAsync();
            }

            await using (var scope = root.CreateAsyncScope())
            {
                (await scope.ServiceProvider.GetRequiredService<ShopContext>().Orders.CountAsync()).Should().Be(1);
                (await scope.ServiceProvider.GetRequiredService<IMemberStore>().GetOrderAsync(programId, OrderId.From("A-1"))).Should().NotBeNull();
                (await scope.ServiceProvider.GetRequiredService<PointsLedger>().GetBalanceAsync(Alice)).Pending.Should().Be(Points.FromInt64(40));
            }
        }
    }

    /// <summary>Records a warm-up order, then two new orders, each counted on its own: what the server received, and the transactions committed.</summary>
    private static async Task<(Round First, Round Second)> RoundTripScenarioAsync(LoyaltyModelOptions loyalty, Action<DbContextOptionsBuilder> provider, CommandCounter counter, CommandLog? log = null)
    {
        var (root, _) = await StartAsync(loyalty, provider, _ => { }, counter);
        await using (root)
        {
            (await OrderAsync("A-0")).Should().BeTrue(); // warms the rule set cache and the account state
            var rounds = new List<Round>();
            foreach (var id in new[] { "A-1", "A-2" })
            {
                counter.Reset();
                log?.Clear();
                (await OrderAsync(id)).Should().BeTrue();
                rounds.Add(new Round(counter.Statements, log?.Lines ?? [], counter.Transactions));
            }

            return (rounds[0], rounds[1]);
        }

        async Task<bool> OrderAsync(string id)
        {
            // One scope per order, as a web shop's request.
            await using var scope = root.CreateAsyncScope();
            return (await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(Order(id))).Succeeded;
        }
    }

    /// <summary>The statements SQLite runs for a new order of a member already known (docs/programs.md).</summary>
    private const int SqliteStatementsPerOrder = 15;

    private static bool IsSelect(string statement) => statement.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase);

    private sealed record Round(IReadOnlyList<string> Statements, IReadOnlyList<string> RoundTrips, int Transactions);

    /// <summary>The programme's meter factory, listening to what its meters count: orders recorded and points earned.</summary>
    private sealed class OrderMeter : IMeterFactory
    {
        private readonly List<Meter> created = [];
        private readonly MeterListener listener = new();
        private long orders;
        private long earned;

        public long Orders => Interlocked.Read(ref orders);

        public long Earned => Interlocked.Read(ref earned);

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, this);
            lock (created)
            {
                created.Add(meter);
            }

            return meter;
        }

        /// <summary>Counts from now on (what happened before is not counted).</summary>
        public void Start()
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                lock (created)
                {
                    if (created.Contains(instrument.Meter))
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                }
            };
            listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                if (instrument.Name == "loyalty.orders.recorded")
                {
                    Interlocked.Add(ref orders, value);
                }
                else if (instrument.Name == "loyalty.points.earned")
                {
                    Interlocked.Add(ref earned, value);
                }
            });
            listener.Start();
        }

        public void Dispose()
        {
            listener.Dispose();
            lock (created)
            {
                created.ForEach(m => m.Dispose());
            }
        }
    }

    private static EarningOrder Order(string id) =>
        new(OrderId.From(id), Alice, Now, Currency.EUR, [new OrderLine("SKU", 1, 40m)]);

    private static async Task<(ServiceProvider Root, ProgramId ProgramId)> StartAsync(LoyaltyModelOptions loyalty, Action<DbContextOptionsBuilder> provider, Action<IServiceCollection> replace, CommandCounter? counter = null)
    {
        var programId = "club-" + Guid.NewGuid().ToString("N")[..8];
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FakeClock(Now));
        services.AddSingleton(loyalty);
        services.AddDbContext<ShopContext>(o =>
        {
            provider(o);
            if (counter is not null)
            {
                o.AddInterceptors(counter, counter.Commits, counter.Connections);
            }
        });
        services.AddLoyalty(o =>
        {
            o.ProgramId = programId;
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.FromDays(14);
        }).UseEntityFrameworkCore<ShopContext>();
        replace(services);
        var root = services.BuildServiceProvider(validateScopes: true);
        await using (var scope = root.CreateAsyncScope())
        {
            var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
            await program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-03", Now - Duration.FromDays(1), Currency.EUR, "Europe/Paris").EarnPerUnit("base", 1m).Build());
            (await program.EnrolAsync(new Enrolment(Alice))).GetValueOrThrow();
        }

        return (root, ProgramId.From(programId));
    }

    /// <summary>A shop's context with the default loyalty model and the one constructor a context pool needs.</summary>
    private sealed class PooledShopContext(DbContextOptions<PooledShopContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyLoyaltyModel();
    }

    private sealed class FaultSwitch
    {
        public bool Armed { get; set; }

        /// <summary>Which appends fail when armed (all when null).</summary>
        public Func<LedgerAppend, bool>? When { get; init; }
    }

    private sealed class FailingLedgerStore(ILedgerStore inner, FaultSwitch fault) : ForwardingLedgerStore(inner)
    {
        public override async ValueTask<LedgerAppendResult> AppendAsync(LedgerAppend append, CancellationToken cancellationToken = default)
        {
            // The append is written, then the call fails (as when the connection drops before the answer).
            var result = await Inner.AppendAsync(append, cancellationToken);
            return fault.Armed && (fault.When?.Invoke(append) ?? true) ? throw new LoyaltyStoreException("Injected fault in the ledger append.", isTransient: true) : result;
        }
    }

    /// <summary>Collects Npgsql's log of the commands sent to the server (one line per round trip).</summary>
    private sealed class CommandLog : ILoggerProvider
    {
        private readonly List<string> lines = [];

        public int Commands { get { lock (lines) { return lines.Count; } } }

        public IReadOnlyList<string> Lines { get { lock (lines) { return [.. lines]; } } }

        public void Clear()
        {
            lock (lines)
            {
                lines.Clear();
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CommandLog owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var message = formatter(state, exception);
                if ((category == "Npgsql.Command" && message.Contains("execution completed", StringComparison.Ordinal))
                    || (category == "Npgsql.Transaction" && message.StartsWith("Committed", StringComparison.Ordinal)))
                {
                    lock (owner.lines)
                    {
                        owner.lines.Add(message.Length > 160 ? message[..160] : message);
                    }
                }
            }
        }
    }

    /// <summary>Counts the commands the context sends and the transactions it commits.</summary>
    private sealed class CommandCounter : DbCommandInterceptor
    {
        private readonly List<string> statements = [];

        public CommandCounter() => (Commits, Connections) = (new CommitCounter(this), new StatementTrace(this));

        public DbTransactionInterceptor Commits { get; }

        /// <summary>On SQLite, collects every statement the engine runs (the stores' own commands bypass EF Core's command interceptors).</summary>
        public DbConnectionInterceptor Connections { get; }

        public int Commands { get; private set; }

        public int Reads { get; private set; }

        public int Transactions { get; set; }

        public IReadOnlyList<string> Statements { get { lock (statements) { return [.. statements]; } } }

        public void Reset()
        {
            (Commands, Reads, Transactions) = (0, 0, 0);
            lock (statements)
            {
                statements.Clear();
            }
        }

        private sealed class StatementTrace(CommandCounter owner) : DbConnectionInterceptor
        {
            public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
            {
                if (connection is Microsoft.Data.Sqlite.SqliteConnection sqlite)
                {
                    SQLitePCL.raw.sqlite3_trace(sqlite.Handle, (_, statement) =>
                    {
                        lock (owner.statements)
                        {
                            owner.statements.Add(statement.Length > 160 ? statement[..160] : statement);
                        }
                    }, null);
                }

                return Task.CompletedTask;
            }

            public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
                => ConnectionOpenedAsync(connection, eventData).GetAwaiter().GetResult();
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Commands++;
            Reads += command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) ? 1 : 0;
            return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Commands++;
            return base.NonQueryExecutingAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Commands++;
            return base.ScalarExecutingAsync(command, eventData, result, cancellationToken);
        }

        private sealed class CommitCounter(CommandCounter owner) : DbTransactionInterceptor
        {
            public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
            {
                owner.Transactions++;
                return Task.CompletedTask;
            }
        }
    }
}
