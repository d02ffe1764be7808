using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>
/// An <see cref="IMaintenanceLease"/> in process memory: a lock shared by everything in one process
/// that resolves the same instance (register it as a singleton). It does not coordinate separate
/// processes; use a database lease for that.
/// </summary>
/// <remarks>Thread-safe; every member completes synchronously.</remarks>
public sealed class InMemoryMaintenanceLease : IMaintenanceLease
{
    private readonly object gate = new();
    private readonly Dictionary<(ProgramId, string), MaintenanceLeaseState> leases = [];

    /// <inheritdoc />
    public ValueTask<MaintenanceLeaseState?> TryAcquireAsync(ProgramId programId, string name, string holder, Instant now, Duration duration, CancellationToken cancellationToken = default)
    {
        MaintenanceLeaseState.Validate(name, holder, duration);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var current = leases.GetValueOrDefault((programId, name));
            if (current is { Holder: { } other } && other != holder && current.ExpiresAt > now)
            {
                return new((MaintenanceLeaseState?)null);
            }

            var taken = new MaintenanceLeaseState(name, holder, now + duration, current?.LastCompletedAt);
            leases[(programId, name)] = taken;
            return new(taken);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RenewAsync(ProgramId programId, string name, string holder, Instant now, Duration duration, CancellationToken cancellationToken = default)
    {
        MaintenanceLeaseState.Validate(name, holder, duration);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (leases.GetValueOrDefault((programId, name)) is not { } current || current.Holder != holder)
            {
                return new(false);
            }

            leases[(programId, name)] = current with { ExpiresAt = now + duration };
            return new(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ReleaseAsync(ProgramId programId, string name, string holder, Instant? completedAt, CancellationToken cancellationToken = default)
    {
        MaintenanceLeaseState.Validate(name, holder, null);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (leases.GetValueOrDefault((programId, name)) is not { } current || current.Holder != holder)
            {
                return new(false);
            }

            leases[(programId, name)] = current with { Holder = null, LastCompletedAt = completedAt ?? current.LastCompletedAt };
            return new(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<MaintenanceLeaseState?> GetAsync(ProgramId programId, string name, CancellationToken cancellationToken = default)
    {
        MaintenanceLeaseState.Validate(name, null, null);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(leases.GetValueOrDefault((programId, name)));
        }
    }
}
