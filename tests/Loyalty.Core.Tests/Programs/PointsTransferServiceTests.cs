using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Loyalty.Core.Transfers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

/// <summary>
/// Alice gives points to Bob: only what is available, within the limits per transfer and per month,
/// each received lot keeping the expiry of the lot it came from; a retry moves nothing more.
/// </summary>
public sealed class PointsTransferServiceTests
{
    private static readonly MemberId Carol = MemberId.From("carol");

    [Fact]
    public async Task The_points_received_keep_the_expiry_of_the_lots_they_came_from()
    {
        using var h = await HarnessAsync();
        var welcome = (await h.Ledger.FindTransactionAsync(TransactionId.From("activity:signup:alice")))!;
        h.AdvanceDays(40);
        var first = await CreditAsync(h, Alice, 100, "c-1");
        h.AdvanceDays(40);
        var second = await CreditAsync(h, Alice, 100, "c-2");

        var record = (await Transfers(h).TransferAsync(new PointsTransfer(TransferId.From("gift-1"), Alice, Bob, P(250)) { Message = "Bon anniversaire" })).GetValueOrThrow();

        record.Status.Should().Be(PointsTransferStatus.Completed);
        record.TransferredAt.Should().Be(h.Now);
        record.Legs.Should().Equal(
            new PointsTransferLeg(P(100), welcome.ExpiresAt),
            new PointsTransferLeg(P(100), first.ExpiresAt),
            new PointsTransferLeg(P(50), second.ExpiresAt));
        new[] { welcome.ExpiresAt, first.ExpiresAt, second.ExpiresAt }.Should().OnlyHaveUniqueItems().And.NotContainNulls();
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(50), "100 welcome + 200 credited − 250 given");
        (await h.BalanceAsync(Bob)).Available.Should().Be(P(350), "100 welcome + 250 received, available at once");
        var bobs = await h.Ledger.GetExpiryScheduleAsync(Bob, 3660);
        bobs.Where(e => e.ExpiresAt == first.ExpiresAt).Sum(e => e.Amount.Value).Should().Be(100);
        bobs.Where(e => e.ExpiresAt == second.ExpiresAt).Sum(e => e.Amount.Value).Should().Be(50);
        bobs.Where(e => e.ExpiresAt == welcome.ExpiresAt).Sum(e => e.Amount.Value).Should().Be(200, "Bob's own welcome points and Alice's expire together");
    }

    [Fact]
    public async Task Pending_points_are_never_transferred()
    {
        using var h = await HarnessAsync();
        await h.OrderAsync("A-1", Alice, 400m);
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(400));

        var refused = await Transfers(h).TransferAsync(new PointsTransfer(TransferId.From("gift-1"), Alice, Bob, P(150)));

        refused.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.InsufficientPoints, "Member 'alice' has 100 points available; 150 are needed."));
        (await Transfers(h).GetTransferAsync(TransferId.From("gift-1"))).Should().BeNull();
    }

    [Fact]
    public async Task A_transfer_is_idempotent_by_its_id()
    {
        using var h = await HarnessAsync();
        await CreditAsync(h, Alice, 1000, "c-1");
        var gift = new PointsTransfer(TransferId.From("gift-1"), Alice, Bob, P(300));
        var first = await Transfers(h).TransferAsync(gift);

        var again = await Transfers(h).TransferAsync(gift);
        again.IsRepeat.Should().BeTrue();
        again.Value.Should().BeEquivalentTo(first.Value);
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(800));
        (await h.BalanceAsync(Bob)).Available.Should().Be(P(400));

        var changed = await Transfers(h).TransferAsync(gift with { Points = P(301) });
        changed.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.IdempotencyConflict, "Transfer 'gift-1' was made with another Points (300 points from 'alice' to 'bob'); use a new transfer id.", "Points"));
    }

    [Fact]
    public async Task Every_refusal_has_its_own_code_and_message()
    {
        using var h = await HarnessAsync(o => { o.MinimumPoints = 10; o.MaxPointsPerTransfer = 400; o.MaxPointsPerPeriod = 500; });
        await CreditAsync(h, Alice, 2000, "c-1");
        var transfers = Transfers(h);
        LoyaltyError? Refusal(LoyaltyResult<PointsTransferRecord> r) => r.Error;

        Refusal(await transfers.TransferAsync(new PointsTransfer(TransferId.From("t-self"), Alice, Alice, P(50)))).Should().Be(new LoyaltyError(
            LoyaltyErrorCode.TransferToSelf, "Member 'alice' cannot transfer points to themselves; choose another member."));
        Refusal(await transfers.TransferAsync(new PointsTransfer(TransferId.From("t-zoe"), Alice, MemberId.From("zoe"), P(50)))).Should().Be(new LoyaltyError(
            LoyaltyErrorCode.TransferRecipientNotFound, "Member 'zoe' is not enrolled in the programme; points can only be transferred to an enrolled member."));
        Refusal(await transfers.TransferAsync(new PointsTransfer(TransferId.From("t-from-zoe"), MemberId.From("zoe"), Alice, P(50)))).Should().Be(new LoyaltyError(
            LoyaltyErrorCode.MemberNotFound, "Member 'zoe' is not enrolled in the programme; enrol them first."));
        Refusal(await transfers.TransferAsync(new PointsTransfer(TransferId.From("t-small"), Alice, Bob, P(5)))).Should().Be(new LoyaltyError(
            LoyaltyErrorCode.TransferBelowMinimum, "A transfer must move at least 10 points (asked 5)."));
        Refusal(await transfers.TransferAsync(new PointsTransfer(TransferId.From("t-big"), Alice, Bob, P(401)))).Should().Be(new LoyaltyError(
            LoyaltyErrorCode.TransferAboveLimit, "A transfer may move at most 400 points (asked 401)."));

        (await transfers.TransferAsync(new PointsTransfer(TransferId.From("t-1"), Alice, Bob, P(300)))).Succeeded.Should().BeTrue();
        Refusal(await transfers.TransferAsync(new PointsTransfer(TransferId.From("t-2"), Alice, Carol, P(300)))).Should().Be(new LoyaltyError(
            LoyaltyErrorCode.TransferPeriodLimitReached, "Member 'alice' gave 300 points this month (since 2026-02-28T23:00:00Z); 300 more would exceed the limit of 500 points per month."));
        (await transfers.GetTransferAsync(TransferId.From("t-2"))).Should().BeNull("a refused transfer leaves nothing");

        h.Clock.Reset(At(2026, 4, 1, 0));
        (await transfers.TransferAsync(new PointsTransfer(TransferId.From("t-2"), Alice, Carol, P(300)))).Succeeded.Should().BeTrue("April is a new period in Paris");
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(1500));
    }

    [Fact]
    public async Task Concurrent_transfers_never_overspend_either_side()
    {
        using var h = await HarnessAsync();
        await CreditAsync(h, Alice, 900, "c-1");
        var transfers = Transfers(h);
        var total = await TotalAsync(h);

        // Alice gives Bob 300 eight times while Bob gives Carol 250 eight times, all at once.
        var toBob = Enumerable.Range(0, 8).Select(i => Task.Run(() => transfers.TransferAsync(new PointsTransfer(TransferId.From("ab-" + i), Alice, Bob, P(300)))));
        var toCarol = Enumerable.Range(0, 8).Select(i => Task.Run(() => transfers.TransferAsync(new PointsTransfer(TransferId.From("bc-" + i), Bob, Carol, P(250)))));
        var results = await Task.WhenAll(toBob.Concat(toCarol));

        results.Where(r => !r.Succeeded).Should().OnlyContain(r => r.ErrorCode == LoyaltyErrorCode.InsufficientPoints);
        var aliceGave = results.Where(r => r.Succeeded && r.Value!.From == Alice).Sum(r => r.Value!.Points.Value);
        var bobGave = results.Where(r => r.Succeeded && r.Value!.From == Bob).Sum(r => r.Value!.Points.Value);
        aliceGave.Should().BeLessThanOrEqualTo(1000);
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(1000 - aliceGave)).And.BeGreaterThanOrEqualTo(Points.Zero);
        (await h.BalanceAsync(Bob)).Available.Should().Be(P(100 + aliceGave - bobGave)).And.BeGreaterThanOrEqualTo(Points.Zero);
        (await h.BalanceAsync(Carol)).Available.Should().Be(P(100 + bobGave));
        (await TotalAsync(h)).Should().Be(total, "transfers move points, they never make or lose any");
    }

    [Fact]
    public async Task Invalid_options_are_refused_with_every_problem_named()
    {
        using var h = await HarnessAsync();
        var options = new PointsTransferOptions { MinimumPoints = 0, MaxPointsPerTransfer = 100, MaxPointsPerPeriod = 50, Period = (TransferPeriod)9 };
        options.Validate().Should().Equal(
            "Loyalty:Transfers:MinimumPoints must be 1 or more (was 0).",
            "Loyalty:Transfers:MaxPointsPerPeriod must be at least MaxPointsPerTransfer (100) (was 50).",
            "Loyalty:Transfers:Period must be Day, Week, Month or Year (was 9).");

        var services = new ServiceCollection();
        services.AddLoyalty(o => { o.ProgramId = "club"; o.Currency = "EUR"; o.TimeZone = "Europe/Paris"; })
            .AddPointsTransfers(o => o.MaxPointsPerTransfer = 0);
        using var provider = services.BuildServiceProvider();
        var start = () => provider.GetRequiredService<IOptions<PointsTransferOptions>>().Value;
        start.Should().Throw<OptionsValidationException>().WithMessage("Loyalty:Transfers:MaxPointsPerTransfer must be at least MinimumPoints (1) and 1 or more (was 0).");

        var bad = () => new PointsTransfer(TransferId.From("t"), Alice, Bob, P(1)) with { Message = new string('x', 281) };
        var refused = () => Transfers(h).TransferAsync(bad());
        await refused.Should().ThrowAsync<ArgumentException>().WithMessage("transfer.Message must be at most 280 characters (was 281); shorten it. (Parameter 'transfer')");
    }

    [Theory]
    [InlineData(TransferPeriod.Day, "2026-03-17T23:00:00Z")]
    [InlineData(TransferPeriod.Week, "2026-03-15T23:00:00Z")]
    [InlineData(TransferPeriod.Month, "2026-02-28T23:00:00Z")]
    [InlineData(TransferPeriod.Year, "2025-12-31T23:00:00Z")]
    public async Task A_period_starts_at_midnight_in_Paris(TransferPeriod period, string expected)
    {
        using var h = await HarnessAsync(o => o.Period = period);
        Transfers(h).PeriodStart(At(2026, 3, 18, 10)).ToString().Should().Be(expected);
    }

    private static async Task<long> TotalAsync(ProgramHarness h)
    {
        long total = 0;
        foreach (var member in new[] { Alice, Bob, Carol })
        {
            total += (await h.BalanceAsync(member)).Available.Value;
        }

        return total;
    }

    private static PointsTransferService Transfers(ProgramHarness h) => h.Services.GetRequiredService<PointsTransferService>();

    private static async Task<ProgramHarness> HarnessAsync(Action<PointsTransferOptions>? configure = null)
    {
        var h = new ProgramHarness(replace: s => s.AddLoyalty().AddPointsTransfers(configure));
        await h.ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.EnrolAsync(Bob);
        await h.EnrolAsync(Carol);
        return h;
    }

    private static async Task<LedgerTransactionRecord> CreditAsync(ProgramHarness h, MemberId member, long points, string id)
    {
        var credit = await h.Ledger.AdjustAsync(new AdjustPoints(TransactionId.From(id), member, AdjustmentDirection.Credit, P(points), "opening balance", "test"));
        return credit.Transaction!;
    }
}
