using Loyalty.Core.DataRights;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore.DataRights;

// The persisted shape of the data-rights audit and the erasure markers. Same conventions as the other
// stores: ids as strings, instants as 100-ns ticks since the Unix epoch, enums as integers.

/// <summary>One row per data-rights request: what, when, by whom, the outcome; the member only where it still exists under that id.</summary>
internal sealed class DataRightsAuditRow
{
    public string ProgramId { get; set; } = "";
    public string RequestId { get; set; } = "";
    public int Action { get; set; }
    public long At { get; set; }
    public string RequestedBy { get; set; } = "";
    public string? MemberId { get; set; }
    public int Status { get; set; }
    public long Records { get; set; }
}

/// <summary>One row per erased member id, kept only as its marker (a keyed hash, see <see cref="ErasedMembers"/>); never updated.</summary>
internal sealed class ErasedMemberRow
{
    public string ProgramId { get; set; } = "";
    public string Marker { get; set; } = "";
}

/// <summary>Maps the data-rights rows.</summary>
internal static class DataRightsModel
{
    public const string Audit = "data_rights_audit";
    public const string ErasedMembers = "erased_members";

    public static void Apply(ModelBuilder modelBuilder, LoyaltyModelOptions options)
    {
        var prefix = options.TablePrefix;
        modelBuilder.Entity<DataRightsAuditRow>(b =>
        {
            b.ToTable(options.Table(Audit), options.Schema);
            b.HasKey(a => new { a.ProgramId, a.RequestId });
            b.Property(a => a.ProgramId).HasColumnName("program_id").HasMaxLength(Identifier.MaxLength).IsUnicode();
            b.Property(a => a.RequestId).HasColumnName("request_id").HasMaxLength(DataRightsRequest.MaxRequestIdLength).IsUnicode();
            b.Property(a => a.Action).HasColumnName("action");
            b.Property(a => a.At).HasColumnName("at");
            b.Property(a => a.RequestedBy).HasColumnName("requested_by").HasMaxLength(DataRightsRequest.MaxRequestedByLength).IsUnicode();
            b.Property(a => a.MemberId).HasColumnName("member_id").HasMaxLength(Identifier.MaxLength).IsUnicode().IsRequired(false);
            b.Property(a => a.Status).HasColumnName("status");
            b.Property(a => a.Records).HasColumnName("records");

            // The audit of a period, and a member's own requests (its export, the re-keying by an erasure).
            b.HasIndex(a => new { a.ProgramId, a.At }).HasDatabaseName($"ix_{prefix}data_rights_audit_at");
            b.HasIndex(a => new { a.ProgramId, a.MemberId }).HasDatabaseName($"ix_{prefix}data_rights_audit_member");
        });

        modelBuilder.Entity<ErasedMemberRow>(b =>
        {
            b.ToTable(options.Table(ErasedMembers), options.Schema);
            b.HasKey(e => new { e.ProgramId, e.Marker });
            b.Property(e => e.ProgramId).HasColumnName("program_id").HasMaxLength(Identifier.MaxLength).IsUnicode();
            b.Property(e => e.Marker).HasColumnName("marker").HasMaxLength(Storage.ErasedMembers.MarkerLength).IsUnicode(false);
        });
    }
}
