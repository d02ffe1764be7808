using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Core.Tests.DependencyInjection;

public class LedgerRegistrationTests
{
    [Fact]
    public async Task The_ledger_and_the_in_memory_store_are_registered_by_default()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FakeClock(Instant.FromUtc(2026, 3, 15, 10, 0)));
        using var provider = services.AddLoyalty(o => o.Ledger.PendingPeriod = TimeSpan.FromDays(14)).Services.BuildServiceProvider(validateScopes: true);

        provider.GetRequiredService<ILedgerStore>().Should().BeOfType<InMemoryLedgerStore>();
        var ledger = provider.GetRequiredService<PointsLedger>();
        ledger.Should().BeSameAs(provider.GetRequiredService<PointsLedger>());
        var earn = await ledger.EarnAsync(new EarnPoints(TransactionId.From("e1"), MemberId.From("m1"), Points.FromInt64(70)));
        earn.Transaction!.AvailableAt.Should().Be(Instant.FromUtc(2026, 3, 29, 10, 0));
    }

    [Fact]
    public void A_host_store_registered_first_wins_and_use_in_memory_stores_is_an_explicit_choice()
    {
        var custom = new InMemoryLedgerStore();
        var services = new ServiceCollection();
        services.AddSingleton<ILedgerStore>(custom);
        services.AddLoyalty();
        using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<ILedgerStore>().Should().BeSameAs(custom);
        }

        services.AddLoyalty().UseInMemoryStores();
        using (var provider = services.BuildServiceProvider())
        {
            provider.GetRequiredService<ILedgerStore>().Should().NotBeSameAs(custom).And.BeOfType<InMemoryLedgerStore>();
        }

        services.Count(d => d.ServiceType == typeof(ILedgerStore)).Should().Be(1);
    }

    [Fact]
    public async Task A_ledger_made_per_scope_keeps_a_one_set_cache_reused_within_the_scope_and_scans_its_lots()
    {
        var store = new CountingStore(new InMemoryLedgerStore());
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(new FakeClock(Instant.FromUtc(2026, 3, 15, 10, 0)));
        services.AddScoped<ILedgerStore>(_ => store);
        services.AddLoyalty().UseScopedServices();
        using var provider = services.BuildServiceProvider(validateScopes: true);
        using var scope = provider.CreateScope();
        var ledger = scope.ServiceProvider.GetRequiredService<PointsLedger>();
        ledger.CacheSlots.Should().Be(AccountStateCache.ScopedSlots, "a scope writes on a few accounts: 4 slots, not the 1,024 (8 KB) of a ledger that lives as long as the process");
        ledger.IndexLotsFrom.Should().Be(AccountState.ScopedIndexFrom, "a state decoded for one write scans its lots rather than index them");
        (await ledger.EarnAsync(new EarnPoints(TransactionId.From("e1"), MemberId.From("m1"), Points.FromInt64(70)))).Succeeded.Should().BeTrue();
        (await ledger.EarnAsync(new EarnPoints(TransactionId.From("e2"), MemberId.From("m1"), Points.FromInt64(30)))).Succeeded.Should().BeTrue();
        store.AccountReads.Should().Be(1, "the second write of the scope on the account starts from the state the first one kept");

        var singleton = new ServiceCollection().AddSingleton<ILedgerStore>(new CountingStore(new InMemoryLedgerStore()));
        using var shared = singleton.AddLoyalty().Services.BuildServiceProvider();
        shared.GetRequiredService<PointsLedger>().CacheSlots.Should().Be(AccountStateCache.DefaultSlots);
        shared.GetRequiredService<PointsLedger>().IndexLotsFrom.Should().Be(AccountState.DefaultIndexFrom);
    }

    [Fact]
    public void Invalid_ledger_options_fail_validation_with_their_path()
    {
        using var provider = new ServiceCollection().AddLoyalty(o => o.Ledger.HoldLifetime = TimeSpan.FromDays(365)).Services.BuildServiceProvider();
        FluentActions.Invoking(() => provider.GetRequiredService<IOptions<LoyaltyOptions>>().Value)
            .Should().Throw<OptionsValidationException>()
            .WithMessage("Loyalty:Ledger:HoldLifetime: must be between 00:00:01 and 90.00:00:00 (was 365.00:00:00); use e.g. \"00:30:00\" for 30 minutes.");
    }

    /// <summary>A store that counts its account reads and keeps no decoded states (as a database's store).</summary>
    private sealed class CountingStore(ILedgerStore inner) : Storage.ForwardingLedgerStore(inner)
    {
        public int AccountReads { get; private set; }

        public override ValueTask<LedgerAccountSnapshot> GetAccountAsync(LedgerAccountKey account, CancellationToken cancellationToken = default)
        {
            AccountReads++;
            return base.GetAccountAsync(account, cancellationToken);
        }
    }
}
