using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;

namespace Loyalty.Core.Tests.Storage.InMemory;

public class InMemoryCampaignBudgetStoreTests
{
    private static readonly ProgramId Club = ProgramId.From("club");
    private static readonly RuleId Spring = RuleId.From("spring");
    private const long Budget = 1_000;

    /// <summary>A sequence of reservations (key 0 to 4, 1 to 400 points) and settlements (key 0 to 4, 0 to 400 points).</summary>
    public static class Arbitraries
    {
        public static Arbitrary<(bool Reserve, int Key, int Points)[]> Operations() =>
            Gen.ArrayOf(
                    from reserve in Gen.Elements(true, true, false)
                    from key in Gen.Choose(0, 4)
                    from points in Gen.Choose(reserve ? 1 : 0, 400)
                    select (reserve, key, points))
                .ToArbitrary();
    }

    [Property(MaxTest = 200 / PropertyRuns.Divisor, Arbitrary = [typeof(Arbitraries)])]
    public Property What_the_keys_hold_adds_up_to_the_usage_and_never_exceeds_the_budget((bool Reserve, int Key, int Points)[] operations)
    {
        var store = new InMemoryCampaignBudgetStore();
        var model = new long[5];
        foreach (var (reserve, key, points) in operations)
        {
            if (reserve)
            {
                var room = Budget - model.Sum();
                var expected = model[key] >= points ? model[key] : model[key] + Math.Min(points - model[key], room);
                var granted = store.ReserveAsync(Club, Spring, Key(key), Points.FromInt64(points), Points.FromInt64(Budget)).AsTask().GetAwaiter().GetResult();
                if (granted.Value != expected)
                {
                    return false.Label($"reserving {points} for key {key} granted {granted}, expected {expected}");
                }

                model[key] = expected;
            }
            else
            {
                store.SettleAsync(Club, Key(key), [new CampaignGrant(Spring, Points.FromInt64(points))]).AsTask().GetAwaiter().GetResult();
                model[key] = Math.Min(model[key], points);
            }
        }

        var usage = Enumerable.Range(0, 5).Select(k => store.GetUsageAsync(Club, Spring, Key(k)).AsTask().GetAwaiter().GetResult()).ToArray();
        return (usage.All(u => u.Used.Value == model.Sum()) && model.Sum() <= Budget && usage.Select(u => u.HeldByKey.Value).SequenceEqual(model))
            .Label($"held {string.Join(", ", model)}; store says used {usage[0].Used}, held {string.Join(", ", usage.Select(u => u.HeldByKey))}");
    }

    [Fact]
    public async Task Parallel_reservations_of_many_keys_give_out_exactly_the_budget()
    {
        var store = new InMemoryCampaignBudgetStore();

        var grants = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(async () => await store.ReserveAsync(Club, Spring, Key(i), Points.FromInt64(70), Points.FromInt64(Budget)))));

        grants.Sum(g => g.Value).Should().Be(Budget);
        (await store.GetUsageAsync(Club, Spring, Key(0))).Used.Should().Be(Points.FromInt64(Budget));
    }

    private static TransactionId Key(int key) => TransactionId.From("order:" + key);
}
