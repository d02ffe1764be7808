using Loyalty.Core.Primitives;

namespace Loyalty.Core.Rewards;

/// <summary>
/// Makes the code printed on a redemption receipt (the voucher code the shop's checkout accepts).
/// Replace it in DI to use the shop's own voucher codes.
/// </summary>
/// <remarks>
/// Implementations must be thread-safe. A code is generated once per redemption and stored with
/// it, so a retried redemption returns the stored code, never a new one.
/// </remarks>
public interface IRewardCodeGenerator
{
    /// <summary>Makes a code for a redemption.</summary>
    /// <param name="reward">The reward redeemed.</param>
    /// <param name="member">The member redeeming it.</param>
    /// <param name="redemption">The redemption's id.</param>
    /// <returns>The code: 1 to 64 characters, no control characters.</returns>
    string Generate(RewardDefinition reward, MemberId member, RedemptionId redemption);
}
