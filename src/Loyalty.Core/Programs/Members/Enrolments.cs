using Loyalty.Core.Configuration;
using Loyalty.Core.Earning;
using Loyalty.Core.Internal;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Referrals;
using Loyalty.Core.Storage;
using NodaTime;
using static Loyalty.Core.Programs.ProgramResults;

namespace Loyalty.Core.Programs;

/// <summary>
/// Enrolment and referral: a member's profile with its referral code, the referrer's link, the
/// welcome bonus, and the bonuses of a referral completed by the referee's first qualifying order.
/// </summary>
internal sealed class Enrolments
{
    private readonly ProgramContext program;
    private readonly IClock clock;
    private readonly PointsLedger ledger;
    private readonly IMemberStore members;
    private readonly IReferralCodeGenerator referralCodes;
    private readonly ReferralPolicy referral;
    private readonly MemberStateKeeper keeper;
    private readonly LoyaltyMetrics metrics;
    private readonly ProgramId programId;
    private readonly ActivityRecorder activities;

    /// <summary>Creates the capability over the programme's shared context (the facade does this).</summary>
    public Enrolments(ProgramContext program, ActivityRecorder activities)
    {
        this.program = program;
        clock = program.Clock;
        ledger = program.Ledger;
        members = program.Members;
        referralCodes = program.ReferralCodes;
        referral = program.Settings.Referral;
        keeper = program.Keeper;
        metrics = program.Metrics;
        programId = program.ProgramId;
        this.activities = activities;
    }

    /// <summary>The work behind <see cref="LoyaltyProgram.EnrolAsync"/>.</summary>
    public async Task<LoyaltyResult<MemberProfile>> EnrolAsync(Enrolment enrolment, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(enrolment);
        Preconditions.CheckNotDefault(enrolment.MemberId.IsDefault, nameof(MemberId), nameof(enrolment));
        if (enrolment.ReferralCode is { IsDefault: true })
        {
            throw new ArgumentException("Enrolment.ReferralCode must not be default(ReferralCode); pass null when the member gave no code.", nameof(enrolment));
        }

        var memberId = enrolment.MemberId;
        var existing = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        MemberId? referrer = null;
        if (enrolment.ReferralCode is { } code)
        {
            var owner = await members.FindByReferralCodeAsync(programId, code, cancellationToken).ConfigureAwait(false);
            if (owner is null)
            {
                return LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.ReferralCodeUnknown, $"No member of the programme has the referral code {code}.");
            }

            if (owner.MemberId == memberId)
            {
                return LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.SelfReferral, $"Member '{memberId}' cannot use their own referral code {code}.");
            }

