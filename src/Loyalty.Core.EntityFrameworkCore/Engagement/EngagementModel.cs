using Loyalty.Core.Engagement;
using Loyalty.Core.Primitives;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore.Engagement;

// The persisted shape of the engagement stores. Same conventions as the other stores: ids as strings,
// instants as 100-ns ticks since the Unix epoch, enums as integers.

/// <summary>One row per consent or opt-out; never updated. The key (programme, member, channel, instant) makes a repeat find its row.</summary>
internal sealed class ConsentRow
{
    public string ProgramId { get; set; } = "";
    public string MemberId { get; set; } = "";
    public int Channel { get; set; }
    public long At { get; set; }
    public int Status { get; set; }
    public string Source { get; set; } = "";
}

/// <summary>One row per message sent; never updated. The message id is the key: a second send with it is refused by the database.</summary>
internal sealed class ContactRow
{
    public string ProgramId { get; set; } = "";
    public string MessageId { get; set; } = "";
    public string MemberId { get; set; } = "";
    public int Channel { get; set; }
    public int Category { get; set; }
    public string MessageType { get; set; } = "";
    public long SentAt { get; set; }
}

/// <summary>Maps the engagement rows: tables, keys and the index the planner's page reads use.</summary>
internal static class EngagementModel
{
    public const string Consents = "member_consents";
    public const string Contacts = "contact_history";

    public static void Apply(ModelBuilder modelBuilder, LoyaltyModelOptions options)
    {
        var prefix = options.TablePrefix;
        modelBuilder.Entity<ConsentRow>(b =>
        {
            b.ToTable(options.Table(Consents), options.Schema);
            b.HasKey(c => new { c.ProgramId, c.MemberId, c.Channel, c.At });
            b.Property(c => c.ProgramId).HasColumnName("program_id").HasMaxLength(Identifier.MaxLength).IsUnicode();
            b.Property(c => c.MemberId).HasColumnName("member_id").HasMaxLength(Identifier.MaxLength).IsUnicode();
            b.Property(c => c.Channel).HasColumnName("channel");
            b.Property(c => c.At).HasColumnName("at");
            b.Property(c => c.Status).HasColumnName("status");
            b.Property(c => c.Source).HasColumnName("source").HasMaxLength(ConsentRecord.MaxSourceLength);
        });

        modelBuilder.Entity<ContactRow>(b =>
        {
            b.ToTable(options.Table(Contacts), options.Schema);
            b.HasKey(c => new { c.ProgramId, c.MessageId });
            b.Property(c => c.ProgramId).HasColumnName("program_id").HasMaxLength(Identifier.MaxLength).IsUnicode();
            b.Property(c => c.MessageId).HasColumnName("message_id").HasMaxLength(ContactRecord.MaxMessageIdLength).IsUnicode();
            b.Property(c => c.MemberId).HasColumnName("member_id").HasMaxLength(Identifier.MaxLength).IsUnicode();
            b.Property(c => c.Channel).HasColumnName("channel");
            b.Property(c => c.Category).HasColumnName("category");
            b.Property(c => c.MessageType).HasColumnName("message_type").HasMaxLength(ContactRecord.MaxMessageTypeLength);
            b.Property(c => c.SentAt).HasColumnName("sent_at");

            // The planner reads a page of members' recent sends.
            b.HasIndex(c => new { c.ProgramId, c.MemberId, c.SentAt }).HasDatabaseName($"ix_{prefix}contact_history_member");
        });
    }
}
