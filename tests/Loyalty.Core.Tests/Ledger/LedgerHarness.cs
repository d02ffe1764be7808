using Loyalty.Core.Configuration;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.Tests.Ledger;

/// <summary>A ledger over an in-memory store with a fake clock, plus short helpers.</summary>
internal sealed class LedgerHarness
{
    private readonly PointsLedger[] ledgers;
    private int next;
    private int calls;

    /// <param name="configure">Ledger options.</param>
    /// <param name="timeZone">The programme's zone.</param>
    /// <param name="start">The fake clock's start.</param>
    /// <param name="store">The store (a fresh in-memory one by default).</param>
    /// <param name="cacheSlots">The account-state cache size (0: no cache); the public constructor's default when null.</param>
    /// <param name="instances">How many ledger instances share the store and clock; <see cref="Ledger"/> takes them in turn.</param>
    /// <param name="indexLotsFrom">Account states index their lots from this many (the ledger's default when null; 0 indexes every state).</param>
    public LedgerHarness(Action<LedgerOptions>? configure = null, string timeZone = "UTC", Instant? start = null, ILedgerStore? store = null, int? cacheSlots = null, int instances = 1, int? indexLotsFrom = null)
    {
        var options = new LoyaltyOptions { ProgramId = "club", TimeZone = timeZone };
        configure?.Invoke(options.Ledger);
        Clock = new FakeClock(start ?? Instant.FromUtc(2026, 3, 15, 10, 0));
        Store = store ?? new InMemoryLedgerStore();
        var settings = options.ToProgramSettings();
        ledgers = new PointsLedger[instances];
        for (var i = 0; i < instances; i++)
        {
            ledgers[i] = cacheSlots is { } slots
                ? new PointsLedger(Clock, Store, settings, Options.Create(options.Ledger), slots)
                : new PointsLedger(Clock, Store, settings, Options.Create(options.Ledger));
            if (indexLotsFrom is { } from)
            {
                ledgers[i].IndexLotsFrom = from;
            }
        }
    }

    public FakeClock Clock { get; }

    public ILedgerStore Store { get; }

    /// <summary>The ledger; with several instances, each use takes the next one.</summary>
    public PointsLedger Ledger => ledgers.Length == 1 ? ledgers[0] : ledgers[(Interlocked.Increment(ref calls) & int.MaxValue) % ledgers.Length];

    public static MemberId Alice { get; } = MemberId.From("alice");

    public static TransactionId Id(string value) => TransactionId.From(value);

    public static Points P(long value) => Points.FromInt64(value);

    public TransactionId NewId() => TransactionId.From("t" + Interlocked.Increment(ref next));

    public async Task<LedgerTransactionRecord> EarnAsync(long points, string? id = null, Duration? pending = null, MemberId? member = null)
    {
        var result = await Ledger.EarnAsync(new EarnPoints(id is null ? NewId() : Id(id), member ?? Alice, P(points)) { PendingPeriod = pending });
        result.Succeeded.Should().BeTrue(result.ToString());
        return result.Transaction!;
    }

    public Task<LedgerResult> RedeemAsync(long points, string? id = null, MemberId? member = null)
        => Ledger.RedeemAsync(new RedeemPoints(id is null ? NewId() : Id(id), member ?? Alice, P(points)));

    public Task<LedgerBalance> BalanceAsync(MemberId? member = null) => Ledger.GetBalanceAsync(member ?? Alice);

    public void Advance(Duration duration) => Clock.Advance(duration);
}
