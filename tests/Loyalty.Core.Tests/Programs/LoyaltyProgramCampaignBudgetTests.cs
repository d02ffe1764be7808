using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Microsoft.Extensions.DependencyInjection;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

/// <summary>
/// The spring campaign of the examples: 150 bonus points per order while its budget of 1,000
/// points lasts, across all members.
/// </summary>
public class LoyaltyProgramCampaignBudgetTests
{
    private static readonly ProgramId Club = ProgramId.From("club");
    private static readonly RuleId Spring = RuleId.From("spring");

    private static EarningRuleSet SpringRules { get; } = new EarningRuleSetBuilder("2026-03", At(2026, 3, 1, 0), Currency.EUR, "Europe/Paris")
        .EarnPerUnit("base", 1m)
        .FixedBonus("spring", 150, configure: r => r with { Caps = new RuleCaps { CampaignBudget = Points.FromInt64(1_000) } })
        .Build();

    [Fact]
    public async Task Two_members_ordering_in_parallel_never_get_more_than_the_budget()
    {
        var budgets = new InMemoryCampaignBudgetStore();
        using var h = await SpringAsync(s => s.AddSingleton<ICampaignBudgetStore>(budgets));

        // Two members, ten orders each, every order delivered twice (a retrying webhook), all at once.
        var calls = Enumerable.Range(0, 40).Select(i =>
        {
            var member = i % 2 == 0 ? Alice : Bob;
            var id = $"{member}-{i / 2 % 10}";
            return Task.Run(() => h.Program.RecordOrderAsync(Order(id, member, h.Now, Line("SKU", 1, 40m))));
        }).ToList();
        var results = await Task.WhenAll(calls);

        results.Should().OnlyContain(r => r.Succeeded);
        var recorded = results.Where(r => !r.IsRepeat).Select(r => r.Value!).ToList();
        recorded.Should().HaveCount(20);
        recorded.Sum(r => r.Earning[Spring].Awarded.Value).Should().Be(1_000, "3,000 points were asked for, the budget gives out 1,000");
        recorded.Should().OnlyContain(r => r.Earning[Spring].Awarded <= P(150));
        (await budgets.GetUsageAsync(Club, Spring, DerivedIds.Order(OrderId.From("none")))).Used.Should().Be(P(1_000));
        var earned = (await h.BalanceAsync(Alice)).Earned + (await h.BalanceAsync(Bob)).Earned;
        earned.Should().Be(P((20 * 40) + 1_000), "40 points per order, and the budget");
    }

