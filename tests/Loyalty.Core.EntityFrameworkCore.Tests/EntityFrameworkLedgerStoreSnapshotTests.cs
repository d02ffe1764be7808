using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Economics;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.EntityFrameworkCore.Tests;

/// <summary>The relational store's account snapshot read, which the programme economics page through.</summary>
public sealed class EntityFrameworkLedgerStoreSnapshotTests
{
    [Fact]
    public async Task Every_account_of_a_programme_is_read_once_page_by_page_with_its_open_lots_and_holds()
    {
        using var database = new SqliteDatabase();
        await using var context = database.CreateContext();
        var store = new EntityFrameworkLedgerStore(context);
        var clock = new FakeClock(Instant.FromUtc(2026, 5, 4, 10, 0));
        var options = new LoyaltyOptions { ProgramId = "club" };
        options.Ledger.Expiry = new LedgerExpiryOptions { Policy = ExpiryPolicyKind.Rolling, Months = 12 };
        var ledger = new PointsLedger(clock, store, ProgramSettings.FromOptions(options), Options.Create(options.Ledger));
        foreach (var (name, points) in new[] { ("m3", 30L), ("m1", 10L), ("m5", 50L), ("m2", 20L), ("m4", 40L) })
        {
            (await ledger.EarnAsync(new EarnPoints(TransactionId.From("e-" + name), MemberId.From(name), Points.FromInt64(points)))).Succeeded.Should().BeTrue();
        }

        (await ledger.HoldAsync(new HoldPoints(TransactionId.From("h-m4"), MemberId.From("m4"), Points.FromInt64(15)))).Succeeded.Should().BeTrue();
        (await ledger.RedeemAsync(new RedeemPoints(TransactionId.From("r-m5"), MemberId.From("m5"), Points.FromInt64(50)))).Succeeded.Should().BeTrue();

        var snapshots = new List<LedgerAccountSnapshot>();
        await foreach (var snapshot in LedgerLiability.ReadAllAsync(store, ProgramId.From("club"), pageSize: 2))
        {
            snapshots.Add(snapshot);
        }

        snapshots.Select(s => s.Head!.MemberId.Value).Should().Equal("m1", "m2", "m3", "m4", "m5");
        snapshots[3].OpenHolds.Should().ContainSingle().Which.Amount.Should().Be(15);
        snapshots[4].OpenLots.Should().BeEmpty("m5 spent its only lot");
        (await store.ReadAccountSnapshotsAsync(ProgramId.From("other"), null, 10)).Should().BeEmpty();

        var report = await LedgerLiability.ComputeAsync(store, ProgramId.From("club"), ledger.ExpiryPolicy, DateTimeZone.Utc, clock.GetCurrentInstant(), PointValuation.PerPoint(Money.FromDecimal(0.01m, Currency.EUR)), pageSize: 2);
        report.Outstanding.Points.Should().Be(100);
        report.Held.Points.Should().Be(15);
        report.Accounts.Should().Be(4);
        report.ByExpiry[ExpiryBucket.Later].Points.Should().Be(100);
    }
}
