using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

/// <summary>
/// The code of a redeemed reward, at the shop's checkout: valid for its member until the end of its
/// last day in Paris, used once (or its number of uses), refused with its own code when used, expired,
/// cancelled or another member's; expired unused codes give their points back once.
/// </summary>
public sealed class LoyaltyProgramRewardCodeTests
{
    private static readonly RewardDefinition Voucher30 = RewardDefinition.AmountOffVoucher(RewardId.From("voucher-30d"), "5 € voucher", P(500), Money.FromDecimal(5m, Currency.EUR))
        .WithCodeLifecycle(RewardCodeValidity.DaysAfterIssue(30), uses: 1, returnPointsOnExpiry: true);

    private static readonly RewardDefinition ThreeUses = RewardDefinition.PercentageDiscount(RewardId.From("ten-off-x3"), "10 % off three orders", P(300), 10m)
        .WithCodeLifecycle(RewardCodeValidity.Through(new LocalDate(2026, 12, 31)), uses: 3);

    [Fact]
    public async Task A_code_valid_ten_days_runs_to_the_end_of_its_tenth_day_in_Paris_across_the_change_to_summer_time()
    {
        using var h = await HarnessAsync();
        var tenDays = RewardDefinition.FreeShipping(RewardId.From("ship-10d"), "Free shipping", P(200)).WithCodeLifecycle(RewardCodeValidity.DaysAfterIssue(10));
        await h.Program.PublishRewardAsync(tenDays);
        h.Clock.Reset(At(2026, 3, 20, 10));
        await CreditAsync(h, Alice, 1000);

        var redemption = (await h.Program.RedeemRewardAsync(Alice, tenDays.Id, RedemptionId.From("r-1"))).GetValueOrThrow();
        var check = (await h.Program.ValidateCodeAsync(redemption.Code, Alice, OrderId.From("o-1"))).GetValueOrThrow();

        // Issued 20 March (UTC+1); the last day is 30 March, after the clocks went forward on 29 March: the code expires at midnight Paris, 22:00 UTC.
        check.RewardCode.ExpiresAt.Should().Be(Instant.FromUtc(2026, 3, 30, 22, 0));
        check.RewardCode.Status.Should().Be(RewardCodeStatus.Issued);
        check.RewardCode.UsesLeft.Should().Be(1);
        check.Use.Should().BeNull();

        h.Clock.Reset(Instant.FromUtc(2026, 3, 30, 21, 59, 59));
        (await h.Program.ValidateCodeAsync(redemption.Code, Alice, OrderId.From("o-1"))).Succeeded.Should().BeTrue();
        h.Clock.Reset(Instant.FromUtc(2026, 3, 30, 22, 0));
        var expired = await h.Program.ConsumeCodeAsync(redemption.Code, Alice, OrderId.From("o-1"));
        expired.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.RewardCodeExpired, "Code 'CODE-r-1' expired at 2026-03-30T22:00:00Z; it could be used until then."));
    }

    [Fact]
    public async Task A_single_use_code_is_used_once_a_retry_of_the_same_order_is_a_repeat_and_another_order_is_refused()
    {
        using var h = await HarnessAsync();
        await CreditAsync(h, Alice, 1000);
        var code = (await h.Program.RedeemRewardAsync(Alice, Voucher30.Id, RedemptionId.From("r-1"))).GetValueOrThrow().Code;

        var used = await h.Program.ConsumeCodeAsync(code, Alice, OrderId.From("o-1"));
        used.Succeeded.Should().BeTrue();
        used.IsRepeat.Should().BeFalse();
        used.Value!.RewardCode.Status.Should().Be(RewardCodeStatus.Used);
        used.Value.Use.Should().Be(new RewardCodeUse(code, OrderId.From("o-1"), h.Now));

        var retry = await h.Program.ConsumeCodeAsync(code, Alice, OrderId.From("o-1"));
        retry.IsRepeat.Should().BeTrue();
        retry.Value!.Use.Should().Be(used.Value.Use);
        (await h.Program.ValidateCodeAsync(code, Alice, OrderId.From("o-1"))).Value!.Use.Should().Be(used.Value.Use);

        var other = await h.Program.ConsumeCodeAsync(code, Alice, OrderId.From("o-2"));
        other.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.RewardCodeUsed, "Code 'CODE-r-1' was already used by 1 order (its limit is 1), last by order 'o-1'."));
        (await h.Program.ValidateCodeAsync(code, Alice, OrderId.From("o-2"))).ErrorCode.Should().Be(LoyaltyErrorCode.RewardCodeUsed);
    }

    [Fact]
    public async Task A_code_for_three_orders_takes_three_and_refuses_the_fourth()
    {
        using var h = await HarnessAsync();
        await CreditAsync(h, Alice, 1000);
        var code = (await h.Program.RedeemRewardAsync(Alice, ThreeUses.Id, RedemptionId.From("r-1"))).GetValueOrThrow().Code;

        for (var i = 1; i <= 3; i++)
        {
            var use = (await h.Program.ConsumeCodeAsync(code, Alice, OrderId.From("o-" + i))).GetValueOrThrow();
            use.RewardCode.UsesLeft.Should().Be(3 - i);
        }

        (await h.Program.ConsumeCodeAsync(code, Alice, OrderId.From("o-4"))).Error!.Message
            .Should().Be("Code 'CODE-r-1' was already used by 3 orders (its limit is 3), last by order 'o-3'.");
    }

    [Fact]
    public async Task Unknown_codes_and_other_members_codes_are_refused_with_their_own_codes()
    {
        using var h = await HarnessAsync();
        await CreditAsync(h, Alice, 1000);
        var code = (await h.Program.RedeemRewardAsync(Alice, Voucher30.Id, RedemptionId.From("r-1"))).GetValueOrThrow().Code;

        (await h.Program.ValidateCodeAsync("NOPE", Alice, OrderId.From("o-1"))).Error.Should().Be(new LoyaltyError(
            LoyaltyErrorCode.RewardCodeNotFound, "Code 'NOPE' is not a reward code of the programme; check it was typed as printed on the redemption receipt."));
        (await h.Program.ConsumeCodeAsync(code, Bob, OrderId.From("o-1"))).Error.Should().Be(new LoyaltyError(
            LoyaltyErrorCode.RewardCodeNotForMember, "Code 'CODE-r-1' was issued to another member; only the member who redeemed it can use it."));
        (await h.Program.ValidateCodeAsync(code, Alice, OrderId.From("o-1"))).Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task Cancelling_a_redemption_voids_its_code_and_a_used_code_cannot_be_cancelled()
    {
        using var h = await HarnessAsync();
        await CreditAsync(h, Alice, 1000);
        var voided = (await h.Program.RedeemRewardAsync(Alice, Voucher30.Id, RedemptionId.From("r-1"))).GetValueOrThrow().Code;
        var used = (await h.Program.RedeemRewardAsync(Alice, Voucher30.Id, RedemptionId.From("r-2"))).GetValueOrThrow().Code;
        (await h.Program.ConsumeCodeAsync(used, Alice, OrderId.From("o-1"))).Succeeded.Should().BeTrue();

        (await h.Program.CancelRedemptionAsync(RedemptionId.From("r-1"))).Succeeded.Should().BeTrue();
        (await h.Program.ConsumeCodeAsync(voided, Alice, OrderId.From("o-2"))).Error.Should().Be(new LoyaltyError(
            LoyaltyErrorCode.RewardCodeCancelled, $"Code 'CODE-r-1' was cancelled at {h.Now} with its redemption 'r-1'."));

        var refused = await h.Program.CancelRedemptionAsync(RedemptionId.From("r-2"));
        refused.Error.Should().Be(new LoyaltyError(
            LoyaltyErrorCode.RewardCodeUsed, "Redemption 'r-2' cannot be cancelled: its code 'CODE-r-2' was used by 1 order; the points of a used code are not given back."));
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(600), "of 1,000 credited and 100 welcome points the first redemption's 500 points came back, the used one's did not");
    }

    [Fact]
    public async Task An_expired_unused_code_gives_its_points_back_once_however_often_maintenance_runs()
    {
        using var h = await HarnessAsync();
        await CreditAsync(h, Alice, 1000);
        var redemption = (await h.Program.RedeemRewardAsync(Alice, Voucher30.Id, RedemptionId.From("r-1"))).GetValueOrThrow();
        var usedOne = (await h.Program.RedeemRewardAsync(Alice, ThreeUses.Id, RedemptionId.From("r-2"))).GetValueOrThrow();
        (await h.Program.ConsumeCodeAsync(usedOne.Code, Alice, OrderId.From("o-1"))).Succeeded.Should().BeTrue();
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(300), "1,000 credited and 100 welcome points, 800 spent");

        h.Clock.Reset(At(2026, 4, 2, 0) - Duration.FromTicks(1));
        (await h.Program.ExpireRewardCodesAsync(h.Now)).Should().Be(new RewardCodeExpiryReport(h.Now, 0, 0, Points.Zero), "the code is usable through 1 April");

        h.Clock.Reset(At(2026, 4, 2, 0));
        (await h.Program.ExpireRewardCodesAsync(h.Now)).Should().Be(new RewardCodeExpiryReport(h.Now, 1, 1, P(500)));
        (await h.Program.ExpireRewardCodesAsync(h.Now)).Should().Be(new RewardCodeExpiryReport(h.Now, 0, 0, Points.Zero));
        h.AdvanceDays(1);
        (await h.Program.ExpireRewardCodesAsync(h.Now)).CodesExpired.Should().Be(0);

        (await h.BalanceAsync(Alice)).Available.Should().Be(P(800));
        var code = (await h.Program.ValidateCodeAsync(redemption.Code, Alice, OrderId.From("o-9"))).Error;
        code.Should().Be(new LoyaltyError(LoyaltyErrorCode.RewardCodeExpired, "Code 'CODE-r-1' expired at 2026-04-01T22:00:00Z; it could be used until then."));
        (await h.Program.CancelRedemptionAsync(redemption.Id)).Error.Should().Be(new LoyaltyError(
            LoyaltyErrorCode.RewardCodeExpired, "Redemption 'r-1' cannot be cancelled: its code 'CODE-r-1' expired at 2026-04-01T22:00:00Z and its 500 points were already given back."));
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(800));
    }

    [Fact]
    public async Task A_maintenance_night_expires_the_due_codes_of_its_partition_and_returns_their_points_once()
    {
        using var h = await HarnessAsync();
        await CreditAsync(h, Alice, 1000);
        await CreditAsync(h, Bob, 1000);
        var aliceCode = (await h.Program.RedeemRewardAsync(Alice, Voucher30.Id, RedemptionId.From("r-a"))).GetValueOrThrow().Code;
        (await h.Program.RedeemRewardAsync(Bob, Voucher30.Id, RedemptionId.From("r-b"))).Succeeded.Should().BeTrue();
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(600), "1,000 credited and 100 welcome points, 500 spent");

        h.Clock.Reset(At(2026, 4, 2, 0));
        // The smallest split that puts the two members with different workers.
        var (count, aliceIndex, bobIndex) = Enumerable.Range(2, 63)
            .Select(n => (n, Enumerable.Range(0, n).Single(i => MemberPartition.Of(i, n).Contains(Alice)), Enumerable.Range(0, n).Single(i => MemberPartition.Of(i, n).Contains(Bob))))
            .First(s => s.Item2 != s.Item3);
        var alicePartition = MaintenanceScope.ForPartition(aliceIndex, count);
        var otherPartition = MaintenanceScope.ForPartition(bobIndex, count);

        var night = await h.Program.RunMaintenanceAsync(h.Now, alicePartition, null, CancellationToken.None);
        night.RewardCodesExpired.Should().Be(1, "only Alice's code is in her partition");
        night.RewardCodePointsReturned.Should().Be(P(500));
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(1100));
        (await h.BalanceAsync(Bob)).Available.Should().Be(P(600), "Bob's code belongs to the other partition's worker");

        var again = await h.Program.RunMaintenanceAsync(h.Now, alicePartition, null, CancellationToken.None);
        again.RewardCodesExpired.Should().Be(0);
        again.RewardCodePointsReturned.Should().Be(Points.Zero);
        var whole = await h.Program.RunMaintenanceAsync(h.Now);
        whole.RewardCodesExpired.Should().Be(1, "Bob's code, which the first worker left");
        whole.RewardCodePointsReturned.Should().Be(P(500));
        (await h.Program.RunMaintenanceAsync(h.Now, otherPartition, null, CancellationToken.None)).RewardCodesExpired.Should().Be(0);
        (await h.Program.ExpireRewardCodesAsync(h.Now)).Should().Be(new RewardCodeExpiryReport(h.Now, 0, 0, Points.Zero));

        (await h.BalanceAsync(Alice)).Available.Should().Be(P(1100), "the 500 points came back once across four runs");
        (await h.BalanceAsync(Bob)).Available.Should().Be(P(1100));
        (await h.Program.ValidateCodeAsync(aliceCode, Alice, OrderId.From("o-1"))).Error.Should().Be(new LoyaltyError(
            LoyaltyErrorCode.RewardCodeExpired, "Code 'CODE-r-a' expired at 2026-04-01T22:00:00Z; it could be used until then."));
    }

    [Fact]
    public async Task A_code_whose_reward_keeps_the_points_expires_without_giving_them_back()
    {
        using var h = await HarnessAsync();
        var keep = RewardDefinition.FreeShipping(RewardId.From("ship"), "Free shipping", P(200)).WithCodeLifecycle(RewardCodeValidity.DaysAfterIssue(1));
        await h.Program.PublishRewardAsync(keep);
        await CreditAsync(h, Alice, 1000);
        var code = (await h.Program.RedeemRewardAsync(Alice, keep.Id, RedemptionId.From("r-1"))).GetValueOrThrow().Code;

        h.AdvanceDays(3);
        (await h.Program.ExpireRewardCodesAsync(h.Now)).Should().Be(new RewardCodeExpiryReport(h.Now, 1, 0, Points.Zero));
        (await h.BalanceAsync(Alice)).Available.Should().Be(P(900));
        (await h.Program.ConsumeCodeAsync(code, Alice, OrderId.From("o-1"))).ErrorCode.Should().Be(LoyaltyErrorCode.RewardCodeExpired);
    }

    [Fact]
    public async Task Eight_concurrent_checkouts_with_one_single_use_code_use_it_once()
    {
        using var h = await HarnessAsync();
        await CreditAsync(h, Alice, 1000);
        var code = (await h.Program.RedeemRewardAsync(Alice, Voucher30.Id, RedemptionId.From("r-1"))).GetValueOrThrow().Code;

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => h.Program.ConsumeCodeAsync(code, Alice, OrderId.From("o-" + i)))));

        results.Count(r => r.Succeeded).Should().Be(1);
        results.Where(r => !r.Succeeded).Should().OnlyContain(r => r.ErrorCode == LoyaltyErrorCode.RewardCodeUsed);
    }

    [Fact]
    public async Task Bad_arguments_are_refused_with_what_to_fix()
    {
        using var h = await HarnessAsync();
        var empty = () => h.Program.ValidateCodeAsync(" ", Alice, OrderId.From("o-1"));
        await empty.Should().ThrowAsync<ArgumentException>().WithMessage("code must not be empty; pass the code the member typed at checkout, e.g. \"K7QM-3XHP-9TWA\". (Parameter 'code')");
        var future = () => h.Program.ExpireRewardCodesAsync(h.Now + Duration.FromSeconds(1));
        (await future.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().StartWith($"asOf ({h.Now + Duration.FromSeconds(1)}) must not be after the clock's current instant ({h.Now}); maintenance works on the past.");
    }

    [Fact]
    public async Task An_order_receipt_says_when_its_points_expire()
    {
        using var h = await HarnessAsync();

        var receipt = await h.OrderAsync("A-1", Alice, 40m);

        var lot = (await h.Ledger.FindTransactionAsync(TransactionId.From("order:A-1")))!;
        receipt.ExpiresAt.Should().NotBeNull().And.Be(lot.ExpiresAt);
        receipt.ExpiresAt!.Value.InZone(Paris).Date.Should().BeGreaterThanOrEqualTo(new LocalDate(2027, 3, 2), "points expire 12 months after they are earned");
        (await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU-A-1", 1, 40m)))).Value!.ExpiresAt.Should().Be(receipt.ExpiresAt);
    }

    [Fact]
    public void A_lifecycle_is_refused_with_what_to_fix()
    {
        var pay = () => PayWithPoints.WithCodeLifecycle(RewardCodeValidity.DaysAfterIssue(30));
        pay.Should().Throw<ArgumentException>().WithMessage("Reward 'points-pay' is PayWithPoints, which issues no code; a code lifecycle applies to vouchers, discounts, free shipping and gifts. (Parameter 'validity')");
        var uses = () => Voucher.WithCodeLifecycle(null, uses: 0);
        uses.Should().Throw<ArgumentOutOfRangeException>().WithMessage("uses must be 1 to 1000, e.g. 1 for a single-use code (was 0). (Parameter 'uses')*");
        var forever = () => Voucher.WithCodeLifecycle(null, returnPointsOnExpiry: true);
        forever.Should().Throw<ArgumentException>().WithMessage("Reward 'voucher-5' returns points on expiry but its codes never expire; give a validity (e.g. RewardCodeValidity.DaysAfterIssue(30)) or do not return points. (Parameter 'returnPointsOnExpiry')");
        var days = () => RewardCodeValidity.DaysAfterIssue(0);
        days.Should().Throw<ArgumentOutOfRangeException>().WithMessage("days must be 1 to 3660, e.g. 30 for a code usable for a month after issue (was 0). (Parameter 'days')*");
        var through = () => RewardCodeValidity.Through(default);
        through.Should().Throw<ArgumentException>().WithMessage("lastDay must be a real date, e.g. 2026-12-31 for codes usable through 31 December; default(LocalDate) is not one. (Parameter 'lastDay')");
        RewardCodeValidity.Through(new LocalDate(2026, 12, 31)).ExpiresAt(Instant.FromUtc(2026, 6, 1, 0, 0), Paris).Should().Be(Instant.FromUtc(2026, 12, 31, 23, 0));
        RewardCodeValidity.DaysAfterIssue(30).ToString().Should().Be("30 days after issue");
    }

    private static async Task<ProgramHarness> HarnessAsync()
    {
        var h = new ProgramHarness(replace: s => s.AddSingleton<IRewardCodeGenerator>(new RedemptionCodes()));
        await h.ConfigureAsync();
        await h.Program.PublishRewardAsync(Voucher30);
        await h.Program.PublishRewardAsync(ThreeUses);
        await h.EnrolAsync(Alice);
        await h.EnrolAsync(Bob);
        return h;
    }

    private static async Task CreditAsync(ProgramHarness h, MemberId member, long points) =>
        (await h.Ledger.AdjustAsync(new AdjustPoints(TransactionId.From("credit-" + member + "-" + h.Now.ToUnixTimeTicks()), member, AdjustmentDirection.Credit, P(points), "opening balance", "test"))).Succeeded.Should().BeTrue();

    /// <summary>Codes that name their redemption, so the messages are predictable.</summary>
    private sealed class RedemptionCodes : IRewardCodeGenerator
    {
        public string Generate(RewardDefinition reward, MemberId member, RedemptionId redemption) => "CODE-" + redemption;
    }
}
