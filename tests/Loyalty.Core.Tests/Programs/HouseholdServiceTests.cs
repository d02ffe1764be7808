using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Households;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

/// <summary>
/// The Martin family pools its points: Alice owns the household, Bob and Carol join; each keeps
/// their own points and tier, and a pooled redemption spends the owner's first (or everyone's in
/// proportion); a member who leaves is no longer spent.
/// </summary>
public sealed class HouseholdServiceTests
{
    private static readonly MemberId Carol = MemberId.From("carol");
    private static readonly HouseholdId Martin = HouseholdId.From("martin");

    [Fact]
    public async Task Owner_first_spends_the_owners_points_then_each_member_in_joining_order()
    {
        using var h = await FamilyAsync(HouseholdSpendingOrder.OwnerFirst, alice: 300, bob: 400, carol: 100);

        var pooled = (await Households(h).RedeemRewardAsync(Carol, Voucher.Id, RedemptionId.From("r-1"))).GetValueOrThrow();

        pooled.Contributions.Should().Equal(new HouseholdContribution(Alice, P(300)), new HouseholdContribution(Bob, P(200)));
        pooled.Redemption.MemberId.Should().Be(Carol);
        pooled.Redemption.PointsSpent.Should().Be(P(500));
        (await AvailableAsync(h)).Should().Equal(0, 200, 100);
    }

    [Fact]
    public async Task Proportional_spends_each_members_share_of_the_pool()
    {
        using var h = await FamilyAsync(HouseholdSpendingOrder.Proportional, alice: 300, bob: 600, carol: 100);

        var pooled = (await Households(h).RedeemRewardAsync(Bob, Voucher.Id, RedemptionId.From("r-1"))).GetValueOrThrow();

        pooled.Contributions.Should().Equal(new HouseholdContribution(Alice, P(150)), new HouseholdContribution(Bob, P(300)), new HouseholdContribution(Carol, P(50)));
        (await AvailableAsync(h)).Should().Equal(150, 300, 50);
    }

    [Fact]
    public async Task Proportional_rounding_gives_the_points_left_to_the_earliest_members()
    {
        using var h = await FamilyAsync(HouseholdSpendingOrder.Proportional, alice: 100, bob: 100, carol: 100);

        var plan = (await Households(h).PlanAsync(Martin, P(200))).GetValueOrThrow();

        plan.Should().Equal(new HouseholdContribution(Alice, P(67)), new HouseholdContribution(Bob, P(67)), new HouseholdContribution(Carol, P(66)));
    }