            referrer = owner.MemberId;
        }

        if (existing is not null)
        {
            return await RepeatEnrolmentAsync(existing, enrolment, referrer, cancellationToken).ConfigureAwait(false);
        }

        var enrolledAt = enrolment.EnrolledAt ?? clock.GetCurrentInstant();
        for (var attempt = 0; attempt < IReferralCodeGenerator.MaxAttempts; attempt++)
        {
            var record = new MemberRecord
            {
                ProgramId = programId,
                MemberId = memberId,
                EnrolledAt = enrolledAt,
                BirthDate = enrolment.BirthDate,
                ReferralCode = referralCodes.Generate(memberId, attempt),
                ReferredBy = referrer,
                Evaluation = MemberEvaluationState.Empty,
            };
            var status = await members.AddMemberAsync(record, cancellationToken).ConfigureAwait(false);
            switch (status)
            {
                case MemberAddStatus.Added:
                    var welcome = await ApplySignUpAsync(record, cancellationToken).ConfigureAwait(false);
                    return LoyaltyResult<MemberProfile>.Success(program.ToProfile(record, welcome));
                case MemberAddStatus.MemberExists:
                    var winner = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
                    return await RepeatEnrolmentAsync(winner!, enrolment, referrer, cancellationToken).ConfigureAwait(false);
                default:
                    continue;
            }
        }

        throw new InvalidOperationException($"The referral code generator returned taken codes {IReferralCodeGenerator.MaxAttempts} times for member '{memberId}'; make it produce more distinct codes.");
    }

    /// <summary>The work behind <see cref="LoyaltyProgram.ApplyReferralCodeAsync"/>.</summary>
    public async Task<LoyaltyResult<MemberProfile>> ApplyReferralCodeAsync(MemberId memberId, ReferralCode code, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        if (code.IsDefault)
        {
            throw new ArgumentException("code must not be default(ReferralCode); create one with ReferralCode.From(...).", nameof(code));
        }

        var member = await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return NotEnrolled<MemberProfile>(memberId);
        }

        var owner = await members.FindByReferralCodeAsync(programId, code, cancellationToken).ConfigureAwait(false);
        if (owner is null)
        {
            return LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.ReferralCodeUnknown, $"No member of the programme has the referral code {code}.");
        }

        if (owner.MemberId == memberId)
        {
            return LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.SelfReferral, $"Member '{memberId}' cannot use their own referral code {code}.");
        }

        if (member.ReferredBy is { } current)
        {
            return current == owner.MemberId
                ? LoyaltyResult<MemberProfile>.Success(program.ToProfile(member, await WelcomePointsAsync(member, cancellationToken).ConfigureAwait(false)), isRepeat: true)
                : LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.AlreadyReferred, $"Member '{memberId}' was already referred by '{current}'; a second referrer is refused.");
        }

        // Walk up the referrer's chain: reaching the member would make a loop.
        var seen = new HashSet<MemberId> { owner.MemberId };
        for (var up = owner.ReferredBy; up is { } next; )
        {
            if (next == memberId)
            {
                return LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.ReferralLoop, $"Member '{owner.MemberId}' was referred (directly or not) by '{memberId}'; referring back would make a loop.");
            }

            if (!seen.Add(next))
            {
                break;
            }

            up = (await members.GetMemberAsync(programId, next, cancellationToken).ConfigureAwait(false))?.ReferredBy;
        }

        var (state, _) = await program.StateAsync(member, rebuild: false, clock.GetCurrentInstant(), cancellationToken).ConfigureAwait(false);
        if (member.ReferralCompletedBy is not null || state.FirstQualifyingOrder is not null)
        {
            return LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.ReferralTooLate, $"Member '{memberId}' already placed a qualifying order; a referral can only be linked before the first one.");
        }

        var updated = await program.UpdateMemberAsync(memberId, m => m.ReferredBy is null ? m with { ReferredBy = owner.MemberId } : null, cancellationToken).ConfigureAwait(false);
        if (updated is null)
        {
            return NotEnrolled<MemberProfile>(memberId);
        }

        if (updated.ReferredBy != owner.MemberId)
        {
            return LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.AlreadyReferred, $"Member '{memberId}' was already referred by '{updated.ReferredBy}'; a second referrer is refused.");
        }

        return LoyaltyResult<MemberProfile>.Success(program.ToProfile(updated, await WelcomePointsAsync(updated, cancellationToken).ConfigureAwait(false)));
    }

    private async Task<LoyaltyResult<MemberProfile>> RepeatEnrolmentAsync(MemberRecord existing, Enrolment enrolment, MemberId? referrer, CancellationToken cancellationToken)
    {
        if (!SameEnrolment(existing, enrolment, referrer))
        {
            return LoyaltyResult<MemberProfile>.Failure(LoyaltyErrorCode.MemberAlreadyEnrolled, $"Member '{existing.MemberId}' is already enrolled (since {existing.EnrolledAt}) with other details.");
        }

        // A retry completes what an interrupted enrolment left undone (the welcome bonus).
        var welcome = await ApplySignUpAsync(existing, cancellationToken).ConfigureAwait(false);
        return LoyaltyResult<MemberProfile>.Success(program.ToProfile(existing, welcome), isRepeat: true);
    }

    private async Task<Points> ApplySignUpAsync(MemberRecord member, CancellationToken cancellationToken)
    {
        var result = await activities.RecordActivityCoreAsync(DerivedIds.SignUp(member.MemberId), new ActivityInput(ActivityKind.SignUp, member.MemberId, member.EnrolledAt), skipWhenNothingEarned: true, cancellationToken).ConfigureAwait(false);
        return result.Value?.Points ?? Points.Zero;
    }

    private async Task<Points> WelcomePointsAsync(MemberRecord member, CancellationToken cancellationToken) =>
        member.Evaluation is { } state
            ? state.WelcomePoints
            : (await members.GetActivityAsync(programId, DerivedIds.SignUp(member.MemberId), cancellationToken).ConfigureAwait(false))?.Earning.Total ?? Points.Zero;

    private static bool SameEnrolment(MemberRecord existing, Enrolment enrolment, MemberId? referrer) =>
        (enrolment.EnrolledAt is null || enrolment.EnrolledAt == existing.EnrolledAt)
        && enrolment.BirthDate == existing.BirthDate
        && (referrer is null || referrer == existing.ReferredBy);

    internal async Task<bool> CompleteReferralAsync(OrderRecord order, MemberRecord member, CancellationToken cancellationToken)
    {
        if (member.ReferredBy is not { } referrer
            || (member.ReferralCompletedBy is { } completedBy && completedBy != order.OrderId)
            || !keeper.IsQualifyingForReferral(order))
        {
            return false;
        }

        if (member.ReferralCompletedBy is null)
        {
            // Only the member's first qualifying order completes the referral.
            var (state, _) = await program.StateAsync(member, rebuild: false, clock.GetCurrentInstant(), cancellationToken).ConfigureAwait(false);
            if (state.FirstQualifyingOrder is { } first && first != order.OrderId)
            {
                return false;
            }
        }

        // The referrer earns what the rule set's ReferralCompleted activity rules say; the referee the policy's bonus.
        if (await members.GetMemberAsync(programId, referrer, cancellationToken).ConfigureAwait(false) is not null)
        {
            await activities.RecordActivityCoreAsync(DerivedIds.ReferralCompleted(order.MemberId), new ActivityInput(ActivityKind.ReferralCompleted, referrer, order.Order.PlacedAt), skipWhenNothingEarned: true, cancellationToken, tolerateExisting: true).ConfigureAwait(false);
        }

        if (referral.RefereePoints > 0)
        {
            var bonus = Points.FromInt64(referral.RefereePoints);
            var earned = await ledger.EarnAsync(new EarnPoints(DerivedIds.RefereeBonus(order.MemberId), order.MemberId, bonus), cancellationToken).ConfigureAwait(false);
            if (earned.Succeeded && !earned.IsRepeat)
            {
                metrics.Earned(bonus);
            }
        }

        if (member.ReferralCompletedBy == order.OrderId)
        {
            return true;
        }

        var updated = await program.UpdateMemberAsync(order.MemberId, m => m.ReferralCompletedBy is null ? m with { ReferralCompletedBy = order.OrderId } : null, cancellationToken).ConfigureAwait(false);
        return updated?.ReferralCompletedBy == order.OrderId;
    }
}
