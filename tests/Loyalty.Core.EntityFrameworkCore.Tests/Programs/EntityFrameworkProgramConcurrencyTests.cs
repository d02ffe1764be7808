using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Programs;

/// <summary>
/// The programme on the EF Core stores, one scope (one context) per call as in a web shop: two
/// members' orders, each delivered twice, all at once, under a first-order bonus, a monthly
/// per-member cap and a programme-wide campaign budget.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class EntityFrameworkProgramConcurrencyTests(PostgresServerFixture fixture)
{
    private static readonly Instant Now = Instant.FromUtc(2026, 3, 2, 10, 0);
    private static readonly MemberId[] Members = [MemberId.From("alice"), MemberId.From("bob")];

    [Fact]
    public async Task Parallel_orders_keep_the_first_order_bonus_the_cap_and_the_budget_on_SQLite()
    {
        using var database = new SqliteDatabase();
        await ScenarioAsync(database.Loyalty, o => o.UseSqlite(database.ConnectionString));
    }

    [PostgresFact]
    public async Task Parallel_orders_keep_the_first_order_bonus_the_cap_and_the_budget_on_PostgreSQL()
    {
        var database = fixture.Database("programme", LoyaltyModelOptions.Default);
        await ScenarioAsync(database.Loyalty, o => o.UseNpgsql(database.ConnectionString));
    }

    private static async Task ScenarioAsync(LoyaltyModelOptions loyalty, Action<DbContextOptionsBuilder> provider)
    {
        var programId = "club-" + Guid.NewGuid().ToString("N")[..8];
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FakeClock(Now));
        services.AddSingleton(loyalty);
        services.AddDbContext<ShopContext>(provider);
        services.AddLoyalty(o =>
        {
            o.ProgramId = programId;
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
            o.Ledger.PendingPeriod = TimeSpan.Zero;
        }).UseEntityFrameworkCore<ShopContext>();
        await using var root = services.BuildServiceProvider(validateScopes: true);

        await using (var scope = root.CreateAsyncScope())
        {
            var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
            await program.PublishRuleSetAsync(new EarningRuleSetBuilder("2026-03", Now - Duration.FromDays(1), Currency.EUR, "Europe/Paris")
                .EarnPerUnit("base", 1m, r => r with { Caps = new RuleCaps { PerMember = new PeriodCap { Period = CapPeriod.Month, MaxPoints = Points.FromInt64(100) } } })
                .OrderCountBonus("first-order", 1, 300)
                .FixedBonus("spring", 150, configure: r => r with { Caps = new RuleCaps { CampaignBudget = Points.FromInt64(1_000) } })
                .Build());
            foreach (var member in Members)
            {
                (await program.EnrolAsync(new Enrolment(member))).Succeeded.Should().BeTrue();
            }
        }

        // Eight orders per member, each delivered twice, every call in a scope of its own. Each
        // call's outcome (or exception) is kept, so that a failure says what every call got.
        var calls = Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
        {
            var member = Members[i % 2];
            var order = new EarningOrder(OrderId.From($"{member}-{i / 2 % 8}"), member, Now, Currency.EUR, [new OrderLine("SKU", 1, 40m)]);
            try
            {
                await using var scope = root.CreateAsyncScope();
                return new Call(i, order.Id, await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().RecordOrderAsync(order), null);
            }
            catch (Exception ex)
            {
                return new Call(i, order.Id, null, ex);
            }
        })).ToList();
        var outcomes = await Task.WhenAll(calls);
        var report = Describe(outcomes);

        outcomes.Should().OnlyContain(c => c.Result != null && c.Result.Succeeded, "every call succeeds; {0}", report);
        var results = outcomes.Select(c => c.Result!).ToList();
        var recorded = results.Where(r => !r.IsRepeat).Select(r => r.Value!).ToList();
        recorded.Should().HaveCount(16, "each order is recorded once, its second delivery is a repeat; {0}", report);
        foreach (var member in Members)
        {
            var own = recorded.Where(r => r.MemberId == member).ToList();
            own.Count(r => r.Earning[RuleId.From("first-order")].Awarded.IsPositive).Should().Be(1, $"{member} has one first order; {{0}}", report);
            own.Sum(r => r.Earning[RuleId.From("base")].Awarded.Value).Should().Be(100, $"{member}'s 320 base points meet the monthly cap of 100; {{0}}", report);
        }

        recorded.Sum(r => r.Earning[RuleId.From("spring")].Awarded.Value).Should().Be(1_000, "16 × 150 points were asked of a budget of 1,000; {0}", report);
        await using (var scope = root.CreateAsyncScope())
        {
            var budgets = scope.ServiceProvider.GetRequiredService<ICampaignBudgetStore>();
            (await budgets.GetUsageAsync(ProgramId.From(programId), RuleId.From("spring"), TransactionId.From("order:none"))).Used.Should().Be(Points.FromInt64(1_000), "the budget holds what the orders were awarded; {0}", report);
            var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
            long earned = 0;
            foreach (var member in Members)
            {
                var summary = (await program.GetMemberSummaryAsync(member)).Value!;
                earned += summary.Balance.Earned.Value;
            }

            earned.Should().Be(recorded.Sum(r => r.Points.Value), "the ledger credited exactly what the receipts say; {0}", report);
            earned.Should().Be(2 * (300 + 100) + 1_000, "two first orders, two capped months and the whole budget; {0}", report);
        }
    }

    /// <summary>Every call's order and what it got: the receipt's points per rule, the error, or the exception.</summary>
    private static string Describe(IEnumerable<Call> outcomes)
    {
        var text = new System.Text.StringBuilder("calls:");
        foreach (var call in outcomes.OrderBy(c => c.OrderId.Value, StringComparer.Ordinal).ThenBy(c => c.Index))
        {
            text.Append("\n  #").Append(call.Index).Append(' ').Append(call.OrderId).Append(": ");
            if (call.Exception is { } ex)
            {
                text.Append("threw ").Append(ex);
            }
            else if (call.Result!.Error is { } error)
            {
                text.Append("failed ").Append(error);
            }
            else
            {
                var receipt = call.Result.Value!;
                text.Append(call.Result.IsRepeat ? "repeat " : "recorded ").Append(receipt.Points.Value).Append(" points (")
                    .AppendJoin(", ", new[] { "base", "first-order", "spring" }.Select(r => $"{r} {receipt.Earning[RuleId.From(r)].Awarded.Value}")).Append(')');
            }
        }

        return text.ToString();
    }

    private sealed record Call(int Index, OrderId OrderId, LoyaltyResult<OrderReceipt>? Result, Exception? Exception);
}
