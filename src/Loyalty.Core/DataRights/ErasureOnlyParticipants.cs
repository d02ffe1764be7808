using System.Text.Json;
using Loyalty.Core.Achievements;
using Loyalty.Core.Cards;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.DataRights;

/// <summary>
/// The part of a store that can export and erase a member's rows but cannot move them to another id
/// (reward codes, points transfers, households, cards, achievements). An erasure deletes the rows
/// through the store's own erase operation; a rectification of a member who has such rows is refused
/// by <see cref="DataRightsService"/> before anything is written (see <see cref="StoreName"/>), unless the
/// store can re-key (<see cref="CanRekey"/>: reward codes, points transfers, households and cards when their store implements
/// <see cref="IRewardCodeDataStore"/>, <see cref="IPointsTransferDataStore"/>, <see cref="IHouseholdDataStore"/> or <see cref="ICardDataStore"/>, and achievements).
/// </summary>
internal abstract class ErasureOnlyParticipant : IMemberDataParticipant
{
    public abstract string Section { get; }

    /// <summary>The store's name in a refusal message.</summary>
    public abstract string StoreName { get; }

    public abstract ValueTask<bool> HoldsDataAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default);

    public abstract ValueTask<int> ExportAsync(MemberDataExport export, CancellationToken cancellationToken = default);

    public async ValueTask<MemberRewriteOutcome> RewriteAsync(MemberDataRewrite rewrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rewrite);
        if (rewrite.From == rewrite.To)
        {
            // A rename of ids derived from another member: these stores hold none of them.
            return MemberRewriteOutcome.NotFound;
        }

        if (!rewrite.IsErasure)
        {
            if (CanRekey)
            {
                var moved = await RekeyAsync(rewrite, cancellationToken).ConfigureAwait(false);
                return moved == 0 ? MemberRewriteOutcome.NotFound : new MemberRewriteOutcome(MemberRewriteStatus.Rewritten, moved);
            }

            if (!await HoldsDataAsync(rewrite.ProgramId, rewrite.From, cancellationToken).ConfigureAwait(false))
            {
                return MemberRewriteOutcome.NotFound;
            }

            throw new InvalidOperationException($"The {StoreName} cannot move member '{rewrite.From}' to another id; a member with {StoreName} rows cannot be rectified.");
        }

        var erased = await EraseAsync(rewrite.ProgramId, rewrite.From, cancellationToken).ConfigureAwait(false);
        return erased == 0 ? MemberRewriteOutcome.NotFound : new MemberRewriteOutcome(MemberRewriteStatus.Rewritten, erased);
    }

    /// <summary>Whether the store can also move the member's rows to another id (a rectification).</summary>
    public virtual bool CanRekey => false;

    /// <summary>Moves the member's rows to <see cref="MemberDataRewrite.To"/>, when <see cref="CanRekey"/>.</summary>
    /// <returns>The number of records moved.</returns>
    protected virtual ValueTask<int> RekeyAsync(MemberDataRewrite rewrite, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"The {StoreName} cannot move a member to another id.");

    /// <summary>Deletes the member's rows.</summary>
    /// <returns>The number of records erased.</returns>
    protected abstract ValueTask<int> EraseAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken);
}

/// <summary>The reward codes issued to the member and their uses.</summary>
internal sealed class RewardCodeParticipant(IRewardCodeStore store) : ErasureOnlyParticipant
{
    public override string Section => "rewardCodes";

    public override string StoreName => "reward code store";

    public override bool CanRekey => store is IRewardCodeDataStore;

    protected override ValueTask<int> RekeyAsync(MemberDataRewrite rewrite, CancellationToken cancellationToken) =>
        ((IRewardCodeDataStore)store).RenameMemberCodesAsync(rewrite.ProgramId, rewrite.From, rewrite.To, cancellationToken);

    public override async ValueTask<bool> HoldsDataAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        (await store.ListMemberCodesAsync(programId, memberId, cancellationToken).ConfigureAwait(false)).Count > 0;

