using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Tiers;

/// <summary>
/// A tier given by hand (an invited VIP, a goodwill gesture) from <see cref="From"/> until
/// <see cref="Until"/>. While it runs the member holds at least this tier whatever the
/// automatic evaluation says; a higher automatic tier still wins.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record ManualTierAssignment
{
    /// <summary>Creates an assignment.</summary>
    /// <param name="tier">The tier given; must not be default.</param>
    /// <param name="from">When it starts.</param>
    /// <param name="until">When it ends (exclusive), or null for no end.</param>
    /// <exception cref="ArgumentException"><paramref name="tier"/> is default, or <paramref name="until"/> is not after <paramref name="from"/>.</exception>
    public ManualTierAssignment(TierId tier, Instant from, Instant? until)
    {
        if (tier.IsDefault)
        {
            throw new ArgumentException("TierId must not be default; create one with TierId.From(...).", nameof(tier));
        }

        if (until is { } end && end <= from)
        {
            throw new ArgumentException($"A manual assignment must end after it starts (from {from}, until {end}).", nameof(until));
        }

        Tier = tier;
        From = from;
        Until = until;
    }

    /// <summary>The tier given.</summary>
    public TierId Tier { get; }

    /// <summary>When the assignment starts (inclusive).</summary>
    public Instant From { get; }

    /// <summary>When it ends (exclusive); null for no end.</summary>
    public Instant? Until { get; }

    /// <summary>Whether the assignment is in force at an instant.</summary>
    /// <param name="instant">The instant.</param>
    /// <returns>True when <see cref="From"/> ≤ instant &lt; <see cref="Until"/>.</returns>
    public bool IsActiveAt(Instant instant) => instant >= From && (Until is not { } end || instant < end);
}
