using NodaTime;

namespace Loyalty.Core.Hosting;

/// <summary>
/// What this process's hosted maintenance last did: its last attempt, success and failure.
/// Registered as a singleton by <see cref="LoyaltyHostingServiceCollectionExtensions.AddLoyaltyMaintenance"/>.
/// </summary>
/// <remarks>Thread-safe. Another instance's runs are not seen here; the health check reads the shared lease for them.</remarks>
public sealed class LoyaltyMaintenanceStatus
{
    private readonly object gate = new();
    private MaintenanceRunSummary? lastSuccess;
    private Instant? lastFailureAt;
    private string? lastFailure;
    private int runs;

    /// <summary>The last successful run of this process, or null.</summary>
    public MaintenanceRunSummary? LastSuccess
    {
        get
        {
            lock (gate)
            {
                return lastSuccess;
            }
        }
    }

    /// <summary>When this process's last failed run failed, or null.</summary>
    public Instant? LastFailureAt
    {
        get
        {
            lock (gate)
            {
                return lastFailureAt;
            }
        }
    }

    /// <summary>Why this process's last failed run failed (the exception's type and message), or null.</summary>
    public string? LastFailure
    {
        get
        {
            lock (gate)
            {
                return lastFailure;
            }
        }
    }

    /// <summary>The successful runs of this process.</summary>
    public int SuccessfulRuns
    {
        get
        {
            lock (gate)
            {
                return runs;
            }
        }
    }

    internal void Succeeded(MaintenanceRunSummary summary)
    {
        lock (gate)
        {
            lastSuccess = summary;
            runs++;
        }
    }

    internal void Failed(Instant at, Exception exception)
    {
        lock (gate)
        {
            lastFailureAt = at;
            lastFailure = $"{exception.GetType().Name}: {exception.Message}";
        }
    }
}
