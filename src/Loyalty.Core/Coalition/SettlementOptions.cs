using NodaTime;

namespace Loyalty.Core.Coalition;

/// <summary>Options of the coalition's settlement.</summary>
public sealed class SettlementOptions
{
    /// <summary>
    /// How long after a period's end it may be closed (default 1 hour): writes stamped just before
    /// the end but still being committed land in it before it is frozen. 0 to 7 days.
    /// </summary>
    public Duration ClosingDelay { get; set; } = Duration.FromHours(1);

    /// <summary>Ledger transactions read back per look-up of earlier earns and lots (reversals and expiries of the period refer to them). Default 1,000.</summary>
    public int ReferenceBatchSize { get; set; } = 1_000;
}
