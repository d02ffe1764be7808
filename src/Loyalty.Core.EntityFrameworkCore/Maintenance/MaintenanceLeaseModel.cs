using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore.Maintenance;

/// <summary>One row per (programme, lease name): who holds it until when, and when the maintenance under it last completed. Instants as 100-ns ticks since the Unix epoch.</summary>
internal sealed class MaintenanceLeaseRow
{
    public string ProgramId { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Holder { get; set; }
    public long ExpiresAt { get; set; }
    public long? LastCompletedAt { get; set; }
}

/// <summary>Maps the maintenance lease table.</summary>
internal static class MaintenanceLeaseModel
{
    public const string Leases = "maintenance_leases";

    public static void Apply(ModelBuilder modelBuilder, LoyaltyModelOptions options)
    {
        modelBuilder.Entity<MaintenanceLeaseRow>(b =>
        {
            b.ToTable(options.Table(Leases), options.Schema);
            b.HasKey(l => new { l.ProgramId, l.Name });
            b.Property(l => l.ProgramId).HasColumnName("program_id").HasMaxLength(Identifier.MaxLength).IsUnicode();
            b.Property(l => l.Name).HasColumnName("name").HasMaxLength(MaintenanceLeaseState.MaxNameLength).IsUnicode();
            b.Property(l => l.Holder).HasColumnName("holder").HasMaxLength(MaintenanceLeaseState.MaxNameLength).IsUnicode();
            b.Property(l => l.ExpiresAt).HasColumnName("expires_at");
            b.Property(l => l.LastCompletedAt).HasColumnName("last_completed_at");
        });
    }
}
