using Loyalty.Core.Specification;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>A fact that needs a PostgreSQL server: skipped (with how to enable it) when the server
/// binaries are missing, unless <c>LOYALTY_REQUIRE_POSTGRES=1</c> makes that a failure.</summary>
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

/// <summary>Skips an inherited specification suite when PostgreSQL is not available (see <see cref="PostgresServer.SkipReason"/>).</summary>
public sealed class RequiresPostgresAttribute : SkipSpecificationAttribute
{
    public override string? SkipReason => PostgresServer.SkipReason;
}

/// <summary>One throwaway cluster shared by every PostgreSQL test class; each class makes its own database.</summary>
public sealed class PostgresServerFixture : IDisposable
{
    private readonly Lazy<PostgresServer> server = new(PostgresServer.Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<PostgresDatabase>> databases = new();

    public PostgresServer Server => server.Value;

    /// <summary>The database <paramref name="name"/>, created with the loyalty model on first use and shared afterwards.</summary>
    public PostgresDatabase Database(string name, LoyaltyModelOptions loyalty)
        => databases.GetOrAdd(name, n => new Lazy<PostgresDatabase>(() => new PostgresDatabase(Server, n, loyalty))).Value;

    public void Dispose()
    {
        if (server.IsValueCreated)
        {
            server.Value.Dispose();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "PostgreSQL";
}

/// <summary>A theory that needs a PostgreSQL server (see <see cref="PostgresFactAttribute"/>).</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (PostgresServer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
