using System.Diagnostics.Metrics;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Microsoft.Extensions.DependencyInjection;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

public class LoyaltyProgramTelemetryTests
{
    [Fact]
    public async Task Points_and_orders_are_counted_once_through_the_hosts_meter_factory()
    {
        using var factory = new TestMeterFactory();
        var measured = new List<(string Name, long Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Loyalty.Core" && factory.Created.Contains(instrument.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            lock (measured)
            {
                measured.Add((instrument.Name, value));
            }
        });
        listener.Start();

        using var h = await new ProgramHarness(o => o.Ledger.PendingPeriod = TimeSpan.Zero, factory).ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.OrderAsync("A-1", Alice, 600m);
        Sum(measured, "loyalty.orders.recorded").Should().Be(1, "an order is counted when it is recorded, not when it is retried");
        Sum(measured, "loyalty.points.earned").Should().Be(100 + 600);
        await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU-A-1", 1, 600m)));
        await h.Program.RedeemRewardAsync(Alice, Voucher.Id, RedemptionId.From("RD-1"));
        h.AdvanceDays(400);
        await h.Program.RunMaintenanceAsync(h.Now);

        Sum(measured, "loyalty.orders.recorded").Should().Be(1);
        Sum(measured, "loyalty.points.earned").Should().Be(100 + 600);
        Sum(measured, "loyalty.points.redeemed").Should().Be(500);
        Sum(measured, "loyalty.points.expired").Should().Be(200);
    }

    [Fact]
    public async Task Without_a_meter_factory_nothing_is_recorded_and_nothing_fails()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        (await h.Program.EnrolAsync(new Enrolment(Alice))).Succeeded.Should().BeTrue();
    }

    private static long Sum(List<(string Name, long Value)> measured, string name) => measured.Where(m => m.Name == name).Sum(m => m.Value);

    private sealed class TestMeterFactory : IMeterFactory
    {
        public List<Meter> Created { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            Created.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Created)
            {
                meter.Dispose();
            }
        }
    }
}
