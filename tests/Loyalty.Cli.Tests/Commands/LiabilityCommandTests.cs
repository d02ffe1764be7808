using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Cli.Commands;
using Loyalty.Cli.Tests.Infrastructure;
using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.EntityFrameworkCore;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace Loyalty.Cli.Tests.Commands;

public class LiabilityCommandTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 5, 4, 10, 0);

    /// <summary>
    /// A shop database created with the shipped SQL script and written by the library's own ledger:
    /// points expiring this month, in the next two months, within the year, never; points still
    /// pending; an open hold; points already expired by the as-of instant; another programme.
    /// </summary>
    private static async Task<string> SeedAsync()
    {
        var path = Path.Combine(Tool.TempFolder(), "shop.db");
        var script = await File.ReadAllTextAsync(Path.Combine(Tool.RepositoryRoot, "src", "Loyalty.Core.EntityFrameworkCore", "Sql", "loyalty-sqlite.sql"));
        await using (var connection = new SqliteConnection($"Data Source={path}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = script;
            await command.ExecuteNonQueryAsync();
        }

        await SeedLedgerAsync(new DbContextOptionsBuilder<LiabilityDbContext>().UseSqlite($"Data Source={path};Pooling=False").Options);
        return path;
    }

    /// <summary>Writes the programme's ledger (and another programme's) into the loyalty tables of a database.</summary>
    private static async Task SeedLedgerAsync(DbContextOptions<LiabilityDbContext> options)
    {
        await using var context = new LiabilityDbContext(options, LoyaltyModelOptions.Default);
        foreach (var program in new[] { "club", "other" })
        {
            var settings = new LoyaltyOptions { ProgramId = program };
            settings.Ledger.HoldLifetime = TimeSpan.FromDays(7);
            var ledger = new PointsLedger(new FakeClock(Now), new EntityFrameworkLedgerStore(context), settings.ToProgramSettings(), Options.Create(settings.Ledger));
            async Task Earn(string member, long points, Instant? expires = null, Duration? pending = null)
            {
                var result = await ledger.EarnAsync(new EarnPoints(TransactionId.From($"earn-{member}"), MemberId.From(member), Points.FromInt64(points)) { ExpiresAt = expires, PendingPeriod = pending });
                result.Succeeded.Should().BeTrue(result.ToString());
            }

            if (program == "other")
            {
                await Earn("m1", 9_999);
                continue;
            }

            await Earn("m1", 100, Instant.FromUtc(2026, 5, 20, 0, 0));
            await Earn("m2", 200, Instant.FromUtc(2026, 7, 15, 0, 0));
            await Earn("m3", 300, Instant.FromUtc(2027, 1, 10, 0, 0));
            await Earn("m4", 400);
            await Earn("m5", 50, pending: Duration.FromDays(14));
            await Earn("m6", 80, Instant.FromUtc(2026, 5, 4, 11, 0));
            (await ledger.HoldAsync(new HoldPoints(TransactionId.From("hold-m4"), MemberId.From("m4"), Points.FromInt64(150)))).Succeeded.Should().BeTrue();
        }
    }

    private static string[] Args(string path, params string[] more) =>
        ["liability", "--connection", $"Data Source={path}", "--provider", "sqlite", "--program", "club", "--as-of", "2026-05-04T12:00:00Z", .. more];

    private static string Flat(string text) => string.Join(' ', text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public async Task The_liability_of_a_sqlite_ledger_is_split_by_state_and_expiry()
    {
        var path = await SeedAsync();

        var run = Tool.Run(Args(path, "--cost-per-point", "0.01", "--currency", "EUR"));

        run.ExitCode.Should().Be(0, run.Error);
        Tool.MatchesSnapshot(run.Output, "liability");
    }

    [Fact]
    public async Task With_culture_fr_FR_the_tables_are_in_french()
    {
        var path = await SeedAsync();

        var run = Tool.Run(Args(path, "--cost-per-point", "0.01", "--currency", "EUR", "--culture", "fr-FR"));

        run.ExitCode.Should().Be(0, run.Error);
        Tool.MatchesSnapshot(run.Output, "liability-fr");
    }

    /// <summary>Members m1 (gold), m2 and m4 (silver) with a tier; m3 and m5 without one (m3 is no member row at all).</summary>
    private static async Task SeedTiersAsync(string path)
    {
        var options = new DbContextOptionsBuilder<LiabilityDbContext>().UseSqlite($"Data Source={path};Pooling=False").Options;
        await using var context = new LiabilityDbContext(options, LoyaltyModelOptions.Default);
        var members = new EntityFrameworkMemberStore(context);
        foreach (var (member, tier) in new[] { ("m1", "gold"), ("m2", "silver"), ("m4", "silver"), ("m5", null) })
        {
            var status = tier is null ? null : new Loyalty.Core.Tiers.TierStatus { Tier = TierId.From(tier), Since = Now, AutomaticTier = TierId.From(tier), AutomaticSince = Now, EvaluatedAt = Now };
            var added = await members.AddMemberAsync(new Loyalty.Core.Storage.MemberRecord
            {
                ProgramId = ProgramId.From("club"),
                MemberId = MemberId.From(member),
                EnrolledAt = Now,
                ReferralCode = Loyalty.Core.Referrals.ReferralCode.From("CODE" + member.ToUpperInvariant()),
                TierStatus = status,
            });
            added.Should().Be(Loyalty.Core.Storage.MemberAddStatus.Added);
        }
    }

    [Fact]
    public async Task By_tier_splits_the_outstanding_points_by_the_members_current_tier()
    {
        var path = await SeedAsync();
        await SeedTiersAsync(path);

        var run = Tool.Run(Args(path, "--cost-per-point", "0.01", "--currency", "EUR", "--by-tier"));
        var json = Tool.Run(Args(path, "--cost-per-point", "0.01", "--by-tier", "--json"));

        run.ExitCode.Should().Be(0, run.Error);
        Tool.MatchesSnapshot(run.Output, "liability-by-tier");
        var tiers = JsonDocument.Parse(json.Json).RootElement.GetProperty("byTier").EnumerateArray()
            .Select(t => (t.GetProperty("tier").GetString(), t.GetProperty("points").GetInt64(), t.GetProperty("value").GetDecimal())).ToList();
        tiers.Should().Equal(("gold", 100L, 1.00m), ("silver", 600L, 6.00m), (null, 350L, 3.50m));
        tiers.Sum(t => t.Item2).Should().Be(1_050, "the tiers add up to the outstanding points");
    }

    [Fact]
    public async Task Json_has_the_totals_and_every_expiry_bucket()
    {
        var path = await SeedAsync();

        var run = Tool.Run(Args(path, "--cost-per-point", "0.01", "--json"));

        run.ExitCode.Should().Be(0, run.Error);
        var root = JsonDocument.Parse(run.Json).RootElement;
        root.GetProperty("program").GetString().Should().Be("club");
        root.GetProperty("asOf").GetString().Should().Be("2026-05-04T12:00:00Z");
        root.GetProperty("currency").GetString().Should().Be("EUR");
        root.GetProperty("accounts").GetInt32().Should().Be(5, "m6's only lot expired before the as-of instant");
        root.GetProperty("outstanding").GetProperty("points").GetInt64().Should().Be(1_050);
        root.GetProperty("outstanding").GetProperty("value").GetDecimal().Should().Be(10.50m);
        root.GetProperty("available").GetProperty("points").GetInt64().Should().Be(850);
        root.GetProperty("pending").GetProperty("points").GetInt64().Should().Be(50);
        root.GetProperty("held").GetProperty("points").GetInt64().Should().Be(150);
        root.GetProperty("held").GetProperty("value").GetDecimal().Should().Be(1.50m);
        root.GetProperty("debt").GetInt64().Should().Be(0);
        root.GetProperty("byExpiry").EnumerateArray().Select(b => (b.GetProperty("bucket").GetString(), b.GetProperty("points").GetInt64()))
            .Should().Equal(("thisMonth", 100L), ("withinThreeMonths", 200L), ("withinTwelveMonths", 300L), ("later", 0L), ("never", 450L));
    }

    [Fact]
    public async Task A_date_as_of_is_the_end_of_that_day_and_later_instants_drop_what_expired()
    {
        var path = await SeedAsync();

        var run = Tool.Run(["liability", "--connection", $"Data Source={path}", "--provider", "SQLite", "--program", "club", "--as-of", "2026-05-31", "--cost-per-point", "0.5", "--json"]);

        run.ExitCode.Should().Be(0, run.Error);
        var root = JsonDocument.Parse(run.Json).RootElement;
        root.GetProperty("asOf").GetString().Should().Be("2026-05-31T23:59:59.999999999Z");
        root.GetProperty("outstanding").GetProperty("points").GetInt64().Should().Be(950, "m1's 100 points expired on 20 May");
        root.GetProperty("pending").GetProperty("points").GetInt64().Should().Be(0, "m5's points became available on 18 May");
        root.GetProperty("outstanding").GetProperty("value").GetDecimal().Should().Be(475m);
    }

    [Fact]
    public async Task Out_writes_a_report_with_the_liability_by_expiry_chart()
    {
        var path = await SeedAsync();
        var html = Path.Combine(Tool.TempFolder(), "liability.html");

        var run = Tool.Run(Args(path, "--cost-per-point", "0.01", "--out", html));

        run.ExitCode.Should().Be(0, run.Error);
        var page = await File.ReadAllTextAsync(html);
        page.Should().Contain("<h2>Points liability</h2>")
            .And.Contain("<figure class=\"chart\" id=\"liability-by-expiry\">")
            .And.Contain("<svg")
            .And.Contain("<tr><td>outstanding</td><td class=\"n\">1,050</td><td class=\"n\">10.50</td></tr>")
            .And.Contain("<tr><td>never</td><td class=\"n\">450</td><td class=\"n\">4.50</td></tr>");
    }

    [PostgresFact]
    public async Task The_liability_of_a_postgresql_ledger_is_the_same()
    {
        using var server = PostgresServer.Start();
        var connection = server.CreateDatabase("liability");
        var script = await File.ReadAllTextAsync(Path.Combine(Tool.RepositoryRoot, "src", "Loyalty.Core.EntityFrameworkCore", "Sql", "loyalty-postgresql.sql"));
        await using (var admin = new Npgsql.NpgsqlConnection(connection))
        {
            await admin.OpenAsync();
            await using var command = admin.CreateCommand();
            command.CommandText = script;
            await command.ExecuteNonQueryAsync();
        }

        await SeedLedgerAsync(new DbContextOptionsBuilder<LiabilityDbContext>().UseNpgsql(connection).Options);
        var empty = server.CreateDatabase("empty");

        var run = Tool.Run("liability", "--connection", connection, "--provider", "postgresql", "--program", "club", "--as-of", "2026-05-04T12:00:00Z", "--cost-per-point", "0.01", "--json");
        var missing = Tool.Run("liability", "--connection", empty, "--provider", "postgresql", "--program", "club", "--cost-per-point", "0.01");

        run.ExitCode.Should().Be(0, run.Error);
        var root = JsonDocument.Parse(run.Json).RootElement;
        root.GetProperty("provider").GetString().Should().Be("postgresql");
        root.GetProperty("accounts").GetInt32().Should().Be(5);
        root.GetProperty("outstanding").GetProperty("points").GetInt64().Should().Be(1_050);
        root.GetProperty("available").GetProperty("points").GetInt64().Should().Be(850);
        root.GetProperty("pending").GetProperty("points").GetInt64().Should().Be(50);
        root.GetProperty("held").GetProperty("points").GetInt64().Should().Be(150);
        root.GetProperty("byExpiry").EnumerateArray().Select(b => b.GetProperty("points").GetInt64()).Should().Equal(100L, 200L, 300L, 0L, 450L);
        missing.ExitCode.Should().Be(3);
        Flat(missing.Error).Should().StartWith(
            "error: --connection: the database has no table loyalty_ledger_accounts (the loyalty ledger of prefix 'loyalty_'); "
            + "create the loyalty tables with the SQL script shipped in the Loyalty.Core.EntityFrameworkCore package (sql/loyalty-postgresql.sql) or the shop's EF Core migration, "
            + "or give --schema/--table-prefix if the shop placed them elsewhere (42P01: relation \"loyalty_ledger_accounts\" does not exist");
    }

    private static readonly Lazy<string> Seeded = new(() => SeedAsync().GetAwaiter().GetResult());

    [Property(MaxTest = 150)]
    public Property Any_cost_per_point_or_as_of_text_is_used_or_refused_with_a_usage_error_never_a_crash()
    {
        var pieces = Gen.Elements("0", "1", "9", ".", ",", "-", "+", "e", "T", "Z", ":", "2026", "-05-04", "T12:00:00Z", " ", "\u0001", "99999999999999999999999999999", "");
        // Values that start with '-' are options to the command-line parser, not values: left out
        // (Spectre.Console.Cli 0.57.2 even crashes on some, e.g. "--:2026", for every command).
        var text = Gen.ListOf(pieces).Select(string.Concat).Where(v => !v.StartsWith('-'));
        return Prop.ForAll(text.ToArbitrary(), Gen.Elements(true, false).ToArbitrary(), (value, isCost) =>
        {
            var run = Tool.Run(["liability", "--connection", $"Data Source={Seeded.Value}", "--provider", "sqlite", "--program", "club", "--json",
                "--cost-per-point", isCost ? value : "0.01", "--as-of", isCost ? "2026-05-04T12:00:00Z" : value]);
            // A blank value is refused by the command-line parser itself (still exit 2).
            var ours = !string.IsNullOrWhiteSpace(value);
            return (run.ExitCode == 0 ? JsonDocument.Parse(run.Json).RootElement.GetProperty("outstanding").GetProperty("points").GetInt64() >= 0
                : run.ExitCode == 2 && run.Error.StartsWith(!ours ? "error: " : isCost ? "error: --cost-per-point:" : "error: --as-of:", StringComparison.Ordinal)).Label($"{run.ExitCode} [{value}] {run.Error}");
        });
    }

    [Fact]
    public void An_unknown_provider_is_a_usage_error()
    {
        var run = Tool.Run("liability", "--connection", "Data Source=shop.db", "--provider", "mysql", "--program", "club", "--cost-per-point", "0.01");

        run.ExitCode.Should().Be(2);
        run.Error.Split('\n')[0].Trim().Should().Be("error: --provider: 'mysql' is not a supported database; use sqlite or postgresql.");
    }

    [Theory]
    [InlineData("-0.01")]
    [InlineData("abc")]
    [InlineData("0,01")]
    [InlineData("2000000")]
    public void A_bad_cost_per_point_is_a_usage_error(string cost)
    {
        var run = Tool.Run("liability", "--connection", "Data Source=shop.db", "--provider", "sqlite", "--program", "club", "--cost-per-point", cost);

        run.ExitCode.Should().Be(2);
        run.Error.Split('\n')[0].Trim().Should().Be($"error: --cost-per-point: '{cost}' is not an amount of 0 or more (at most 1000000) written with a dot, e.g. 0.01.");
    }

    [Fact]
    public void A_missing_cost_per_point_is_a_usage_error()
    {
        var run = Tool.Run("liability", "--connection", "Data Source=shop.db", "--provider", "sqlite", "--program", "club");

        run.ExitCode.Should().Be(2);
        run.Error.Split('\n')[0].Trim().Should().Be("error: --cost-per-point: give what one outstanding point costs the shop, e.g. --cost-per-point 0.01 (in --currency).");
    }

    [Fact]
    public void A_missing_database_file_is_an_input_error_and_is_not_created()
    {
        var path = Path.Combine(Tool.TempFolder(), "missing.db");

        var run = Tool.Run(Args(path, "--cost-per-point", "0.01"));

        run.ExitCode.Should().Be(3);
        Flat(run.Error).Should().Be($"error: --connection: cannot open the SQLite database (file {path}): SQLite Error 14: 'unable to open database file'.");
        File.Exists(path).Should().BeFalse();
    }

    [Fact]
    public void An_unreachable_postgresql_server_is_an_input_error()
    {
        var run = Tool.Run("liability", "--connection", "Host=127.0.0.1;Port=1;Database=shop;Username=shop;Timeout=2", "--provider", "postgresql", "--program", "club", "--cost-per-point", "0.01");

        run.ExitCode.Should().Be(3);
        Flat(run.Error).Should().StartWith("error: --connection: cannot open the PostgreSQL database (127.0.0.1/shop): ");
    }

    [Fact]
    public async Task A_database_without_the_loyalty_tables_names_the_table_and_the_script()
    {
        var path = Path.Combine(Tool.TempFolder(), "shop.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE orders (id INTEGER PRIMARY KEY)";
            await command.ExecuteNonQueryAsync();
        }

        var run = Tool.Run(Args(path, "--cost-per-point", "0.01"));

        run.ExitCode.Should().Be(3);
        Flat(run.Error).Should().Be(
            "error: --connection: the database has no table loyalty_ledger_accounts (the loyalty ledger of prefix 'loyalty_'); "
            + "create the loyalty tables with the SQL script shipped in the Loyalty.Core.EntityFrameworkCore package (sql/loyalty-sqlite.sql) or the shop's EF Core migration, "
            + "or give --schema/--table-prefix if the shop placed them elsewhere (SQLite Error 1: 'no such table: loyalty_ledger_accounts'.).");
    }

    [Fact]
    public async Task Another_table_prefix_is_looked_for_where_the_option_says()
    {
        var path = await SeedAsync();

        var run = Tool.Run(Args(path, "--cost-per-point", "0.01", "--table-prefix", "shop_"));

        run.ExitCode.Should().Be(3);
        Flat(run.Error).Should().StartWith("error: --connection: the database has no table shop_ledger_accounts (the loyalty ledger of prefix 'shop_');");
    }
}

/// <summary>A fact that needs the PostgreSQL server binaries: skipped with how to install them when they are missing.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
