using Loyalty.Core.Rewards;
using NodaTime;

namespace Loyalty.Core.Storage;

/// <summary>The conditions of a code's transitions, stated once for every store.</summary>
internal static class RewardCodeRules
{
    public static void CheckClosing(RewardCodeStatus status)
    {
        if (status is not (RewardCodeStatus.Expired or RewardCodeStatus.Cancelled))
        {
            throw new ArgumentException($"status must be Expired or Cancelled to close a code (was {status}); a code becomes Used by consuming it.", nameof(status));
        }
    }

    /// <summary>An issued code expires once its expiry is reached, and is cancelled only while no order used it.</summary>
    public static bool CanClose(RewardCode code, RewardCodeStatus status, Instant at) =>
        code.Status == RewardCodeStatus.Issued && (status == RewardCodeStatus.Expired
            ? code.ExpiresAt is { } expiry && expiry <= at
            : code.Uses == 0);
}
