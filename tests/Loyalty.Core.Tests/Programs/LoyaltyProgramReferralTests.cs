using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Referrals;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

public class LoyaltyProgramReferralTests
{
    private static readonly MemberId Carol = MemberId.From("carol");

    [Fact]
    public async Task The_referees_first_qualifying_order_rewards_both_once()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        var alice = await h.EnrolAsync(Alice);
        await h.Program.EnrolAsync(new Enrolment(Bob) { ReferralCode = alice.ReferralCode });

        var small = await h.OrderAsync("B-1", Bob, 19.99m);
        var first = await h.OrderAsync("B-2", Bob, 20m);
        var second = await h.OrderAsync("B-3", Bob, 80m);

        small.CompletedReferral.Should().BeFalse("below the 20 € minimum");
        first.CompletedReferral.Should().BeTrue();
        second.CompletedReferral.Should().BeFalse();
        (await h.BalanceAsync(Alice)).Earned.Should().Be(P(100 + 200));
        (await h.BalanceAsync(Bob)).Earned.Should().Be(P(100 + 19 + 20 + 80 + 50));
    }

    [Fact]
    public async Task An_unknown_code_and_ones_own_code_are_refused()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        var alice = await h.EnrolAsync(Alice);

        var unknown = await h.Program.EnrolAsync(new Enrolment(Bob) { ReferralCode = ReferralCode.From("NOPE-1") });
        unknown.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.ReferralCodeUnknown, "No member of the programme has the referral code NOPE-1."));

        var self = await h.Program.ApplyReferralCodeAsync(Alice, alice.ReferralCode);
        self.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.SelfReferral, $"Member 'alice' cannot use their own referral code {alice.ReferralCode}."));
    }

    [Fact]
    public async Task A_second_referrer_is_refused()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        var alice = await h.EnrolAsync(Alice);
        var carol = await h.EnrolAsync(Carol);
        await h.Program.EnrolAsync(new Enrolment(Bob) { ReferralCode = alice.ReferralCode });

        var second = await h.Program.ApplyReferralCodeAsync(Bob, carol.ReferralCode);
        second.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.AlreadyReferred, "Member 'bob' was already referred by 'alice'; a second referrer is refused."));
        (await h.Program.ApplyReferralCodeAsync(Bob, alice.ReferralCode)).IsRepeat.Should().BeTrue();
    }

    [Fact]
    public async Task A_referral_loop_is_refused()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        var alice = await h.EnrolAsync(Alice);
        var bob = (await h.Program.EnrolAsync(new Enrolment(Bob) { ReferralCode = alice.ReferralCode })).GetValueOrThrow();
        var carol = (await h.Program.EnrolAsync(new Enrolment(Carol) { ReferralCode = bob.ReferralCode })).GetValueOrThrow();

        var loop = await h.Program.ApplyReferralCodeAsync(Alice, carol.ReferralCode);
        loop.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.ReferralLoop, "Member 'carol' was referred (directly or not) by 'alice'; referring back would make a loop."));
    }

    [Fact]
    public async Task A_referral_after_the_first_qualifying_order_is_too_late()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        var alice = await h.EnrolAsync(Alice);
        await h.EnrolAsync(Bob);
        await h.OrderAsync("B-1", Bob, 50m);

        var late = await h.Program.ApplyReferralCodeAsync(Bob, alice.ReferralCode);
        late.Error.Should().Be(new LoyaltyError(LoyaltyErrorCode.ReferralTooLate, "Member 'bob' already placed a qualifying order; a referral can only be linked before the first one."));
    }

    [Fact]
    public async Task A_code_linked_after_enrolment_completes_on_the_first_qualifying_order()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        var alice = await h.EnrolAsync(Alice);
        await h.EnrolAsync(Bob);

        (await h.Program.ApplyReferralCodeAsync(Bob, ReferralCode.From(alice.ReferralCode.Value.ToLowerInvariant()))).Value!.ReferredBy.Should().Be(Alice);
        (await h.OrderAsync("B-1", Bob, 30m)).CompletedReferral.Should().BeTrue();
        (await h.BalanceAsync(Alice)).Earned.Should().Be(P(300));
    }
}
