using System.Globalization;

namespace Loyalty.Core.Referrals;

/// <summary>
/// What a referral earns. The referee's first qualifying order (an order whose net amount is at
/// least <see cref="MinimumOrderAmount"/>) completes the referral: the referee earns
/// <see cref="RefereePoints"/> and the referrer earns what the rule set's
/// <c>ReferralCompleted</c> activity rules award (with their caps), once per referee.
/// </summary>
/// <remarks>A plain options object, bound from configuration under <c>Loyalty:Referral</c>; validated at start-up.</remarks>
public sealed class ReferralPolicy
{
    /// <summary>The points the referee earns when the referral completes; 0 for none. Default 0.</summary>
    public long RefereePoints { get; set; }

    /// <summary>The smallest net order amount, in the programme's currency, that completes a referral. Default 0 (any order).</summary>
    public decimal MinimumOrderAmount { get; set; }

    internal static void AddFailures(ReferralPolicy? policy, string prefix, List<string> failures)
    {
        if (policy is null)
        {
            failures.Add($"{prefix}: must not be null; remove the assignment to keep the defaults.");
            return;
        }

        if (policy.RefereePoints < 0)
        {
            failures.Add($"{prefix}:{nameof(RefereePoints)}: must be 0 or more (was {policy.RefereePoints.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (policy.MinimumOrderAmount < 0m)
        {
            failures.Add($"{prefix}:{nameof(MinimumOrderAmount)}: must be 0 or more (was {policy.MinimumOrderAmount.ToString(CultureInfo.InvariantCulture)}).");
        }
    }
}
