// ShopIntegration: an existing shop, with its own EF Core DbContext and orders table, adopts the
// loyalty programme. The whole programme (options, earning rules, tiers, rewards) comes from the one
// "Loyalty" section of appsettings.json, environment overrides included, and is validated at start-up; an order row of the shop and the points it earns commit in one
// database transaction; a declined payment rolls both back.
//
//   dotnet run --project samples/ShopIntegration                                   (SQLite in a temp folder)
//   dotnet run --project samples/ShopIntegration -- --postgres "Host=…;Database=shop;Username=…;Password=…"
using System.Globalization;
using Loyalty.Core.Configuration;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Earning;
using Loyalty.Core.EntityFrameworkCore;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NodaTime;

// Configuration comes from the app's folder (appsettings.json is copied next to the program), the
// environment and the command line: `--postgres <connection string>` becomes the key "postgres".
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });

// ---------------------------------------------------------------------------------------------
// 1. The shop's database: SQLite in a new temporary folder, or PostgreSQL with --postgres.
// ---------------------------------------------------------------------------------------------
var postgres = builder.Configuration["postgres"];
string? sqliteFolder = null;
if (string.IsNullOrWhiteSpace(postgres))
{
    sqliteFolder = Path.Combine(Path.GetTempPath(), "loyalty-shop-" + Guid.NewGuid().ToString("N")[..8]);
    Directory.CreateDirectory(sqliteFolder);
    var sqlite = builder.Configuration.GetConnectionString("Sqlite")!.Replace("{folder}", sqliteFolder, StringComparison.Ordinal);
    builder.Services.AddDbContext<ShopDbContext>(o => o.UseSqlite(sqlite));
    Console.WriteLine($"Database: SQLite, {Path.Combine(sqliteFolder, "shop.db")}");
}
else
{
    builder.Services.AddDbContext<ShopDbContext>(o => o.UseNpgsql(postgres));
    Console.WriteLine("Database: PostgreSQL");
}

// ---------------------------------------------------------------------------------------------
// 2. The whole programme from the one "Loyalty" section of appsettings.json (options, tiers, rule
//    sets, rewards), on the shop's own context; every problem stops the host at start-up, with its path.
// ---------------------------------------------------------------------------------------------
builder.Services.AddLoyalty(builder.Configuration.GetSection(LoyaltyOptions.SectionName))
    .UseEntityFrameworkCore<ShopDbContext>();

