using Loyalty.Core.Households;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.Programs;

/// <summary>
/// A household's pooled tier qualification (<see cref="HouseholdOptions.PooledTierQualification"/>): a
/// member's tier evaluated on their own qualifying history plus, for each other current member of their
/// household, what that member recorded from the later of their two joining instants on. Used by the
/// programme for the tier it evaluates and keeps (orders, refunds, activities, reward access, quotes, the
/// member summary, maintenance) and by <see cref="HouseholdService.EvaluatePooledTierAsync"/>, so every
/// answer is the same. A member in no household, or alone in one, is evaluated on their own.
/// </summary>
/// <remarks>
/// The household keeps no membership history: a member who left takes their amounts with them, and a
/// member's amounts from before joining count for nobody else. The evaluation replays the pooled entries
/// from enrolment (no kept checkpoint): one household read and one history read per other member.
/// </remarks>
internal sealed class PooledQualification(IHouseholdStore households, IMemberStore members, ProgramId programId, Currency currency, QualificationWeights weights, TierEvaluator evaluator)
{
    /// <summary>The member's household when it has other members, or null (the member qualifies alone).</summary>
    public async ValueTask<Household?> SharedHouseholdAsync(MemberId memberId, CancellationToken cancellationToken)
    {
        var household = await households.FindByMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        return household is { Members.Count: > 1 } && household.Contains(memberId) ? household : null;
    }

    /// <summary>
    /// The member's pooled tier as of <paramref name="asOf"/> (enrolment when earlier), from their own
    /// history (<paramref name="ownHistory"/>, read when null) and the household's other members'; null
    /// when the member shares no household.
    /// </summary>
    public async Task<TierEvaluation?> EvaluateAsync(MemberRecord member, MemberHistory? ownHistory, Instant asOf, CancellationToken cancellationToken)
    {
        if (await SharedHouseholdAsync(member.MemberId, cancellationToken).ConfigureAwait(false) is not { } household)
        {
            return null;
        }

        ownHistory ??= await members.GetHistoryAsync(programId, member.MemberId, cancellationToken).ConfigureAwait(false);
        var pooled = await MemberAsync(member, ownHistory, household, null, cancellationToken).ConfigureAwait(false);
        return evaluator.Evaluate(pooled, asOf < member.EnrolledAt ? member.EnrolledAt : asOf);
    }

    /// <summary>
    /// The member as the tier evaluator takes it with the household's qualification pooled: their own
    /// entries and, for each other member still in <paramref name="household"/>, that member's entries
    /// from the later of the two joining instants on. <paramref name="read"/> holds members and histories
    /// already read (a maintenance page); the others are read from the store.
    /// </summary>
    public async Task<TierMember> MemberAsync(MemberRecord member, MemberHistory ownHistory, Household household, IReadOnlyDictionary<MemberId, MemberPageEntry>? read, CancellationToken cancellationToken)
    {
        var own = TierInputs.Member(member, ownHistory, currency, weights);
        var joined = household.Members.First(m => m.MemberId == member.MemberId).JoinedAt;
        var entries = new List<QualificationEntry>(own.History.Length * household.Members.Count);
        entries.AddRange(own.History.Span);
        foreach (var other in household.Members)
        {
            if (other.MemberId == member.MemberId)
            {
                continue;
            }

            MemberRecord? record = null;
            MemberHistory? history = null;
            if (read is not null && read.TryGetValue(other.MemberId, out var entry0))
            {
                (record, history) = (entry0.Member, entry0.History);
            }

            record ??= await members.GetMemberAsync(programId, other.MemberId, cancellationToken).ConfigureAwait(false);
            if (record is null)
            {
                continue; // erased meanwhile
            }

            history ??= await members.GetHistoryAsync(programId, other.MemberId, cancellationToken).ConfigureAwait(false);
            var from = Instant.Max(joined, other.JoinedAt);
            foreach (var entry in TierInputs.Member(record, history, currency, weights).History.Span)
            {
                if (entry.At >= from)
                {
                    entries.Add(entry);
                }
            }
        }

        return own with { History = entries.ToArray() };
    }
}
