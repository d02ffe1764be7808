using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Storage;

/// <summary>
/// A named, time-limited lease that lets one instance of the shop at a time run a piece of
/// maintenance (a programme's nightly run, or one partition of it), and remembers when that
/// maintenance last completed, so a second instance arriving later does not run the same night
/// again and a health check can tell how old the last successful run is.
/// </summary>
/// <remarks>
/// <para>A lease is held by one holder until it is released or until its expiry instant passes
/// (a crashed holder never renews, so its lease lapses). The holder renews it while it works.
/// Instants come from the caller's clock; instances sharing a lease are assumed to have clocks
/// that agree to well within the lease duration.</para>
/// <para>The in-memory store (<see cref="InMemory.InMemoryMaintenanceLease"/>) is a lock within
/// one process; the EF Core package keeps a lease row in the shop's database, shared by every
/// instance.</para>
/// </remarks>
public interface IMaintenanceLease
{
    /// <summary>
    /// Takes the lease <paramref name="name"/> for <paramref name="holder"/> until
    /// <paramref name="now"/> + <paramref name="duration"/>, when it is free, lapsed, or already
    /// held by the same holder.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="name">The lease's name, 1 to <see cref="MaintenanceLeaseState.MaxNameLength"/> characters (e.g. <c>maintenance:0/1</c>).</param>
    /// <param name="holder">Who takes it, 1 to <see cref="MaintenanceLeaseState.MaxNameLength"/> characters (e.g. the machine name and process id).</param>
    /// <param name="now">The current instant.</param>
    /// <param name="duration">How long the lease lasts without renewal; positive.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The lease's state when taken (with the last completion recorded under it); null when another holder has it.</returns>
    /// <exception cref="ArgumentException">A name is empty or too long, or the duration is not positive.</exception>
    /// <exception cref="LoyaltyStoreException">The store failed.</exception>
    ValueTask<MaintenanceLeaseState?> TryAcquireAsync(ProgramId programId, string name, string holder, Instant now, Duration duration, CancellationToken cancellationToken = default);

    /// <summary>Extends a lease <paramref name="holder"/> holds to <paramref name="now"/> + <paramref name="duration"/>.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="name">The lease's name.</param>
    /// <param name="holder">Its holder.</param>
    /// <param name="now">The current instant.</param>
    /// <param name="duration">How long the lease lasts from now; positive.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when renewed; false when the holder lost it (it lapsed and another holder took it).</returns>
    /// <exception cref="ArgumentException">A name is empty or too long, or the duration is not positive.</exception>
    /// <exception cref="LoyaltyStoreException">The store failed.</exception>
    ValueTask<bool> RenewAsync(ProgramId programId, string name, string holder, Instant now, Duration duration, CancellationToken cancellationToken = default);

    /// <summary>
    /// Releases a lease <paramref name="holder"/> holds, recording <paramref name="completedAt"/> as
    /// the last completion when the work succeeded. Releasing a lease the holder no longer holds
    /// changes nothing.
    /// </summary>
    /// <param name="programId">The programme.</param>
    /// <param name="name">The lease's name.</param>
    /// <param name="holder">Its holder.</param>
    /// <param name="completedAt">The instant the maintenance completed as of, or null when it did not complete.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when the holder held the lease and released it.</returns>
    /// <exception cref="ArgumentException">A name is empty or too long.</exception>
    /// <exception cref="LoyaltyStoreException">The store failed.</exception>
    ValueTask<bool> ReleaseAsync(ProgramId programId, string name, string holder, Instant? completedAt, CancellationToken cancellationToken = default);

    /// <summary>Reads a lease's state, or null when it was never taken.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="name">The lease's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The state, or null.</returns>
    /// <exception cref="ArgumentException">The name is empty or too long.</exception>
    /// <exception cref="LoyaltyStoreException">The store failed.</exception>
    ValueTask<MaintenanceLeaseState?> GetAsync(ProgramId programId, string name, CancellationToken cancellationToken = default);
}

/// <summary>The state of a maintenance lease.</summary>
/// <param name="Name">The lease's name.</param>
/// <param name="Holder">The holder, or null when released.</param>
/// <param name="ExpiresAt">When the holder's lease lapses unless renewed (meaningless when released).</param>
/// <param name="LastCompletedAt">The instant the last successful maintenance under this lease ran as of, or null when none did.</param>
/// <remarks>Immutable.</remarks>
public sealed record MaintenanceLeaseState(string Name, string? Holder, Instant ExpiresAt, Instant? LastCompletedAt)
{
    /// <summary>The longest lease name or holder: 200 characters.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Checks a lease's name and holder and duration (every store does).</summary>
    /// <param name="name">The name.</param>
    /// <param name="holder">The holder, or null when the call has none.</param>
    /// <param name="duration">The duration, or null when the call has none.</param>
    /// <exception cref="ArgumentException">A value is out of range; the message says which and how to fix it.</exception>
    public static void Validate(string name, string? holder, Duration? duration)
    {
        CheckName(name, nameof(name));
        if (holder is not null)
        {
            CheckName(holder, nameof(holder));
        }

        if (duration is { } d && d <= Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), d, $"The lease duration must be positive (was {d}).");
        }
    }

    private static void CheckName(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.Length == 0 || value.Length > MaxNameLength || string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"The lease {paramName} must be 1 to {MaxNameLength} characters and not blank (was {value.Length} characters).", paramName);
        }
    }
}
