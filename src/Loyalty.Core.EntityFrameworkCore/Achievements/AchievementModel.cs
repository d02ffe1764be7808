using System.Text.Json;
using Loyalty.Core.Achievements;
using Loyalty.Core.Earning;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.Primitives;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore.Achievements;

/// <summary>
/// One row per member with achievement state: the version guards every change (a conditional update), the
/// display name and opt-out are columns, progress, unlocks and tallies one JSON document (bounded: one entry per
/// achievement, per unlock, and per activity kind and month over 25 months).
/// </summary>
internal sealed class MemberAchievementsRow
{
    public string ProgramId { get; set; } = "";
    public string MemberId { get; set; } = "";
    public long Version { get; set; }
    public string? DisplayName { get; set; }
    public bool LeaderboardOptOut { get; set; }
    public string State { get; set; } = "{}";
}

/// <summary>Maps the achievement table.</summary>
internal static class AchievementModel
{
    public const string MemberAchievements = "member_achievements";

    public static void Apply(ModelBuilder modelBuilder, LoyaltyModelOptions options)
    {
        modelBuilder.Entity<MemberAchievementsRow>(b =>
        {
            b.ToTable(options.Table(MemberAchievements), options.Schema);
            b.HasKey(a => new { a.ProgramId, a.MemberId });
            b.Property(a => a.ProgramId).HasColumnName("program_id").HasMaxLength(Identifier.MaxLength).IsUnicode();
            b.Property(a => a.MemberId).HasColumnName("member_id").HasMaxLength(Identifier.MaxLength).IsUnicode();
            b.Property(a => a.Version).HasColumnName("version");
            b.Property(a => a.DisplayName).HasColumnName("display_name").HasMaxLength(LoyaltyAchievements.MaxDisplayNameLength).IsUnicode();
            b.Property(a => a.LeaderboardOptOut).HasColumnName("leaderboard_opt_out");
            b.Property(a => a.State).HasColumnName("state_json");
        });
    }
}

/// <summary>The JSON of a member's achievement state: ids as strings, instants as ticks, so it reads back exactly.</summary>
internal static class AchievementJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static MemberAchievementsRow ToRow(MemberAchievements state) => new()
    {
        ProgramId = state.ProgramId.Value,
        MemberId = state.MemberId.Value,
        Version = state.Version,
        DisplayName = state.DisplayName,
        LeaderboardOptOut = state.LeaderboardOptOut,
        State = JsonSerializer.Serialize(
            new StateDocument(
                state.Progress.Select(p => new ProgressDocument(p.AchievementId, p.Year, p.Count, p.Spent, p.Months.Select(m => new[] { m.Month, m.Orders }).ToArray())).ToArray(),
                state.Unlocks.Select(u => new UnlockDocument(u.AchievementId, u.Year, LedgerMapping.Ticks(u.UnlockedAt), u.CausedBy, u.BonusPoints, u.BonusTransaction?.Value, LedgerMapping.Ticks(u.ValidUntil), LedgerMapping.Ticks(u.RevokedAt))).ToArray(),
                state.Tallies.Select(t => new TallyDocument((int)t.Kind, t.EventName, t.Month, t.Count)).ToArray()),
            Options),
    };

    public static MemberAchievements ToRecord(MemberAchievementsRow row)
    {
        var d = JsonSerializer.Deserialize<StateDocument>(row.State, Options)
            ?? throw new InvalidOperationException($"A stored achievement state is empty (\"{row.State}\").");
        return new MemberAchievements
        {
            ProgramId = ProgramId.From(row.ProgramId),
            MemberId = MemberId.From(row.MemberId),
            Version = row.Version,
            DisplayName = row.DisplayName,
            LeaderboardOptOut = row.LeaderboardOptOut,
            Progress = d.Progress.Select(p => new AchievementProgress(p.Id, p.Year, p.Count, p.Spent, p.Months.Select(m => new MonthOrders(m[0], m[1])).ToArray())).ToArray(),
            Unlocks = d.Unlocks.Select(u => new AchievementUnlock(
                u.Id,
                u.Year,
                LedgerMapping.Instant(u.UnlockedAt),
                u.CausedBy,
                u.BonusPoints,
                u.BonusTransaction is null ? null : TransactionId.From(u.BonusTransaction),
                LedgerMapping.Instant(u.ValidUntil),
                LedgerMapping.Instant(u.RevokedAt))).ToArray(),
            Tallies = d.Tallies.Select(t => new ActivityTally((ActivityKind)t.Kind, t.EventName, t.Month, t.Count)).ToArray(),
        };
    }

    private sealed record StateDocument(ProgressDocument[] Progress, UnlockDocument[] Unlocks, TallyDocument[] Tallies);

    private sealed record ProgressDocument(string Id, int Year, long Count, decimal Spent, int[][] Months);

    private sealed record UnlockDocument(string Id, int Year, long UnlockedAt, string CausedBy, long BonusPoints, string? BonusTransaction, long? ValidUntil, long? RevokedAt);

    private sealed record TallyDocument(int Kind, string? EventName, int Month, long Count);
}
