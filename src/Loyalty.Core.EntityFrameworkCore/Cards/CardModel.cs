using Loyalty.Core.Cards;
using Loyalty.Core.Primitives;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore.Cards;

// The persisted shape of cards. Same conventions as the other rows: ids as strings, instants as
// 100-ns ticks since the Unix epoch, enums as integers.

/// <summary>One row per imported range; <see cref="Taken"/> counts the serials taken from a virtual range.</summary>
internal sealed class CardRangeRow
{
    public string ProgramId { get; set; } = "";
    public string RangeId { get; set; } = "";
    public int Kind { get; set; }
    public long FirstSerial { get; set; }
    public long LastSerial { get; set; }
    public long ImportedAt { get; set; }
    public long Taken { get; set; }
}

/// <summary>
/// One row per programme that imported a range: an import updates it first, so imports of one programme
/// queue on its row lock and the overlap check that follows sees every range committed before.
/// </summary>
internal sealed class CardRangeLockRow
{
    public string ProgramId { get; set; } = "";
    public long Imports { get; set; }
}

/// <summary>One row per card; the number is the key (unique per programme), the version guards every change.</summary>
internal sealed class CardRow
{
    public string ProgramId { get; set; } = "";
    public string Number { get; set; } = "";

    /// <summary>The member, or the empty string for an erased card of no member.</summary>
    public string MemberId { get; set; } = "";

    public int Kind { get; set; }
    public int Status { get; set; }
    public long Version { get; set; }
    public long IssuedAt { get; set; }

    /// <summary>How many cards the member had when this one was added: orders a member's cards issued at the same instant.</summary>
    public int MemberOrdinal { get; set; }
}

/// <summary>One row per entry of a card's status history, numbered from 0.</summary>
internal sealed class CardStatusRow
{
    public string ProgramId { get; set; } = "";
    public string Number { get; set; } = "";
    public int Sequence { get; set; }
    public int Event { get; set; }
    public long At { get; set; }
    public string Reason { get; set; } = "";

    /// <summary>The other card of a replacement, or null.</summary>
    public string? Related { get; set; }
}

/// <summary>Maps the card tables.</summary>
internal static class CardModel
{
    public const string Ranges = "card_ranges";
    public const string RangeLocks = "card_range_locks";
    public const string Cards = "cards";
    public const string StatusHistory = "card_status_history";

    /// <summary>The longest card number kept (the schemes allow fewer digits).</summary>
    public const int MaxNumberLength = CardNumber.MaxLength;

    public static void Apply(ModelBuilder modelBuilder, LoyaltyModelOptions options)
    {
        var prefix = options.TablePrefix;
        modelBuilder.Entity<CardRangeRow>(b =>
        {
            b.ToTable(options.Table(Ranges), options.Schema);
            b.HasKey(r => new { r.ProgramId, r.RangeId });
            b.Property(r => r.ProgramId).HasColumnName("program_id").HasMaxLength(Identifier.MaxLength).IsUnicode();
            b.Property(r => r.RangeId).HasColumnName("range_id").HasMaxLength(CardRange.MaxIdLength).IsUnicode();
            b.Property(r => r.Kind).HasColumnName("kind");
            b.Property(r => r.FirstSerial).HasColumnName("first_serial");
            b.Property(r => r.LastSerial).HasColumnName("last_serial");
            b.Property(r => r.ImportedAt).HasColumnName("imported_at");
            b.Property(r => r.Taken).HasColumnName("taken");
            b.HasIndex(r => new { r.ProgramId, r.FirstSerial }).HasDatabaseName($"ix_{prefix}card_ranges_first_serial");
        });

        modelBuilder.Entity<CardRangeLockRow>(b =>
        {
            b.ToTable(options.Table(RangeLocks), options.Schema);
            b.HasKey(l => l.ProgramId);
            b.Property(l => l.ProgramId).HasColumnName("program_id").HasMaxLength(Identifier.MaxLength).IsUnicode();
            b.Property(l => l.Imports).HasColumnName("imports");
        });

        modelBuilder.Entity<CardRow>(b =>
        {
            b.ToTable(options.Table(Cards), options.Schema);
            b.HasKey(c => new { c.ProgramId, c.Number });
            b.Property(c => c.ProgramId).HasColumnName("program_id").HasMaxLength(Identifier.MaxLength).IsUnicode();
            b.Property(c => c.Number).HasColumnName("number").HasMaxLength(MaxNumberLength).IsUnicode(false);
            b.Property(c => c.MemberId).HasColumnName("member_id").HasMaxLength(Identifier.MaxLength).IsUnicode();
            b.Property(c => c.Kind).HasColumnName("kind");
            b.Property(c => c.Status).HasColumnName("status");
            b.Property(c => c.Version).HasColumnName("version");
            b.Property(c => c.IssuedAt).HasColumnName("issued_at");
            b.Property(c => c.MemberOrdinal).HasColumnName("member_ordinal");
            b.HasIndex(c => new { c.ProgramId, c.MemberId, c.IssuedAt }).HasDatabaseName($"ix_{prefix}cards_member");
        });

        modelBuilder.Entity<CardStatusRow>(b =>
        {
            b.ToTable(options.Table(StatusHistory), options.Schema);
            b.HasKey(s => new { s.ProgramId, s.Number, s.Sequence });
            b.Property(s => s.ProgramId).HasColumnName("program_id").HasMaxLength(Identifier.MaxLength).IsUnicode();
            b.Property(s => s.Number).HasColumnName("number").HasMaxLength(MaxNumberLength).IsUnicode(false);
            b.Property(s => s.Sequence).HasColumnName("sequence");
            b.Property(s => s.Event).HasColumnName("event");
            b.Property(s => s.At).HasColumnName("at");
            b.Property(s => s.Reason).HasColumnName("reason").HasMaxLength(CardRecord.MaxReasonLength).IsUnicode();
            b.Property(s => s.Related).HasColumnName("related").HasMaxLength(MaxNumberLength).IsUnicode(false);
        });
    }
}
