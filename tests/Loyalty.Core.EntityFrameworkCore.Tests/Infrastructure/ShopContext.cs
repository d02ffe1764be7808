using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>A shop's own context: its orders table, plus (unless <c>loyalty</c> is null, as before the
/// shop adopted the programme) the loyalty model placed as configured.</summary>
public sealed class ShopContext(DbContextOptions<ShopContext> options, LoyaltyModelOptions? loyalty) : DbContext(options)
{
    public LoyaltyModelOptions? Loyalty { get; } = loyalty;

    public DbSet<ShopOrder> Orders => Set<ShopOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ShopOrder>(b =>
        {
            b.ToTable("orders");
            b.HasKey(o => o.Id);
            b.Property(o => o.Reference).HasMaxLength(64);
        });
        if (Loyalty is not null)
        {
            modelBuilder.ApplyLoyaltyModel(Loyalty);
        }
    }

    /// <summary>Options for SQLite or PostgreSQL, with one cached model per loyalty placement.</summary>
    public static ShopContext Create(Action<DbContextOptionsBuilder<ShopContext>> provider, LoyaltyModelOptions? loyalty)
    {
        var builder = new DbContextOptionsBuilder<ShopContext>();
        provider(builder);
        builder.ReplaceService<IModelCacheKeyFactory, PlacementModelCacheKeyFactory>();
        return new ShopContext(builder.Options, loyalty);
    }

    private sealed class PlacementModelCacheKeyFactory : IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime)
            => (context.GetType(), ((ShopContext)context).Loyalty?.ToString(), designTime);
    }
}

public sealed class ShopOrder
{
    public long Id { get; set; }

    public string Reference { get; set; } = "";

    public decimal Total { get; set; }
}
