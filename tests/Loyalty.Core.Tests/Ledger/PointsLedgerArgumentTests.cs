using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using NodaTime;
using static Loyalty.Core.Tests.Ledger.LedgerHarness;

namespace Loyalty.Core.Tests.Ledger;

/// <summary>Every write checks its own arguments before anything is read or written, naming the field to fix.</summary>
public class PointsLedgerArgumentTests
{
    private static readonly MerchantId NoMerchant = default;

    public static TheoryData<string, Func<PointsLedger, Task<LedgerResult>>> NullCommands => new()
    {
        { "earn", l => l.EarnAsync(null!) },
        { "redeem", l => l.RedeemAsync(null!) },
        { "hold", l => l.HoldAsync(null!) },
        { "capture", l => l.CaptureAsync(null!) },
        { "release", l => l.ReleaseAsync(null!) },
        { "reverse", l => l.ReverseAsync(null!) },
        { "adjust", l => l.AdjustAsync(null!) },
    };

    [Theory]
    [MemberData(nameof(NullCommands))]
    public async Task A_null_command_is_refused(string kind, Func<PointsLedger, Task<LedgerResult>> write)
    {
        var h = new LedgerHarness();
        (await FluentActions.Awaiting(() => write(h.Ledger)).Should().ThrowExactlyAsync<ArgumentNullException>(kind)).Which.ParamName.Should().Be("command");
    }

    public static TheoryData<string, Func<PointsLedger, Task<LedgerResult>>, string> BadFields => new()
    {
        { "redeem id", l => l.RedeemAsync(new RedeemPoints(default, Alice, P(1))), "Id must not be default; create one with TransactionId.From(...). (Parameter 'Id')" },
        { "redeem member", l => l.RedeemAsync(new RedeemPoints(Id("r"), default, P(1))), "MemberId must not be default; create one with MemberId.From(...). (Parameter 'MemberId')" },
        { "redeem merchant", l => l.RedeemAsync(new RedeemPoints(Id("r"), Alice, P(1)) { Merchant = NoMerchant }), MerchantMessage },
        { "hold id", l => l.HoldAsync(new HoldPoints(default, Alice, P(1))), "Id must not be default; create one with TransactionId.From(...). (Parameter 'Id')" },
        { "hold member", l => l.HoldAsync(new HoldPoints(Id("h"), default, P(1))), "MemberId must not be default; create one with MemberId.From(...). (Parameter 'MemberId')" },
        { "hold amount", l => l.HoldAsync(new HoldPoints(Id("h"), Alice, P(0))), "Amount must be greater than 0 points (was 0). (Parameter 'Amount')\nActual value was 0." },
        { "hold merchant", l => l.HoldAsync(new HoldPoints(Id("h"), Alice, P(1)) { Merchant = NoMerchant }), MerchantMessage },
        { "capture id", l => l.CaptureAsync(new CaptureHold(default, Alice, Id("h"))), "Id must not be default; create one with TransactionId.From(...). (Parameter 'Id')" },
        { "capture member", l => l.CaptureAsync(new CaptureHold(Id("c"), default, Id("h"))), "MemberId must not be default; create one with MemberId.From(...). (Parameter 'MemberId')" },
        { "capture amount", l => l.CaptureAsync(new CaptureHold(Id("c"), Alice, Id("h"), P(0))), "Amount must be greater than 0 points (was 0). (Parameter 'Amount')\nActual value was 0." },
        { "capture merchant", l => l.CaptureAsync(new CaptureHold(Id("c"), Alice, Id("h")) { Merchant = NoMerchant }), MerchantMessage },
        { "release id", l => l.ReleaseAsync(new ReleaseHold(default, Alice, Id("h"))), "Id must not be default; create one with TransactionId.From(...). (Parameter 'Id')" },
        { "release member", l => l.ReleaseAsync(new ReleaseHold(Id("x"), default, Id("h"))), "MemberId must not be default; create one with MemberId.From(...). (Parameter 'MemberId')" },
        { "release hold", l => l.ReleaseAsync(new ReleaseHold(Id("x"), Alice, default)), "HoldId must not be default; create one with TransactionId.From(...). (Parameter 'HoldId')" },
        { "reverse id", l => l.ReverseAsync(new ReversePoints(default, Alice, Id("e"), P(1))), "Id must not be default; create one with TransactionId.From(...). (Parameter 'Id')" },
        { "reverse member", l => l.ReverseAsync(new ReversePoints(Id("v"), default, Id("e"), P(1))), "MemberId must not be default; create one with MemberId.From(...). (Parameter 'MemberId')" },
        { "reverse amount", l => l.ReverseAsync(new ReversePoints(Id("v"), Alice, Id("e"), P(0))), "Amount must be greater than 0 points (was 0). (Parameter 'Amount')\nActual value was 0." },
        { "reverse merchant", l => l.ReverseAsync(new ReversePoints(Id("v"), Alice, Id("e"), P(1)) { Merchant = NoMerchant }), MerchantMessage },
        { "adjust id", l => l.AdjustAsync(new AdjustPoints(default, Alice, AdjustmentDirection.Credit, P(1), "why", "who")), "Id must not be default; create one with TransactionId.From(...). (Parameter 'Id')" },
        { "adjust member", l => l.AdjustAsync(new AdjustPoints(Id("a"), default, AdjustmentDirection.Credit, P(1), "why", "who")), "MemberId must not be default; create one with MemberId.From(...). (Parameter 'MemberId')" },
        { "adjust amount", l => l.AdjustAsync(new AdjustPoints(Id("a"), Alice, AdjustmentDirection.Credit, P(0), "why", "who")), "Amount must be greater than 0 points (was 0). (Parameter 'Amount')\nActual value was 0." },
        { "adjust actor too long", l => l.AdjustAsync(new AdjustPoints(Id("a"), Alice, AdjustmentDirection.Credit, P(1), "why", new string('x', 501))), "Actor must be at most 500 characters (was 501). (Parameter 'Actor')" },
        { "adjust merchant", l => l.AdjustAsync(new AdjustPoints(Id("a"), Alice, AdjustmentDirection.Credit, P(1), "why", "who") { Merchant = NoMerchant }), MerchantMessage },
    };