    public override async ValueTask<int> ExportAsync(MemberDataExport export, CancellationToken cancellationToken = default)
    {
        var codes = await store.ListMemberCodesAsync(export.ProgramId, export.MemberId, cancellationToken).ConfigureAwait(false);
        var w = export.Writer;
        w.WriteStartArray();
        foreach (var (code, uses) in codes)
        {
            w.WriteStartObject();
            w.WriteString("code", code.Code);
            w.WriteString("redemptionId", export.Id(code.RedemptionId.Value));
            w.WriteString("rewardId", code.RewardId.Value);
            w.WriteString("kind", code.Kind.ToString());
            w.WriteString("benefit", code.Benefit);
            w.WriteNumber("pointsSpent", code.PointsSpent.Value);
            ExportJson.Instant(w, "issuedAt", code.IssuedAt);
            ExportJson.Instant(w, "expiresAt", code.ExpiresAt);
            w.WriteNumber("maxUses", code.MaxUses);
            w.WriteNumber("uses", code.Uses);
            w.WriteString("status", code.Status.ToString());
            ExportJson.Instant(w, "closedAt", code.ClosedAt);
            w.WriteNumber("pointsReturned", code.PointsReturned.Value);
            w.WriteStartArray("useHistory");
            foreach (var use in uses)
            {
                w.WriteStartObject();
                w.WriteString("orderId", export.Id(use.OrderId.Value));
                ExportJson.Instant(w, "usedAt", use.UsedAt);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        return codes.Count;
    }

    protected override ValueTask<int> EraseAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken) =>
        store.EraseMemberCodesAsync(programId, memberId, cancellationToken);
}

/// <summary>The points transfers the member gave or received (the other member is not named in the export).</summary>
internal sealed class PointsTransferParticipant(IPointsTransferStore store) : ErasureOnlyParticipant
{
    public override string Section => "pointsTransfers";

    public override string StoreName => "points transfer store";

    public override bool CanRekey => store is IPointsTransferDataStore;

    protected override ValueTask<int> RekeyAsync(MemberDataRewrite rewrite, CancellationToken cancellationToken) =>
        ((IPointsTransferDataStore)store).RenameMemberTransfersAsync(rewrite.ProgramId, rewrite.From, rewrite.To, cancellationToken);

    public override async ValueTask<bool> HoldsDataAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        (await store.ListMemberTransfersAsync(programId, memberId, cancellationToken).ConfigureAwait(false)).Count > 0;

    public override async ValueTask<int> ExportAsync(MemberDataExport export, CancellationToken cancellationToken = default)
    {
        var transfers = await store.ListMemberTransfersAsync(export.ProgramId, export.MemberId, cancellationToken).ConfigureAwait(false);
        var w = export.Writer;
        w.WriteStartArray();
        foreach (var t in transfers)
        {
            w.WriteStartObject();
            w.WriteString("transferId", t.Id.Value);
            w.WriteString("direction", t.From == export.MemberId ? "sent" : "received");
            w.WriteNumber("points", t.Points.Value);
            ExportJson.Text(w, "message", t.Message);
            ExportJson.Instant(w, "transferredAt", t.TransferredAt);
            w.WriteString("status", t.Status.ToString());
            w.WriteEndObject();
        }

        w.WriteEndArray();
        return transfers.Count;
    }

    protected override ValueTask<int> EraseAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken) =>
        store.EraseMemberTransfersAsync(programId, memberId, cancellationToken);
}

/// <summary>The member's household membership (the other members are counted, not named).</summary>
internal sealed class HouseholdParticipant(IHouseholdStore store) : ErasureOnlyParticipant
{
    public override string Section => "household";

    public override string StoreName => "household store";

    public override bool CanRekey => store is IHouseholdDataStore;

    protected override ValueTask<int> RekeyAsync(MemberDataRewrite rewrite, CancellationToken cancellationToken) =>
        ((IHouseholdDataStore)store).RenameMemberAsync(rewrite.ProgramId, rewrite.From, rewrite.To, cancellationToken);

    public override async ValueTask<bool> HoldsDataAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        await store.FindByMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false) is not null;

    public override async ValueTask<int> ExportAsync(MemberDataExport export, CancellationToken cancellationToken = default)
    {
        var household = await store.FindByMemberAsync(export.ProgramId, export.MemberId, cancellationToken).ConfigureAwait(false);
        var w = export.Writer;
        if (household is null)
        {
            w.WriteNullValue();
            return 0;
        }

        w.WriteStartObject();
        w.WriteString("householdId", household.Id.Value);
        w.WriteBoolean("owner", household.Owner == export.MemberId);
        ExportJson.Instant(w, "createdAt", household.CreatedAt);
        ExportJson.Instant(w, "joinedAt", household.Members.FirstOrDefault(m => m.MemberId == export.MemberId)?.JoinedAt);
        w.WriteNumber("members", household.Members.Count);
        w.WriteEndObject();
        return 1;
    }

    protected override ValueTask<int> EraseAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken) =>
        store.EraseMemberAsync(programId, memberId, cancellationToken);
}

/// <summary>The member's cards with their status histories; an erasure leaves each number blocked and unlinked.</summary>
internal sealed class CardParticipant(ICardStore store, IClock clock) : ErasureOnlyParticipant
{
    public override string Section => "cards";

    public override string StoreName => "card store";

    public override bool CanRekey => store is ICardDataStore;

