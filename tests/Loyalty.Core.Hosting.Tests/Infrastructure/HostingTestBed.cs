using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.Hosting.Tests.Infrastructure;

/// <summary>A programme in memory with the hosted maintenance registered, a fake clock and captured logs.</summary>
public sealed class HostingTestBed : IDisposable
{
    public HostingTestBed(Instant start, Action<LoyaltyMaintenanceOptions>? configure = null, IMaintenanceLease? sharedLease = null, Action<IServiceCollection>? services = null)
    {
        Clock = new FakeClock(start);
        var collection = new ServiceCollection();
        collection.AddLogging(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        collection.AddSingleton<IClock>(Clock);
        collection.AddLoyalty(o =>
        {
            o.ProgramId = "club";
            o.Currency = "EUR";
            o.TimeZone = "Europe/Paris";
        });
        if (sharedLease is not null)
        {
            collection.AddSingleton(sharedLease);
        }

        collection.AddLoyaltyMaintenance(configure);
        services?.Invoke(collection);
        Provider = collection.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    public FakeClock Clock { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public ServiceProvider Provider { get; }

    public LoyaltyMaintenanceStatus Status => Provider.GetRequiredService<LoyaltyMaintenanceStatus>();

    /// <summary>The hosted service, with its schedule waits moving the fake clock on and lease renewals waiting for ever (runs are instant).</summary>
    internal LoyaltyMaintenanceService CreateService(Func<Duration, CancellationToken, Task>? wait = null) => new(
        Provider.GetRequiredService<IServiceScopeFactory>(),
        Clock,
        Provider.GetRequiredService<IOptions<LoyaltyMaintenanceOptions>>(),
        Provider.GetRequiredService<Configuration.ProgramSettings>(),
        Status,
        Provider.GetRequiredService<ILoggerFactory>(),
        wait ?? ((d, _) =>
        {
            Clock.Advance(d);
            return Task.CompletedTask;
        }),
        (_, ct) => Task.Delay(Timeout.Infinite, ct));

    public void Dispose() => Provider.Dispose();
}
