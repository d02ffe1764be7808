using Loyalty.Core.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

/// <summary>The shop's own context, as it was before the loyalty programme: orders and their lines.
/// Adopting the programme is one line in OnModelCreating.</summary>
public sealed class ShopDbContext(DbContextOptions<ShopDbContext> options) : DbContext(options)
{
    public DbSet<ShopOrder> Orders => Set<ShopOrder>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ShopOrder>(b =>
        {
            b.ToTable("orders");
            b.HasKey(o => o.Reference);
            b.Property(o => o.Reference).HasMaxLength(64);
            b.Property(o => o.CustomerId).HasMaxLength(64);
            b.Property(o => o.Currency).HasMaxLength(3);
            b.HasMany(o => o.Lines).WithOne().HasForeignKey(l => l.OrderReference);
        });
        modelBuilder.Entity<ShopOrderLine>(b =>
        {
            b.ToTable("order_lines");
            b.HasKey(l => new { l.OrderReference, l.LineNumber });
            b.Property(l => l.Sku).HasMaxLength(64);
            b.Property(l => l.Category).HasMaxLength(64);
        });

        // The loyalty tables (ledger, members, orders recorded, rule sets, rewards) in the same database.
        modelBuilder.ApplyLoyaltyModel();
    }
}

public sealed class ShopOrder
{
    public string Reference { get; set; } = "";

    public string CustomerId { get; set; } = "";

    public DateTime PlacedAtUtc { get; set; }

    public string Currency { get; set; } = "EUR";

    public decimal Total { get; set; }

    public List<ShopOrderLine> Lines { get; set; } = [];
}

public sealed class ShopOrderLine
{
    public string OrderReference { get; set; } = "";

    public int LineNumber { get; set; }

    public string Sku { get; set; } = "";

    public string Category { get; set; } = "";

    public int Quantity { get; set; }

    public decimal UnitPrice { get; set; }
}
