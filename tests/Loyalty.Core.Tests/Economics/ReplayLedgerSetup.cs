using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.Extensions.Options;
using NodaTime;

namespace Loyalty.Core.Tests.Economics;

/// <summary>The programme the backtest's replay store tests run, and a points ledger of it over a given store.</summary>
internal static class ReplayLedgerSetup
{
    /// <summary>The programme.</summary>
    public static readonly ProgramId Program = ProgramId.From("backtest");

    /// <summary>The programme's time zone.</summary>
    public static readonly DateTimeZone Paris = DateTimeZoneProviders.Tzdb["Europe/Paris"];

    /// <summary>A ledger of the programme (14 days pending, rolling 3-month expiry rounded up to the end of the month) over <paramref name="store"/>.</summary>
    /// <param name="clock">The clock.</param>
    /// <param name="store">The ledger store.</param>
    /// <param name="cacheSlots">The ledger's account-state cache (0: none, every write decodes the store's snapshot).</param>
    /// <returns>The ledger.</returns>
    public static PointsLedger NewLedger(IClock clock, ILedgerStore store, int cacheSlots = AccountStateCache.DefaultSlots)
    {
        var options = new LoyaltyOptions { ProgramId = Program.Value, Currency = "EUR", TimeZone = Paris.Id };
        var ledger = new LedgerOptions
        {
            PendingPeriod = TimeSpan.FromDays(14),
            Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Months = 3, RoundUpTo = ExpiryRounding.EndOfMonth },
        };
        options.Ledger = ledger;
        return new PointsLedger(clock, store, options.ToProgramSettings(), Options.Create(ledger), cacheSlots);
    }
}