using var host = builder.Build();
try
{
    await host.StartAsync();
}
catch (OptionsValidationException ex)
{
    Console.Error.WriteLine("The Loyalty section of the configuration is invalid:" + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", ex.Failures));
    DeleteDatabaseFolder();
    return 1;
}

var clock = host.Services.GetRequiredService<IClock>();
var settings = host.Services.GetRequiredService<ProgramSettings>();
var zone = settings.TimeZone;

// ---------------------------------------------------------------------------------------------
// 3. Create the tables (a production shop adds them to its migrations instead, see
//    docs/entity-framework-core.md) and publish the programme.
// ---------------------------------------------------------------------------------------------
await using (var scope = host.Services.CreateAsyncScope())
{
    var database = scope.ServiceProvider.GetRequiredService<ShopDbContext>().Database;
    await database.EnsureCreatedAsync();

    // The ledger's transactions are append-only: the database itself refuses an UPDATE or DELETE of them.
    await database.ApplyLoyaltyGuardsAsync(LoyaltyModelOptions.Default);
}

// The configured rule sets and rewards reach the database (again at every start: what is already
// published identically is left alone; a published version never changes).
var published = await host.Services.PublishLoyaltyProgrammeAsync();
var programme = host.Services.GetRequiredService<ProgramDefinition>();
Console.WriteLine($"Programme: rule sets {string.Join(", ", programme.RuleSets.Select(r => r.Version))}, tiers {string.Join(" < ", programme.Tiers!.Tiers.Select(t => t.Name))}, {programme.Rewards.Rewards.Count} rewards ({published})");

// Ids unique to this run, so that the sample can run again on the same PostgreSQL database.
var run = clock.GetCurrentInstant().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
var alice = MemberId.From("alice-" + run);

// ---------------------------------------------------------------------------------------------
// 4. A customer joins: the welcome points are spendable at once.
// ---------------------------------------------------------------------------------------------
await using (var scope = host.Services.CreateAsyncScope())
{
    var profile = (await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>().EnrolAsync(new Enrolment(alice))).GetValueOrThrow();
    Console.WriteLine();
    Console.WriteLine($"{alice} joined: referral code {profile.ReferralCode}, {profile.WelcomePoints} welcome points");
}

// ---------------------------------------------------------------------------------------------
// 5. Orders: the shop's order row and the loyalty records in one transaction.
// ---------------------------------------------------------------------------------------------
Console.WriteLine();
await PlaceOrderAsync($"CMD-{run}-1", [("RUN-SHOE", "shoes", 1, 89.90m), ("SOCKS", "accessories", 3, 6.50m)], paymentDeclined: false);
await PlaceOrderAsync($"CMD-{run}-2", [("JACKET", "clothing", 1, 129.00m), ("CAP", "accessories", 1, 24.00m)], paymentDeclined: false);
await PlaceOrderAsync($"CMD-{run}-3", [("TRAIL-SHOE", "shoes", 1, 119.00m)], paymentDeclined: true);

// ---------------------------------------------------------------------------------------------
// 6. A reward: the welcome points buy a 5 € voucher.
// ---------------------------------------------------------------------------------------------
await using (var scope = host.Services.CreateAsyncScope())
{
    var redeemed = await scope.ServiceProvider.GetRequiredService<LoyaltyProgram>()
        .RedeemRewardAsync(alice, RewardId.From("voucher-5"), RedemptionId.From($"RDM-{run}-1"));
    Console.WriteLine();
    Console.WriteLine(redeemed.Succeeded ? $"Redeemed: {redeemed.Value}" : $"Not redeemed: {redeemed.Error}");
}

// ---------------------------------------------------------------------------------------------
// 7. The member's statement, read back from the database.
// ---------------------------------------------------------------------------------------------
await using (var scope = host.Services.CreateAsyncScope())
{
    var services = scope.ServiceProvider;
    var summary = (await services.GetRequiredService<LoyaltyProgram>().GetMemberSummaryAsync(alice)).GetValueOrThrow();
    var b = summary.Balance;
    var next = summary.Tier.NextTierProgress is { } p ? $"; {p.Thresholds[0].Remaining:0} qualifying points to {p.Tier.Name}" : string.Empty;
    Console.WriteLine();
    Console.WriteLine($"Statement of {alice}");
    Console.WriteLine($"  available {b.Available}, pending {b.Pending} (the return window), earned {b.Earned}, redeemed {b.Redeemed}");
    Console.WriteLine($"  tier {summary.Tier.Tier.Name}{next}; perks: {(summary.Perks.Count == 0 ? "none" : string.Join(", ", summary.Perks.Order()))}");
    foreach (var tx in (await services.GetRequiredService<PointsLedger>().GetHistoryAsync(alice)).Transactions)
    {
        var available = tx.AvailableAt is { } at && at > tx.EffectiveAt ? $", available {at.InZone(zone).Date:uuuu-MM-dd}" : string.Empty;
        Console.WriteLine($"  {tx.EffectiveAt.InZone(zone):uuuu-MM-dd HH:mm}  {tx.Kind,-7} {tx.Amount,5}  {tx.Id}{available}");
    }

    var declined = $"CMD-{run}-3";
    var shopRow = await services.GetRequiredService<ShopDbContext>().Orders.AnyAsync(o => o.Reference == declined);
    var loyaltyRow = await services.GetRequiredService<IMemberStore>().GetOrderAsync(settings.ProgramId, OrderId.From(declined));
    Console.WriteLine($"  {declined}: shop order {(shopRow ? "present" : "absent")}, loyalty record {(loyaltyRow is null ? "absent" : "present")}");
}

await host.StopAsync();
DeleteDatabaseFolder();
return 0;

void DeleteDatabaseFolder()
{
    if (sqliteFolder is not null)
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(sqliteFolder, recursive: true);
    }
}

async Task PlaceOrderAsync(string reference, (string Sku, string Category, int Quantity, decimal UnitPrice)[] lines, bool paymentDeclined)
{
    await using var scope = host.Services.CreateAsyncScope();
    var shop = scope.ServiceProvider.GetRequiredService<ShopDbContext>();
    var program = scope.ServiceProvider.GetRequiredService<LoyaltyProgram>();
    var placedAt = clock.GetCurrentInstant();

    await using var transaction = await shop.Database.BeginTransactionAsync();
    shop.Orders.Add(new ShopOrder
    {
        Reference = reference,
        CustomerId = alice.Value,
        PlacedAtUtc = placedAt.ToDateTimeUtc(),
        Currency = settings.Currency.Code,
        Total = lines.Sum(l => l.Quantity * l.UnitPrice),
        Lines = lines.Select((l, i) => new ShopOrderLine { LineNumber = i + 1, Sku = l.Sku, Category = l.Category, Quantity = l.Quantity, UnitPrice = l.UnitPrice }).ToList(),
    });
    await shop.SaveChangesAsync();

    var order = new EarningOrder(OrderId.From(reference), alice, placedAt, settings.Currency, lines.Select(l => new OrderLine(l.Sku, l.Quantity, l.UnitPrice, categories: [l.Category])).ToArray());
    var receipt = await program.RecordOrderAsync(order);
    if (!receipt.Succeeded || paymentDeclined)
    {
        // Nothing of the order stays: neither the shop's row nor the points.
        await transaction.RollbackAsync();
        Console.WriteLine($"{reference}: {(receipt.Succeeded ? "payment declined" : receipt.Error!.ToString())}; the order and its {receipt.Value?.Points ?? Points.Zero} points were rolled back");
        return;
    }

    await transaction.CommitAsync();
    var r = receipt.Value!;
    Console.WriteLine($"{reference}: {r.Points} points (rules {r.RuleSetVersion}), tier {r.Tier}");
    foreach (var line in r.Explanation)
    {
        Console.WriteLine($"    {line.Text}");
    }
}
