using System.ComponentModel;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Loyalty.Cli.Infrastructure;
using Loyalty.Cli.Input;
using Loyalty.Cli.Reports;
using Loyalty.Core.Economics;
using Loyalty.Core.EntityFrameworkCore;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using NodaTime;
using NodaTime.Text;
using Npgsql;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Loyalty.Cli.Commands;

/// <summary>The settings of <c>loyalty liability</c>.</summary>
internal sealed class LiabilitySettings : OutputSettings
{
    /// <summary>The connection string.</summary>
    [CommandOption("--connection <CONNECTION>")]
    [Description("Connection string of the shop's database (SQLite: \"Data Source=shop.db\"; PostgreSQL: \"Host=…;Database=…;Username=…;Password=…\").")]
    public string? Connection { get; init; }

    /// <summary>The database provider.</summary>
    [CommandOption("--provider <PROVIDER>")]
    [Description("The database: sqlite or postgresql.")]
    public string? Provider { get; init; }

    /// <summary>The programme id.</summary>
    [CommandOption("--program <ID>")]
    [Description("The programme whose ledger is read.")]
    public string? Program { get; init; }

    /// <summary>The instant or date of the liability.</summary>
    [CommandOption("--as-of <INSTANT|DATE>")]
    [Description("The liability at this instant (2026-01-31T23:00:00Z) or at the end of this date in --time-zone (2026-01-31); default: now.")]
    public string? AsOf { get; init; }

    /// <summary>The programme's time zone.</summary>
    [CommandOption("--time-zone <ZONE>")]
    [Description("The programme's IANA time zone (month boundaries of the expiry buckets, end of an --as-of date).")]
    [DefaultValue("UTC")]
    public string TimeZone { get; init; } = "UTC";

    /// <summary>The cost of one point.</summary>
    [CommandOption("--cost-per-point <AMOUNT>")]
    [Description("What one outstanding point costs the shop, in --currency, e.g. 0.01.")]
    public string? CostPerPoint { get; init; }

    /// <summary>The currency of the cost per point.</summary>
    [CommandOption("--currency <CODE>")]
    [Description("ISO 4217 currency of --cost-per-point.")]
    [DefaultValue("EUR")]
    public string Currency { get; init; } = "EUR";

    /// <summary>The months of inactivity after which a member's points expire, if the programme has that rule.</summary>
    [CommandOption("--inactivity-months <MONTHS>")]
    [Description("The programme expires all points after this many months without activity (ExpiryPolicy.Inactivity); default: no inactivity rule.")]
    public int? InactivityMonths { get; init; }

    /// <summary>The HTML report to write.</summary>
    [CommandOption("--out <REPORT.HTML>")]
    [Description("Write a self-contained HTML report (tables and the liability by expiry as a chart).")]
    public string? Out { get; init; }

    /// <summary>Whether to split the outstanding points by the members' tiers.</summary>
    [CommandOption("--by-tier")]
    [Description("Also split the outstanding points by the members' current tiers (reads the member pages of the programme too).")]
    public bool ByTier { get; init; }

    /// <summary>The schema of the loyalty tables.</summary>
    [CommandOption("--schema <SCHEMA>")]
    [Description("Schema of the loyalty tables, if the shop placed them in one (ApplyLoyaltyModel's schema); default: the provider's default schema.")]
    public string? Schema { get; init; }

    /// <summary>The table-name prefix of the loyalty tables.</summary>
    [CommandOption("--table-prefix <PREFIX>")]
    [Description("Table-name prefix of the loyalty tables (ApplyLoyaltyModel's tablePrefix).")]
    [DefaultValue(LoyaltyModelOptions.DefaultTablePrefix)]
    public string TablePrefix { get; init; } = LoyaltyModelOptions.DefaultTablePrefix;

    /// <summary>The parsed provider.</summary>
    public LiabilityProvider ParsedProvider { get; private set; }

    /// <summary>The parsed programme id.</summary>
    public ProgramId ProgramId { get; private set; }

