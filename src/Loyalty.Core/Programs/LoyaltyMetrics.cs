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

    private static readonly AsyncLocal<Unit?> Pending = new();

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

    /// <summary>Whether the programme has instruments (a meter factory was registered); without, every count is a no-op.</summary>
    public bool HasInstruments => orders is not null;

    public void Earned(Points points) => Count(earned, points.Value);

    public void Redeemed(Points points) => Count(redeemed, points.Value);

    public void Expired(Points points) => Count(expired, points.Value);

    public void OrderRecorded() => Count(orders, 1);

    /// <summary>
    /// Holds what the calls below count until <see cref="Unit.Complete"/>: a unit of work's store may
    /// run the unit's steps again (its first writes refused), and only the run that was kept counts.
    /// Units nest: an inner unit counts into the outer one's.
    /// </summary>
    public Unit BeginUnit()
    {
        var outer = Pending.Value;
        var unit = new Unit(this, outer);
        if (outer is null)
        {
            Pending.Value = unit;
        }

        return unit;
    }

    private void Count(Counter<long>? counter, long value)
    {
        if (counter is null || value <= 0)
        {
            return;
        }

        if (Pending.Value is { } unit && unit.Owner == this)
        {
            unit.Add(counter, value);
        }
        else
        {
            counter.Add(value, programTag);
        }
    }

    /// <summary>The counts of one unit of work, kept until it completes.</summary>
    internal sealed class Unit(LoyaltyMetrics owner, Unit? outer) : IDisposable
    {
        private List<(Counter<long> Counter, long Value)>? counts;

        public LoyaltyMetrics Owner { get; } = owner;

        /// <summary>Forgets what the unit's steps counted (they are about to run again).</summary>
        public void Restart() => counts?.Clear();

        /// <summary>Records what the unit's kept run counted (an inner unit leaves it to the outer one).</summary>
        public void Complete()
        {
            if (outer is not null || counts is null)
            {
                return;
            }

            foreach (var (counter, value) in counts)
            {
                counter.Add(value, Owner.programTag);
            }

            counts.Clear();
        }

        public void Dispose()
        {
            if (outer is null && Pending.Value == this)
            {
                Pending.Value = null;
            }
        }

        internal void Add(Counter<long> counter, long value) => (counts ??= []).Add((counter, value));
    }
}