    protected override ValueTask<int> RekeyAsync(MemberDataRewrite rewrite, CancellationToken cancellationToken) =>
        ((ICardDataStore)store).RenameMemberCardsAsync(rewrite.ProgramId, rewrite.From, rewrite.To, cancellationToken);

    public override async ValueTask<bool> HoldsDataAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        (await store.ExportMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false)).Count > 0;

    public override async ValueTask<int> ExportAsync(MemberDataExport export, CancellationToken cancellationToken = default)
    {
        var cards = await store.ExportMemberAsync(export.ProgramId, export.MemberId, cancellationToken).ConfigureAwait(false);
        var w = export.Writer;
        w.WriteStartArray();
        foreach (var card in cards)
        {
            w.WriteStartObject();
            w.WriteString("number", card.Number.Value);
            w.WriteString("kind", card.Kind.ToString());
            w.WriteString("status", card.Status.ToString());
            w.WriteStartArray("history");
            foreach (var change in card.History)
            {
                w.WriteStartObject();
                w.WriteString("event", change.Event.ToString());
                ExportJson.Instant(w, "at", change.At);
                w.WriteString("reason", change.Reason);
                ExportJson.Text(w, "related", change.Related == default ? null : change.Related.Value);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        return cards.Count;
    }

    protected override ValueTask<int> EraseAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken) =>
        store.EraseMemberAsync(programId, memberId, clock.GetCurrentInstant(), cancellationToken);
}

/// <summary>The member's achievements: progress, unlocks, tallies and display name.</summary>
internal sealed class AchievementParticipant(IAchievementStore store) : ErasureOnlyParticipant
{
    public override string Section => "achievements";

    public override string StoreName => "achievement store";

    /// <summary>The state is copied under the new id through the store's own update, then erased under the old one (one unit of work with a transactional store).</summary>
    public override bool CanRekey => true;

    protected override async ValueTask<int> RekeyAsync(MemberDataRewrite rewrite, CancellationToken cancellationToken)
    {
        var state = await store.ExportMemberAsync(rewrite.ProgramId, rewrite.From, cancellationToken).ConfigureAwait(false);
        if (state is null)
        {
            return 0;
        }

        var copied = await store.UpdateAsync(
            rewrite.ProgramId,
            rewrite.To,
            current => current.Version == 0 ? new AchievementChange(state with { MemberId = rewrite.To }, [], []) : null,
            cancellationToken).ConfigureAwait(false);
        if (copied is null)
        {
            throw new InvalidOperationException($"The achievement store already holds a state for member '{rewrite.To}'; the member's achievements were not moved.");
        }

        await store.EraseMemberAsync(rewrite.ProgramId, rewrite.From, cancellationToken).ConfigureAwait(false);
        return 1;
    }

    public override async ValueTask<bool> HoldsDataAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        await store.ExportMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false) is not null;

    public override async ValueTask<int> ExportAsync(MemberDataExport export, CancellationToken cancellationToken = default)
    {
        var state = await store.ExportMemberAsync(export.ProgramId, export.MemberId, cancellationToken).ConfigureAwait(false);
        var w = export.Writer;
        if (state is null)
        {
            w.WriteNullValue();
            return 0;
        }

        w.WriteStartObject();
        ExportJson.Text(w, "displayName", state.DisplayName);
        w.WriteBoolean("leaderboardOptOut", state.LeaderboardOptOut);
        w.WriteStartArray("progress");
        foreach (var p in state.Progress)
        {
            w.WriteStartObject();
            w.WriteString("achievementId", p.AchievementId);
            w.WriteNumber("year", p.Year);
            w.WriteNumber("count", p.Count);
            w.WriteNumber("spent", p.Spent);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("unlocks");
        foreach (var u in state.Unlocks)
        {
            w.WriteStartObject();
            w.WriteString("achievementId", u.AchievementId);
            w.WriteNumber("year", u.Year);
            ExportJson.Instant(w, "unlockedAt", u.UnlockedAt);
            w.WriteString("causedBy", export.Id(u.CausedBy));
            w.WriteNumber("bonusPoints", u.BonusPoints);
            ExportJson.Text(w, "bonusTransaction", u.BonusTransaction is { } tx ? export.Id(tx.Value) : null);
            ExportJson.Instant(w, "validUntil", u.ValidUntil);
            ExportJson.Instant(w, "revokedAt", u.RevokedAt);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("tallies");
        foreach (var t in state.Tallies)
        {
            w.WriteStartObject();
            w.WriteString("kind", t.Kind.ToString());
            ExportJson.Text(w, "eventName", t.EventName);
            w.WriteNumber("month", t.Month);
            w.WriteNumber("count", t.Count);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        return 1;
    }

    protected override async ValueTask<int> EraseAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken) =>
        await store.EraseMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false) ? 1 : 0;
}