    /// <summary>The parsed zone.</summary>
    public DateTimeZone Zone { get; private set; } = DateTimeZone.Utc;

    /// <summary>The parsed valuation.</summary>
    public PointValuation Valuation { get; private set; } = PointValuation.PerPoint(Money.FromDecimal(0m, "EUR"));

    /// <summary>The parsed table placement.</summary>
    public LoyaltyModelOptions Placement { get; private set; } = LoyaltyModelOptions.Default;

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var baseResult = base.Validate();
        if (!baseResult.Successful)
        {
            return baseResult;
        }

        if (string.IsNullOrWhiteSpace(Connection))
        {
            return ValidationResult.Error("--connection: give the connection string of the shop's database, e.g. --connection \"Data Source=shop.db\".");
        }

        switch (Provider?.ToUpperInvariant())
        {
            case "SQLITE":
                ParsedProvider = LiabilityProvider.Sqlite;
                break;
            case "POSTGRESQL":
                ParsedProvider = LiabilityProvider.PostgreSql;
                break;
            case null:
                return ValidationResult.Error("--provider: give the database provider: sqlite or postgresql.");
            default:
                return ValidationResult.Error($"--provider: '{Provider}' is not a supported database; use sqlite or postgresql.");
        }

        if (string.IsNullOrWhiteSpace(Program))
        {
            return ValidationResult.Error("--program: give the id of the shop's programme (its Loyalty:ProgramId), e.g. --program club.");
        }

        try
        {
            ProgramId = Core.Primitives.ProgramId.From(Program);
        }
        catch (ArgumentException ex)
        {
            return ValidationResult.Error($"--program: {ex.Message.Split(" (Parameter", 2)[0]}");
        }

        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(TimeZone);
        if (zone is null)
        {
            return ValidationResult.Error($"--time-zone: '{TimeZone}' is not an IANA time zone; use an id such as Europe/Paris, America/New_York or UTC.");
        }

        Zone = zone;
        if (!Core.Primitives.Currency.TryFromCode(Currency, out var currency))
        {
            return ValidationResult.Error($"--currency: '{Currency}' is not an ISO 4217 currency code; use a three-letter upper-case code such as EUR, USD or GBP.");
        }

        if (CostPerPoint is null)
        {
            return ValidationResult.Error("--cost-per-point: give what one outstanding point costs the shop, e.g. --cost-per-point 0.01 (in --currency).");
        }

        if (!decimal.TryParse(CostPerPoint, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var cost) || cost > MaxCostPerPoint)
        {
            return ValidationResult.Error($"--cost-per-point: '{CostPerPoint}' is not an amount of 0 or more (at most {MaxCostPerPoint.ToString(CultureInfo.InvariantCulture)}) written with a dot, e.g. 0.01.");
        }

        Valuation = PointValuation.PerPoint(Money.FromDecimal(cost, currency));
        if (InactivityMonths is { } months && months is < 1 or > 120)
        {
            return ValidationResult.Error($"--inactivity-months: must be between 1 and 120 (was {months}).");
        }

        try
        {
            Placement = LoyaltyModelOptions.Create(Schema, TablePrefix);
        }
        catch (ArgumentException ex)
        {
            return ValidationResult.Error($"--schema/--table-prefix: {ex.Message.Split(" (Parameter", 2)[0]}");
        }

        return ValidationResult.Success();
    }

    /// <summary>The highest cost per point accepted.</summary>
    public const decimal MaxCostPerPoint = 1_000_000m;
}

/// <summary>The databases <c>loyalty liability</c> reads.</summary>
internal enum LiabilityProvider
{
    /// <summary>SQLite (Microsoft.Data.Sqlite), opened read-only.</summary>
    Sqlite,

