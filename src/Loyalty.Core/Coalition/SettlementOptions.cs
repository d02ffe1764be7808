using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Coalition;

/// <summary>Options of the coalition: its settlement, and how much each partner counts towards tier qualification.</summary>
public sealed class SettlementOptions
{
    /// <summary>
    /// How long after a period's end it may be closed (default 1 hour): writes stamped just before
    /// the end but still being committed land in it before it is frozen. 0 to 7 days.
    /// </summary>
    public Duration ClosingDelay { get; set; } = Duration.FromHours(1);

    /// <summary>Ledger transactions read back per look-up of earlier earns and lots (reversals and expiries of the period refer to them). Default 1,000.</summary>
    public int ReferenceBatchSize { get; set; } = 1_000;

    /// <summary>
    /// How much an order, refund or activity at a partner counts towards tier qualification, by
    /// partner: its spend and points are multiplied by the weight (points rounded half away from
    /// zero); an order still counts as one order. 0 to 10; a partner not listed, and the programme's
    /// own shop, count at 1 (e.g. <c>{ [MerchantId.From("travel")] = 0.5m }</c> counts the travel
    /// site's orders at 50 %). Read when the programme is built: a change applies to the tier
    /// evaluated from then on (rebuild the members' kept state to apply it to their past).
    /// </summary>
    public IDictionary<MerchantId, decimal> QualificationWeights { get; } = new Dictionary<MerchantId, decimal>();
}