    [Fact]
    public async Task A_member_who_leaves_mid_period_is_no_longer_spent_and_keeps_their_points()
    {
        using var h = await FamilyAsync(HouseholdSpendingOrder.OwnerFirst, alice: 300, bob: 400, carol: 100);

        var left = (await Households(h).LeaveHouseholdAsync(Martin, Bob)).GetValueOrThrow();
        left.Members.Select(m => m.MemberId).Should().Equal(Alice, Carol);
        (await Households(h).GetHouseholdAsync(Bob)).Should().BeNull();

        var refused = await Households(h).RedeemRewardAsync(Carol, Voucher.Id, RedemptionId.From("r-1"));
        refused.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.InsufficientPoints, "Household 'martin' has 400 points available among its 2 members; 500 are needed."));
        (await AvailableAsync(h)).Should().Equal(300, 400, 100);
        (await Households(h).RedeemRewardAsync(Bob, Voucher.Id, RedemptionId.From("r-2"))).Error.Should().Be(new LoyaltyError(
            LoyaltyErrorCode.NotInHousehold, "Member 'bob' belongs to no household; join one, or redeem with the member's own points (LoyaltyProgram.RedeemRewardAsync)."));
    }

    [Fact]
    public async Task A_redemption_the_programme_refuses_gives_every_share_back()
    {
        using var h = await FamilyAsync(HouseholdSpendingOrder.OwnerFirst, alice: 300, bob: 400, carol: 100);

        var refused = await Households(h).RedeemRewardAsync(Carol, GoldTote.Id, RedemptionId.From("r-1"));

        refused.ErrorCode.Should().Be(LoyaltyErrorCode.RewardRequiresHigherTier);
        (await AvailableAsync(h)).Should().Equal(300, 400, 100);
    }

    [Fact]
    public async Task Pending_points_are_not_pooled_and_a_retry_is_a_repeat()
    {
        using var h = await FamilyAsync(HouseholdSpendingOrder.OwnerFirst, alice: 300, bob: 100, carol: 0);
        await h.OrderAsync("B-1", Bob, 400m);
        (await h.BalanceAsync(Bob)).Pending.Should().Be(P(400));

        (await Households(h).RedeemRewardAsync(Carol, Voucher.Id, RedemptionId.From("r-1"))).Error!.Message
            .Should().Be("Household 'martin' has 400 points available among its 3 members; 500 are needed.");
        (await h.Ledger.AdjustAsync(new AdjustPoints(TransactionId.From("top-up"), Alice, AdjustmentDirection.Credit, P(100), "gesture", "test"))).Succeeded.Should().BeTrue();
        var first = (await Households(h).RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("r-2"))).GetValueOrThrow();
        var again = await Households(h).RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("r-2"));

        again.IsRepeat.Should().BeTrue();
        again.Value!.Redemption.Should().Be(first.Redemption);
        again.Value.Contributions.Should().Equal(first.Contributions);
        first.Contributions.Should().Equal(new HouseholdContribution(Alice, P(400)), new HouseholdContribution(Bob, P(100)));
        (await AvailableAsync(h)).Should().Equal(0, 0, 0);
        (await h.BalanceAsync(Bob)).Pending.Should().Be(P(400));
    }

    [Fact]
    public async Task Every_membership_refusal_has_its_own_code_and_message()
    {
        using var h = await FamilyAsync(HouseholdSpendingOrder.OwnerFirst, alice: 0, bob: 0, carol: 0, maxMembers: 3);
        var households = Households(h);
        await h.EnrolAsync(MemberId.From("dan"));

        (await households.JoinHouseholdAsync(Martin, MemberId.From("dan"))).Error.Should().Be(new LoyaltyError(
            LoyaltyErrorCode.HouseholdFull, "Household 'martin' has 3 members, the most allowed; a member must leave before 'dan' can join."));
        (await households.CreateHouseholdAsync(HouseholdId.From("other"), Bob)).Error.Should().Be(new LoyaltyError(
            LoyaltyErrorCode.AlreadyInHousehold, "Member 'bob' already belongs to household 'martin'; they must leave it first."));
        (await households.CreateHouseholdAsync(Martin, MemberId.From("dan"))).Error.Should().Be(new LoyaltyError(
            LoyaltyErrorCode.IdempotencyConflict, "Household 'martin' exists with another owner; use another household id.", "Owner"));
        (await households.JoinHouseholdAsync(HouseholdId.From("none"), MemberId.From("dan"))).Error.Should().Be(new LoyaltyError(
            LoyaltyErrorCode.HouseholdNotFound, "Household 'none' does not exist; create it first with CreateHouseholdAsync."));
        (await households.JoinHouseholdAsync(Martin, MemberId.From("zoe"))).Error.Should().Be(new LoyaltyError(
            LoyaltyErrorCode.MemberNotFound, "Member 'zoe' is not enrolled in the programme; enrol them first."));
        (await households.LeaveHouseholdAsync(Martin, MemberId.From("dan"))).Error.Should().Be(new LoyaltyError(
            LoyaltyErrorCode.NotInHousehold, "Member 'dan' does not belong to household 'martin'."));
        (await households.LeaveHouseholdAsync(Martin, Alice)).Error.Should().Be(new LoyaltyError(
            LoyaltyErrorCode.HouseholdOwnerCannotLeave, "Member 'alice' owns household 'martin', which has 2 other members; they must leave first."));
        (await households.JoinHouseholdAsync(Martin, Bob)).IsRepeat.Should().BeTrue();
        (await households.CreateHouseholdAsync(Martin, Alice)).IsRepeat.Should().BeTrue();

        new HouseholdOptions { MaxMembers = 1, SpendingOrder = (HouseholdSpendingOrder)7 }.Validate().Should().Equal(
            "Loyalty:Households:MaxMembers must be 2 to 50 (was 1).",
            "Loyalty:Households:SpendingOrder must be OwnerFirst or Proportional (was 7).");
    }

    [Fact]
    public async Task The_owner_leaving_last_removes_the_household()
    {
        using var h = await FamilyAsync(HouseholdSpendingOrder.OwnerFirst, alice: 0, bob: 0, carol: 0);
        await Households(h).LeaveHouseholdAsync(Martin, Bob);
        await Households(h).LeaveHouseholdAsync(Martin, Carol);

        (await Households(h).LeaveHouseholdAsync(Martin, Alice)).Value!.Members.Should().BeEmpty();
        (await Households(h).GetHouseholdAsync(Alice)).Should().BeNull();
    }

    [Fact]
    public async Task Pooled_qualification_counts_the_other_members_amounts_recorded_while_both_belonged()
    {
        using var h = new ProgramHarness(replace: s => s.AddLoyalty().AddHouseholds(o => o.PooledTierQualification = true));
        await h.ConfigureAsync();
        foreach (var member in new[] { Alice, Bob, Carol })
        {
            await h.EnrolAsync(member);
        }

        var households = Households(h);
        (await households.CreateHouseholdAsync(Martin, Alice)).Succeeded.Should().BeTrue();
        await h.OrderAsync("B-1", Bob, 100m); // before Bob joins: his own, not Alice's
        h.AdvanceDays(1);
        (await households.JoinHouseholdAsync(Martin, Bob)).Succeeded.Should().BeTrue();
        h.AdvanceDays(1);
        await h.OrderAsync("B-2", Bob, 300m);
        await h.OrderAsync("A-1", Alice, 250m);
        await h.OrderAsync("C-1", Carol, 1000m); // Carol is in no household

        var alice = (await households.EvaluatePooledTierAsync(Alice, h.Now)).GetValueOrThrow();
        var bob = (await households.EvaluatePooledTierAsync(Bob, h.Now)).GetValueOrThrow();

        alice.QualifyingValue.Should().Be(new Loyalty.Core.Tiers.QualifyingTotals(250 + 300, 550m, 2), "Alice's 250 € order (1 point a euro) and Bob's 300 € order placed after he joined, not his 100 € before");
        alice.Tier.Id.Should().Be(TierId.From("silver"), "550 points reach Silver's 500");
        bob.QualifyingValue.Should().Be(new Loyalty.Core.Tiers.QualifyingTotals(100 + 300 + 250, 650m, 3), "all of Bob's own orders, and Alice's order placed after he joined");
        bob.Tier.Id.Should().Be(TierId.From("silver"));
        var own = await h.Program.GetMemberSummaryAsync(Alice);
        own.GetValueOrThrow().Tier.Tier.Id.Should().Be(TierId.From("silver"), "the tier Alice holds in the programme is the pooled one");
        own.GetValueOrThrow().Tier.QualifyingValue.Should().Be(alice.QualifyingValue);

        (await households.LeaveHouseholdAsync(Martin, Bob)).Succeeded.Should().BeTrue();
        var left = (await households.EvaluatePooledTierAsync(Alice, h.Now)).GetValueOrThrow();
        left.QualifyingValue.Should().Be(new Loyalty.Core.Tiers.QualifyingTotals(250, 250m, 1), "a member who leaves takes his amounts with him");
        left.Tier.Id.Should().Be(TierId.From("bronze"));
        (await households.EvaluatePooledTierAsync(Bob, h.Now)).Error.Should().Be(new LoyaltyError(
            LoyaltyErrorCode.NotInHousehold, "Member 'bob' belongs to no household; a pooled tier needs one (the member's own tier is LoyaltyProgram.GetMemberSummaryAsync's)."));
        (await households.EvaluatePooledTierAsync(MemberId.From("nobody"), h.Now)).ErrorCode.Should().Be(LoyaltyErrorCode.MemberNotFound);
        var future = () => households.EvaluatePooledTierAsync(Alice, h.Now + Duration.FromSeconds(1));
        (await future.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().StartWith($"asOf ({h.Now + Duration.FromSeconds(1)}) must not be after the clock's current instant ({h.Now}); a tier is evaluated on what was recorded.");
    }

    [Fact]
    public async Task Pooled_qualification_is_refused_unless_configured()
    {
        using var h = await FamilyAsync(HouseholdSpendingOrder.OwnerFirst, alice: 100, bob: 100, carol: 100);

        var call = () => Households(h).EvaluatePooledTierAsync(Alice, h.Now);

        await call.Should().ThrowAsync<InvalidOperationException>().WithMessage("Tier qualification is per member in this programme; set Loyalty:Households:PooledTierQualification to true to pool a household's qualification.");
    }

    private static HouseholdService Households(ProgramHarness h) => h.ScopedServices.GetRequiredService<HouseholdService>();

    private static async Task<long[]> AvailableAsync(ProgramHarness h) =>
        [(await h.BalanceAsync(Alice)).Available.Value, (await h.BalanceAsync(Bob)).Available.Value, (await h.BalanceAsync(Carol)).Available.Value];

    /// <summary>Alice, Bob and Carol in household martin with these available points (their 100 welcome points taken back first).</summary>
    private static async Task<ProgramHarness> FamilyAsync(HouseholdSpendingOrder order, long alice, long bob, long carol, int maxMembers = 6)
    {
        var h = new ProgramHarness(replace: s => s.AddLoyalty().AddHouseholds(o => { o.SpendingOrder = order; o.MaxMembers = maxMembers; }));
        await h.ConfigureAsync();
        foreach (var (member, points) in new[] { (Alice, alice), (Bob, bob), (Carol, carol) })
        {
            await h.EnrolAsync(member);
            var delta = points - 100;
            if (delta != 0)
            {
                (await h.Ledger.AdjustAsync(new AdjustPoints(TransactionId.From("set-" + member), member, delta > 0 ? AdjustmentDirection.Credit : AdjustmentDirection.Debit, P(Math.Abs(delta)), "opening balance", "test"))).Succeeded.Should().BeTrue();
            }
        }

        (await Households(h).CreateHouseholdAsync(Martin, Alice)).Succeeded.Should().BeTrue();
        h.AdvanceDays(1);
        (await Households(h).JoinHouseholdAsync(Martin, Bob)).Succeeded.Should().BeTrue();
        h.AdvanceDays(1);
        (await Households(h).JoinHouseholdAsync(Martin, Carol)).Succeeded.Should().BeTrue();
        return h;
    }
}