    /// <summary>PostgreSQL (Npgsql).</summary>
    PostgreSql,
}

/// <summary>
/// <c>loyalty liability</c>: the liability of a live programme's outstanding points, read from the
/// shop's database through <see cref="EntityFrameworkLedgerStore"/> (keyset pages of account
/// snapshots) and computed by <see cref="LiabilityCalculator"/>.
/// </summary>
/// <param name="console">Where to write.</param>
internal sealed class LiabilityCommand(CliConsole console) : Command<LiabilitySettings>
{
    /// <summary>The account snapshots read per statement.</summary>
    internal const int PageSize = 1_000;

    /// <inheritdoc />
    public override int Execute(CommandContext context, LiabilitySettings settings, CancellationToken cancellationToken)
    {
        var asOf = ResolveAsOf(settings);
        var policy = settings.InactivityMonths is { } months ? ExpiryPolicy.Inactivity(months) : ExpiryPolicy.Never;
        // A spinner on an interactive terminal: a large ledger takes a while to read.
        var report = settings.Json || !console.Out.Profile.Capabilities.Interactive
            ? Read(settings, asOf, policy, cancellationToken).GetAwaiter().GetResult()
            : console.Out.Status().Start($"{settings.ProgramId}: reading the ledger…", _ => Read(settings, asOf, policy, cancellationToken).GetAwaiter().GetResult());
        if (settings.Out is { } html)
        {
            var texts = new Texts(settings.OutputCulture);
            var page = new HtmlReport(texts, Heading(texts, report, settings));
            AddTo(page, report, settings);
            OrdersCommand<OrdersSettings>.WriteFileAtomically(html, "--out", page.WriteTo);
        }

        if (settings.Json)
        {
            console.Json.WriteLine(JsonSerializer.Serialize(ToJson(report, settings), OrdersCommand<OrdersSettings>.JsonOptions));
            console.Json.Flush();
        }
        else
        {
            Render(console.Out, report, settings);
        }

        return ExitCodes.Success;
    }

    private static Instant ResolveAsOf(LiabilitySettings settings)
    {
        if (settings.AsOf is null)
        {
#pragma warning disable RS0030 // The tool is a composition root: "now" is the person's now.
            return SystemClock.Instance.GetCurrentInstant();
#pragma warning restore RS0030
        }

        var instant = InstantPattern.ExtendedIso.Parse(settings.AsOf);
        if (instant.Success)
        {
            return instant.Value;
        }

        var date = LocalDatePattern.Iso.Parse(settings.AsOf);
        if (date.Success)
        {
            var next = date.Value.PlusDays(1).AtStartOfDayInZone(settings.Zone).ToInstant();
            return next - Duration.Epsilon;
        }

        throw new UsageException($"--as-of: '{settings.AsOf}' is neither an instant (2026-01-31T23:00:00Z) nor a date (2026-01-31).");
    }

    private static async Task<LiabilityReport> Read(LiabilitySettings settings, Instant asOf, ExpiryPolicy policy, CancellationToken cancellationToken)
    {
        var options = Options(settings);
        await using var db = new LiabilityDbContext(options, settings.Placement);
        await CheckTablesAsync(db, settings, cancellationToken).ConfigureAwait(false);
        var store = new EntityFrameworkLedgerStore(db);
        try
        {
            var tiers = settings.ByTier ? await ReadTiersAsync(db, settings.ProgramId, cancellationToken).ConfigureAwait(false) : null;
            var accounts = new List<LiabilityAccount>();
            await foreach (var snapshot in LedgerLiability.ReadAllAsync(store, settings.ProgramId, PageSize, cancellationToken).ConfigureAwait(false))
            {
                var tier = tiers is not null && snapshot.Head is { } head && tiers.TryGetValue(head.MemberId, out var t) ? t : null;
                accounts.Add(LiabilityAccount.FromSnapshot(snapshot, policy, settings.Zone, asOf, tier));
            }

            return LiabilityCalculator.Compute(accounts, asOf, settings.Zone, settings.Valuation, settings.Valuation.CostPerPoint.Currency.MinorUnits);
        }
        catch (LoyaltyStoreException ex)
        {
            throw new InputException($"--connection: {ex.Message}", ex);
        }
    }