    private const string MerchantMessage = "Merchant must be a merchant id or null for the programme's own shop, not default(MerchantId). (Parameter 'command')";

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task A_bad_field_is_refused_with_what_to_fix_and_nothing_is_written(string field, Func<PointsLedger, Task<LedgerResult>> write, string message)
    {
        var h = new LedgerHarness();
        await h.EarnAsync(100, "e");
        await h.Ledger.HoldAsync(new HoldPoints(Id("h"), Alice, P(10)));
        (await FluentActions.Awaiting(() => write(h.Ledger)).Should().ThrowAsync<ArgumentException>(field)).Which.Message.ReplaceLineEndings("\n").Should().Be(message);
        (await h.BalanceAsync()).Version.Should().Be(2);
    }

    [Fact]
    public async Task Texts_of_exactly_500_characters_are_accepted()
    {
        var h = new LedgerHarness();
        var adjust = await h.Ledger.AdjustAsync(new AdjustPoints(Id("a"), Alice, AdjustmentDirection.Credit, P(1), new string('r', 500), new string('a', 500)));
        adjust.Succeeded.Should().BeTrue(adjust.ToString());
        adjust.Transaction!.Reason.Should().HaveLength(500);
        adjust.Transaction.Actor.Should().HaveLength(500);
    }

    [Fact]
    public async Task Points_that_would_expire_the_instant_they_become_available_are_refused()
    {
        var h = new LedgerHarness();
        await FluentActions.Awaiting(() => h.Ledger.EarnAsync(new EarnPoints(Id("e"), Alice, P(1)) { PendingPeriod = Duration.FromDays(10), ExpiresAt = Instant.FromUtc(2026, 3, 25, 10, 0) }))
            .Should().ThrowAsync<ArgumentException>().WithMessage("The points would expire at 2026-03-25T10:00:00Z before they become available at 2026-03-25T10:00:00Z; shorten the pending period or choose a later expiry. (Parameter 'command')");
        (await h.Ledger.EarnAsync(new EarnPoints(Id("e"), Alice, P(1)) { PendingPeriod = Duration.FromDays(10), ExpiresAt = Instant.FromUtc(2026, 3, 25, 10, 0, 1) })).Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task Earning_up_to_the_largest_balance_is_accepted_and_one_more_point_is_refused()
    {
        var h = new LedgerHarness();
        await h.EarnAsync(long.MaxValue - 10);
        (await h.Ledger.EarnAsync(new EarnPoints(Id("fill"), Alice, P(10)))).Succeeded.Should().BeTrue();
        (await h.BalanceAsync()).Available.Should().Be(P(long.MaxValue));
        await FluentActions.Awaiting(() => h.Ledger.AdjustAsync(new AdjustPoints(Id("a"), Alice, AdjustmentDirection.Credit, P(1), "why", "who")))
            .Should().ThrowAsync<ArgumentOutOfRangeException>()
            .WithMessage($"Amount 1 would overflow the member's balance points ({long.MaxValue}); split the operation or check the amount.*");
    }
}
