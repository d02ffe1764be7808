using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Rewards;

/// <summary>What a run of reward code maintenance did.</summary>
/// <param name="AsOf">The instant the run worked at.</param>
/// <param name="CodesExpired">Codes this run turned expired (a re-run counts none of them again).</param>
/// <param name="CodesWithPointsReturned">Of those, the codes never used whose points were given back.</param>
/// <param name="PointsReturned">The points given back.</param>
public sealed record RewardCodeExpiryReport(Instant AsOf, int CodesExpired, int CodesWithPointsReturned, Points PointsReturned);