    /// <summary>Every member's current tier, read through the EF Core member store in keyset pages.</summary>
    private static async Task<Dictionary<MemberId, TierId?>> ReadTiersAsync(LiabilityDbContext db, ProgramId program, CancellationToken cancellationToken)
    {
        var members = new EntityFrameworkMemberStore(db);
        var tiers = new Dictionary<MemberId, TierId?>();
        MemberId? after = null;
        while (true)
        {
            var page = await members.ReadMemberPageAsync(program, MemberPartition.All, after, PageSize, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                return tiers;
            }

            foreach (var entry in page)
            {
                tiers[entry.Member.MemberId] = entry.Member.TierStatus?.Tier;
            }

            after = page[^1].Member.MemberId;
        }
    }

    private static DbContextOptions<LiabilityDbContext> Options(LiabilitySettings settings)
    {
        var builder = new DbContextOptionsBuilder<LiabilityDbContext>();
        try
        {
            switch (settings.ParsedProvider)
            {
                case LiabilityProvider.Sqlite:
                    // Read-only: a mistyped path must not leave a new empty database behind.
                    var sqlite = new SqliteConnectionStringBuilder(settings.Connection) { Mode = SqliteOpenMode.ReadOnly };
                    builder.UseSqlite(sqlite.ConnectionString);
                    break;
                default:
                    var npgsql = new NpgsqlConnectionStringBuilder(settings.Connection);
                    builder.UseNpgsql(npgsql.ConnectionString);
                    break;
            }
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"--connection: not a valid {Name(settings.ParsedProvider)} connection string: {ex.Message}", ex);
        }

        builder.ReplaceService<IModelCacheKeyFactory, PlacementModelCacheKeyFactory>();
        return builder.Options;
    }

    /// <summary>Opens the database and checks that the three ledger tables the read needs exist.</summary>
    private static async Task CheckTablesAsync(LiabilityDbContext db, LiabilitySettings settings, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or InvalidOperationException)
        {
            throw new InputException($"--connection: cannot open the {Name(settings.ParsedProvider)} database ({Describe(settings)}): {ex.GetBaseException().Message}", ex);
        }