    [Fact]
    public async Task A_retried_order_does_not_use_the_budget_twice()
    {
        var budgets = new InMemoryCampaignBudgetStore();
        using var h = await SpringAsync(s => s.AddSingleton<ICampaignBudgetStore>(budgets));
        var order = Order("A-1", Alice, h.Now, Line("SKU", 1, 40m));

        var first = (await h.Program.RecordOrderAsync(order)).GetValueOrThrow();
        var again = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => h.Program.RecordOrderAsync(order))));

        first.Earning[Spring].Awarded.Should().Be(P(150));
        again.Should().OnlyContain(r => r.Succeeded && r.IsRepeat);
        (await budgets.GetUsageAsync(Club, Spring, DerivedIds.Order(order.Id))).Should().Be(new CampaignBudgetUsage(P(150), P(150)));
    }

    [Fact]
    public async Task A_call_interrupted_after_its_reservation_reuses_it_when_retried()
    {
        var budgets = new InMemoryCampaignBudgetStore();
        using var h = await SpringAsync(s => s.AddSingleton<ICampaignBudgetStore>(budgets));

        // The first attempt reserved its bonus, then the process stopped before the order was written.
        await budgets.ReserveAsync(Club, Spring, DerivedIds.Order(OrderId.From("A-1")), P(150), P(1_000));
        var result = await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 40m)));

        result.IsRepeat.Should().BeFalse();
        result.GetValueOrThrow().Earning[Spring].Awarded.Should().Be(P(150));
        (await budgets.GetUsageAsync(Club, Spring, DerivedIds.Order(OrderId.From("A-1")))).Used.Should().Be(P(150));
    }

    [Fact]
    public async Task When_another_member_takes_the_budget_first_the_order_is_evaluated_again_with_what_is_left()
    {
        var budgets = new InterposingBudgetStore(async inner =>
            await inner.ReserveAsync(Club, Spring, DerivedIds.Order(OrderId.From("B-1")), P(950), P(1_000)));
        using var h = await SpringAsync(s => s.AddSingleton<ICampaignBudgetStore>(budgets));

        var receipt = (await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 40m)))).GetValueOrThrow();

        receipt.Earning[Spring].Awarded.Should().Be(P(50), "Bob's order took 950 of the 1,000 between the read and the reservation");
        receipt.Points.Should().Be(P(40 + 50));
        (await budgets.GetUsageAsync(Club, Spring, DerivedIds.Order(OrderId.From("A-1")))).Should().Be(new CampaignBudgetUsage(P(1_000), P(50)));
        (await h.Program.RecordOrderAsync(Order("A-2", Alice, h.Now, Line("SKU", 1, 40m)))).GetValueOrThrow().Earning[Spring].Outcome.Should().Be(RuleOutcome.CapReached);
    }

    [Fact]
    public async Task A_refund_does_not_give_budget_back()
    {
        var budgets = new InMemoryCampaignBudgetStore();
        using var h = await SpringAsync(s => s.AddSingleton<ICampaignBudgetStore>(budgets));
        await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 40m)));

        var refund = (await h.Program.RecordRefundAsync(new RefundRequest(RefundId.From("R-1"), OrderId.From("A-1"), OrderRefund.ForLines(new LineRefund(0, 1))))).GetValueOrThrow();

        refund.PointsReversed.Should().Be(P(190));
        (await budgets.GetUsageAsync(Club, Spring, DerivedIds.Order(OrderId.From("A-1")))).Used.Should().Be(P(150), "the budget counts what was given out, refunded or not");
    }

    [Fact]
    public async Task A_quote_shows_what_the_budget_has_left_for_all_members()
    {
        using var h = await SpringAsync();
        for (var i = 0; i < 6; i++)
        {
            await h.Program.RecordOrderAsync(Order($"B-{i}", Bob, h.Now, Line("SKU", 1, 40m)));
        }

        var quote = (await h.Program.QuoteAsync(Order("cart-1", Alice, h.Now, Line("SKU", 1, 40m)))).GetValueOrThrow();

        quote.Earning[Spring].Awarded.Should().Be(P(100), "Bob's six orders took 900 of the 1,000");
        quote.Points.Should().Be(P(140));
    }

    private static async Task<ProgramHarness> SpringAsync(Action<IServiceCollection>? replace = null)
    {
        var h = new ProgramHarness(o => o.Ledger.PendingPeriod = TimeSpan.Zero, replace: replace);
        await h.ConfigureAsync();
        await h.Program.PublishRuleSetAsync(SpringRules);
        await h.EnrolAsync(Alice);
        await h.EnrolAsync(Bob);
        return h;
    }

    /// <summary>Runs another member's reservation just before the first one it is asked for.</summary>
    private sealed class InterposingBudgetStore(Func<ICampaignBudgetStore, Task> before) : ICampaignBudgetStore
    {
        private readonly InMemoryCampaignBudgetStore inner = new();
        private int calls;

        public ValueTask<CampaignBudgetUsage> GetUsageAsync(ProgramId programId, RuleId ruleId, TransactionId key, CancellationToken cancellationToken = default) => inner.GetUsageAsync(programId, ruleId, key, cancellationToken);

        public async ValueTask<Points> ReserveAsync(ProgramId programId, RuleId ruleId, TransactionId key, Points points, Points budget, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await before(inner);
            }

            return await inner.ReserveAsync(programId, ruleId, key, points, budget, cancellationToken);
        }

        public ValueTask SettleAsync(ProgramId programId, TransactionId key, IReadOnlyCollection<CampaignGrant> grants, CancellationToken cancellationToken = default) => inner.SettleAsync(programId, key, grants, cancellationToken);
    }
}
