using System.Diagnostics.Metrics;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Programs;

/// <summary>
/// The programme's instruments, created through the host's <see cref="IMeterFactory"/>. Without a
/// factory (none registered) every call is a no-op.
/// </summary>
internal sealed class LoyaltyMetrics
{
    /// <summary>The meter's name: <c>Loyalty.Core</c>.</summary>
    public const string MeterName = "Loyalty.Core";

    private readonly Counter<long>? earned;
    private readonly Counter<long>? redeemed;
    private readonly Counter<long>? expired;
    private readonly Counter<long>? orders;
    private readonly KeyValuePair<string, object?> programTag;

    public LoyaltyMetrics(IMeterFactory? factory, ProgramId programId)
    {
        programTag = new KeyValuePair<string, object?>("loyalty.program", programId.Value);
        if (factory is null)
        {
            return;
        }

        var meter = factory.Create(new MeterOptions(MeterName));
        earned = meter.CreateCounter<long>("loyalty.points.earned", "{point}", "Points credited to members (orders, activities, referrals).");
        redeemed = meter.CreateCounter<long>("loyalty.points.redeemed", "{point}", "Points spent on rewards and captured at checkout.");
        expired = meter.CreateCounter<long>("loyalty.points.expired", "{point}", "Points expired by maintenance.");
        orders = meter.CreateCounter<long>("loyalty.orders.recorded", "{order}", "Orders recorded (retries not counted).");
    }

    public void Earned(Points points)
    {
        if (points.IsPositive)
        {
            earned?.Add(points.Value, programTag);
        }
    }

    public void Redeemed(Points points)
    {
        if (points.IsPositive)
        {
            redeemed?.Add(points.Value, programTag);
        }
    }

    public void Expired(Points points)
    {
        if (points.IsPositive)
        {
            expired?.Add(points.Value, programTag);
        }
    }

    public void OrderRecorded() => orders?.Add(1, programTag);
}