        var script = settings.ParsedProvider == LiabilityProvider.Sqlite ? "loyalty-sqlite.sql" : "loyalty-postgresql.sql";
        foreach (var suffix in new[] { "ledger_accounts", "ledger_lots", "ledger_holds" })
        {
            var table = settings.Placement.TablePrefix + suffix;
            var qualified = settings.Placement.Schema is { } schema && settings.ParsedProvider == LiabilityProvider.PostgreSql
                ? $"\"{schema}\".\"{table}\""
                : $"\"{table}\"";
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT 1 FROM {qualified} WHERE 1 = 0";
            try
            {
                await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbException ex)
            {
                var shown = qualified.Replace("\"", string.Empty, StringComparison.Ordinal);
                throw new InputException(
                    $"--connection: the database has no table {shown} (the loyalty ledger of {settings.Placement}); "
                    + $"create the loyalty tables with the SQL script shipped in the Loyalty.Core.EntityFrameworkCore package (sql/{script}) or the shop's EF Core migration, "
                    + $"or give --schema/--table-prefix if the shop placed them elsewhere ({ex.GetBaseException().Message}).",
                    ex);
            }
        }
    }

    private static string Name(LiabilityProvider provider) => provider == LiabilityProvider.Sqlite ? "SQLite" : "PostgreSQL";

    private static string Describe(LiabilitySettings settings)
    {
        try
        {
            return settings.ParsedProvider == LiabilityProvider.Sqlite
                ? "file " + new SqliteConnectionStringBuilder(settings.Connection).DataSource
                : $"{new NpgsqlConnectionStringBuilder(settings.Connection).Host}/{new NpgsqlConnectionStringBuilder(settings.Connection).Database}";
        }
        catch (ArgumentException)
        {
            return "connection string";
        }
    }

    /// <summary>The JSON document of <c>--json</c>.</summary>
    /// <param name="report">The report.</param>
    /// <param name="settings">The settings.</param>
    /// <returns>The object to serialize.</returns>
    internal static object ToJson(LiabilityReport report, LiabilitySettings settings)
    {
        static object Figure(LiabilityFigure f) => new { points = f.Points, value = f.Value.Amount };
        return new
        {
            program = settings.ProgramId.ToString(),
            provider = settings.ParsedProvider == LiabilityProvider.Sqlite ? "sqlite" : "postgresql",
            asOf = InstantPattern.ExtendedIso.Format(report.AsOf),
            timeZone = settings.Zone.Id,
            currency = report.Valuation.CostPerPoint.Currency.Code,
            costPerPoint = report.Valuation.CostPerPoint.Amount,
            accounts = report.Accounts,
            outstanding = Figure(report.Outstanding),
            available = Figure(report.Available),
            pending = Figure(report.Pending),
            held = Figure(report.Held),
            debt = report.Debt,
            byExpiry = report.ByExpiry.OrderBy(p => p.Key).Select(p => new { bucket = BucketKey(p.Key), points = p.Value.Points, value = p.Value.Value.Amount }),
            byTier = settings.ByTier ? ByTier(report).Select(p => new { tier = p.Key == default ? null : p.Key.ToString(), points = p.Value.Points, value = p.Value.Value.Amount }) : null,
        };
    }

    private static string BucketKey(ExpiryBucket bucket) => bucket switch
    {
        ExpiryBucket.ThisMonth => "thisMonth",
        ExpiryBucket.WithinThreeMonths => "withinThreeMonths",
        ExpiryBucket.WithinTwelveMonths => "withinTwelveMonths",
        ExpiryBucket.Later => "later",
        _ => "never",
    };

    /// <summary>The tiers, by name, members without a tier last.</summary>
    private static IEnumerable<KeyValuePair<TierId, LiabilityFigure>> ByTier(LiabilityReport report) =>
        report.ByTier.OrderBy(p => p.Key == default).ThenBy(p => p.Key == default ? string.Empty : p.Key.ToString(), StringComparer.Ordinal);

    private static string TierLabel(Texts texts, TierId tier) => tier == default ? texts["tier.none"] : tier.ToString();

    private static void Render(IAnsiConsole output, LiabilityReport report, LiabilitySettings settings)
    {
        var texts = new Texts(settings.OutputCulture);
        output.WriteLine(Heading(texts, report, settings));
        foreach (var (title, columns, lines) in Rows(texts, report, settings))
        {
            var byState = title == texts["liability.byState"];
            var table = new Table().Title(Markup.Escape(title)).AddColumn(Markup.Escape(columns[0]));
            foreach (var column in columns.Skip(1))
            {
                table.AddColumn(new TableColumn(Markup.Escape(column)).RightAligned());
            }

            for (var i = 0; i < lines.Count; i++)
            {
                var bold = byState && i == lines.Count - 1;
                table.AddRow(lines[i].Select(cell => bold ? "[bold]" + Markup.Escape(cell) + "[/]" : Markup.Escape(cell)).ToArray());
            }

            output.Write(table);
            if (byState && report.Debt != 0)
            {
                output.WriteLine(texts.Format("liability.debt", report.Debt.ToString("N0", settings.OutputCulture)));
            }
        }
    }

    /// <summary>The tables, in the words of the culture: by state, by expiry, and with <c>--by-tier</c> by tier.</summary>
    private static List<(string Title, string[] Columns, List<string[]> Lines)> Rows(Texts texts, LiabilityReport report, LiabilitySettings settings)
    {
        var culture = settings.OutputCulture;
        var currency = report.Valuation.CostPerPoint.Currency;
        var format = "N" + currency.MinorUnits.ToString(CultureInfo.InvariantCulture);
        string Points(long p) => p.ToString("N0", culture);
        string Value(Money m) => m.Amount.ToString(format, culture);
        string[] Row(string label, LiabilityFigure f) => [label, Points(f.Points), Value(f.Value)];
        string[] Columns(string first) => [texts[first], texts["col.points"], texts.Format("col.value", currency)];
        var tables = new List<(string, string[], List<string[]>)>
        {
            (texts["liability.byState"], Columns("col.state"), [
                Row(texts["state.available"], report.Available),
                Row(texts["state.pending"], report.Pending),
                Row(texts["state.held"], report.Held),
                Row(texts["state.outstanding"], report.Outstanding)]),
            (texts["liability.byExpiry"], Columns("col.expires"), [.. report.ByExpiry.OrderBy(p => p.Key).Select(p => Row(texts["expiry." + BucketKey(p.Key)], p.Value))]),
        };
        if (settings.ByTier)
        {
            tables.Add((texts["liability.byTier"], Columns("col.tier"), [.. ByTier(report).Select(p => Row(TierLabel(texts, p.Key), p.Value))]));
        }

        return tables;
    }

    private static string Valuation(Texts texts, LiabilityReport report, LiabilitySettings settings) =>
        settings.OutputCulture.TwoLetterISOLanguageName == "fr"
            ? texts.Format("liability.valuation", report.Valuation.CostPerPoint.Amount, report.Valuation.CostPerPoint.Currency)
            : report.Valuation.Description;

    private static string Heading(Texts texts, LiabilityReport report, LiabilitySettings settings) =>
        texts.Format("liability.heading", settings.ProgramId, InstantPattern.ExtendedIso.Format(report.AsOf), settings.Zone.Id, Valuation(texts, report, settings), report.Accounts.ToString(settings.OutputCulture));

    /// <summary>The liability section of an HTML report: the chart of the value by expiry, the tables by state, by expiry (and by tier).</summary>
    /// <param name="page">The report.</param>
    /// <param name="report">The liability.</param>
    /// <param name="settings">The settings.</param>
    internal static void AddTo(HtmlReport page, LiabilityReport report, LiabilitySettings settings)
    {
        var texts = new Texts(settings.OutputCulture);
        var culture = settings.OutputCulture;
        var currency = report.Valuation.CostPerPoint.Currency;
        var format = "N" + currency.MinorUnits.ToString(CultureInfo.InvariantCulture);
        string Value(Money m) => m.Amount.ToString(format, culture);
        page.Heading(texts["liability.title"], texts.Format("liability.summary", report.Outstanding.Points.ToString("N0", culture), Value(report.Outstanding.Value), currency, Valuation(texts, report, settings)));
        var buckets = report.ByExpiry.OrderBy(p => p.Key).ToList();
        page.Chart(
            "liability-by-expiry",
            texts["liability.chart"],
            texts.Format("liability.chart.caption", currency, InstantPattern.ExtendedIso.Format(report.AsOf), settings.Zone.Id),
            Charts.Columns(
                [.. buckets.Select(b => texts["expiry." + BucketKey(b.Key)])],
                [.. buckets.Select(b => (double)b.Value.Value.Amount)],
                [.. buckets.Select(b => Value(b.Value.Value))],
                texts["col.expires"],
                texts.Format("col.value", currency)));
        foreach (var (title, columns, lines) in Rows(texts, report, settings))
        {
            page.Table(title, columns, lines);
        }
    }

    private sealed class PlacementModelCacheKeyFactory : IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime)
            => (context.GetType(), ((LiabilityDbContext)context).Placement.ToString(), designTime);
    }
}

/// <summary>The tool's own context: only the loyalty model, placed as the shop placed it.</summary>
/// <param name="options">The provider options.</param>
/// <param name="placement">The schema and table prefix.</param>
internal sealed class LiabilityDbContext(DbContextOptions<LiabilityDbContext> options, LoyaltyModelOptions placement) : DbContext(options)
{
    /// <summary>The schema and table prefix.</summary>
    public LoyaltyModelOptions Placement { get; } = placement;

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyLoyaltyModel(Placement);
}
