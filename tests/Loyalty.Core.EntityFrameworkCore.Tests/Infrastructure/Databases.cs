using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>A SQLite database in a temporary file (WAL, so readers do not block the writer), created from the model.</summary>
public sealed class SqliteDatabase : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "loyalty-sqlite-" + Guid.NewGuid().ToString("N")[..12]);

    public SqliteDatabase()
        : this(LoyaltyModelOptions.Default)
    {
    }

    public SqliteDatabase(LoyaltyModelOptions loyalty)
    {
        Loyalty = loyalty;
        Directory.CreateDirectory(folder);
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(folder, "shop.db"),
            Pooling = true,
            DefaultTimeout = 60,
        }.ToString();
        using var context = CreateContext();
        context.Database.EnsureCreated();
        context.Database.ApplyLoyaltyGuardsAsync(loyalty).GetAwaiter().GetResult();
        context.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
    }

    public string ConnectionString { get; }

    public LoyaltyModelOptions Loyalty { get; }

    public ShopContext CreateContext() => ShopContext.Create(b => b.UseSqlite(ConnectionString), Loyalty);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temporary folder is the system's to clean.
        }
    }
}

/// <summary>A database on the shared throwaway PostgreSQL cluster, created from the model, in schema <c>shop_loyalty</c>.</summary>
public sealed class PostgresDatabase
{
    public PostgresDatabase(PostgresServer server, string name, LoyaltyModelOptions loyalty)
    {
        Loyalty = loyalty;
        ConnectionString = server.CreateDatabase(name);
        using var context = CreateContext();
        context.Database.EnsureCreated();
        context.Database.ApplyLoyaltyGuardsAsync(loyalty).GetAwaiter().GetResult();
    }

    public string ConnectionString { get; }

    public LoyaltyModelOptions Loyalty { get; }

    public ShopContext CreateContext() => ShopContext.Create(b => b.UseNpgsql(ConnectionString), Loyalty);
}
