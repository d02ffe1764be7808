using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// The reward codes of the EF Core catalogue store: one row per code and one per use. A use is one
/// conditional update of the code's row (issued, unexpired, a use left) and the use's row, in one
/// transaction: the database's row lock makes racing checkouts of a single-use code succeed exactly once.
/// </summary>
public sealed partial class EntityFrameworkRewardCatalogStore : IRewardCodeStore
{
    private const int ConsumeAttempts = 4;

    /// <inheritdoc />
    public async ValueTask<RewardCode> AddCodeAsync(RewardCode code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (await GetCodeForRedemptionAsync(code.ProgramId, code.RedemptionId, cancellationToken).ConfigureAwait(false) is { } issued)
        {
            return issued;
        }

        var row = ToRow(code);
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false);
                return (code, true);
            },
            async ct =>
            {
                var stored = await session.Rows<RewardCodeRow>().FirstOrDefaultAsync(c => c.ProgramId == row.ProgramId && c.RedemptionId == row.RedemptionId, ct).ConfigureAwait(false)
                    ?? await session.Rows<RewardCodeRow>().FirstOrDefaultAsync(c => c.ProgramId == row.ProgramId && c.Code == row.Code, ct).ConfigureAwait(false);
                return stored is null ? (false, code) : (true, ToRecord(stored));
            },
            $"add code of redemption '{code.RedemptionId}'",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<RewardCode?> GetCodeAsync(ProgramId programId, string code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        var program = programId.Value;
        var row = await session.ReadAsync(
            ct => session.Rows<RewardCodeRow>().FirstOrDefaultAsync(c => c.ProgramId == program && c.Code == code, ct),
            $"read code '{code}'",
            cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToRecord(row);
    }

    /// <inheritdoc />
    public async ValueTask<RewardCode?> GetCodeForRedemptionAsync(ProgramId programId, RedemptionId redemptionId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var redemption = redemptionId.Value;
        var row = await session.ReadAsync(
            ct => session.Rows<RewardCodeRow>().FirstOrDefaultAsync(c => c.ProgramId == program && c.RedemptionId == redemption, ct),
            $"read the code of redemption '{redemptionId}'",
            cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToRecord(row);
    }

    /// <inheritdoc />
    public async ValueTask<RewardCodeConsumption> ConsumeCodeAsync(ProgramId programId, string code, OrderId orderId, Instant at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        var program = programId.Value;
        var order = orderId.Value;
        var ticks = LedgerMapping.Ticks(at);
        var issued = (int)RewardCodeStatus.Issued;
        var used = (int)RewardCodeStatus.Used;
        var what = $"use code '{code}' for order '{orderId}'";
        for (var attempt = 1; ; attempt++)
        {
            var (current, earlier) = await ReadUseAsync(program, code, order, what, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return new RewardCodeConsumption(RewardCodeConsumeStatus.NotFound, null, null);
            }

            if (earlier is not null)
            {
                return new RewardCodeConsumption(RewardCodeConsumeStatus.AlreadyConsumedByOrder, current, earlier);
            }

            if (current.Status != RewardCodeStatus.Issued || current.Uses >= current.MaxUses || (current.ExpiresAt is { } expiry && at >= expiry))
            {
                return new RewardCodeConsumption(RewardCodeConsumeStatus.NotUsable, current, null);
            }

            var use = new RewardCodeUseRow { ProgramId = program, Code = code, OrderId = order, UsedAt = ticks };
            var consumed = await session.WriteAsync(
                async (tx, ct) =>
                {
                    // The row lock of this update orders racing checkouts; each re-checks the condition after the one before commits.
                    var updated = await session.Rows<RewardCodeRow>()
                        .Where(c => c.ProgramId == program && c.Code == code && c.Status == issued && c.Uses < c.MaxUses && c.ExpiresAt > ticks)
                        .ExecuteUpdateAsync(
                            s => s.SetProperty(c => c.Uses, c => c.Uses + 1)
                                .SetProperty(c => c.Status, c => c.Uses + 1 >= c.MaxUses ? used : issued)
                                .SetProperty(c => c.ClosedAt, c => c.Uses + 1 >= c.MaxUses ? (long?)ticks : c.ClosedAt),
                            ct).ConfigureAwait(false);
                    if (updated == 0)
                    {
                        return (false, false);
                    }

                    await session.ExecuteAsync(tx, w => w.Insert(use), ct).ConfigureAwait(false);
                    return (true, true);
                },
                async ct => await session.Rows<RewardCodeUseRow>().AnyAsync(u => u.ProgramId == program && u.Code == code && u.OrderId == order, ct).ConfigureAwait(false) ? (true, false) : (false, false),
                what,
                cancellationToken).ConfigureAwait(false);
            var (after, mine) = await ReadUseAsync(program, code, order, what, cancellationToken).ConfigureAwait(false);
            if (consumed)
            {
                return new RewardCodeConsumption(RewardCodeConsumeStatus.Consumed, after, mine);
            }

            if (mine is not null)
            {
                return new RewardCodeConsumption(RewardCodeConsumeStatus.AlreadyConsumedByOrder, after, mine);
            }

            if (attempt == ConsumeAttempts || after is null || after.Status != RewardCodeStatus.Issued || after.Uses >= after.MaxUses || (after.ExpiresAt is { } e && at >= e))
            {
                return new RewardCodeConsumption(after is null ? RewardCodeConsumeStatus.NotFound : RewardCodeConsumeStatus.NotUsable, after, null);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RewardCodeUse>> ListUsesAsync(ProgramId programId, string code, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        var program = programId.Value;
        var rows = await session.ReadAsync(
            ct => session.Rows<RewardCodeUseRow>().Where(u => u.ProgramId == program && u.Code == code).OrderBy(u => u.UsedAt).ThenBy(u => u.OrderId).ToListAsync(ct),
            $"list the uses of code '{code}'",
            cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(ToUse);
    }

    /// <inheritdoc />
    public async ValueTask<bool> CloseCodeAsync(ProgramId programId, string code, RewardCodeStatus status, Instant at, Points pointsReturned, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(code);
        if (status is not (RewardCodeStatus.Expired or RewardCodeStatus.Cancelled))
        {
            throw new ArgumentException($"status must be Expired or Cancelled to close a code (was {status}); a code becomes Used by consuming it.", nameof(status));
        }

        var program = programId.Value;
        var ticks = LedgerMapping.Ticks(at);
        var issued = (int)RewardCodeStatus.Issued;
        var to = (int)status;
        var returned = pointsReturned.Value;
        var query = session.Rows<RewardCodeRow>().Where(c => c.ProgramId == program && c.Code == code && c.Status == issued);
        query = status == RewardCodeStatus.Expired ? query.Where(c => c.ExpiresAt <= ticks) : query.Where(c => c.Uses == 0);
        var updated = await session.ReadAsync(
            ct => query.ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, to).SetProperty(c => c.ClosedAt, ticks).SetProperty(c => c.PointsReturned, returned), ct),
            $"close code '{code}' as {status}",
            cancellationToken).ConfigureAwait(false);
        return updated > 0;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RewardCode>> FindCodesDueAsync(ProgramId programId, Instant dueBy, string? afterCode, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        var program = programId.Value;
        var ticks = LedgerMapping.Ticks(dueBy);
        var issued = (int)RewardCodeStatus.Issued;
        var query = session.Rows<RewardCodeRow>().Where(c => c.ProgramId == program && c.Status == issued && c.ExpiresAt <= ticks);
        if (afterCode is not null)
        {
            query = query.Where(c => string.Compare(c.Code, afterCode) > 0);
        }

        var rows = await session.ReadAsync(
            ct => query.OrderBy(c => c.Code).Take(maxCount).ToListAsync(ct),
            "find the reward codes due",
            cancellationToken).ConfigureAwait(false);
        return rows.ConvertAll(ToRecord);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<(RewardCode Code, IReadOnlyList<RewardCodeUse> Uses)>> ListMemberCodesAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var member = memberId.Value;
        var what = $"list the reward codes of member '{memberId}'";
        var rows = await session.ReadAsync(
            ct => session.Rows<RewardCodeRow>().Where(c => c.ProgramId == program && c.MemberId == member).OrderBy(c => c.IssuedAt).ThenBy(c => c.Code).ToListAsync(ct),
            what,
            cancellationToken).ConfigureAwait(false);
        var codes = rows.ConvertAll(r => r.Code);
        var uses = await session.ReadAsync(
            ct => session.Rows<RewardCodeUseRow>().Where(u => u.ProgramId == program && codes.Contains(u.Code)).OrderBy(u => u.UsedAt).ThenBy(u => u.OrderId).ToListAsync(ct),
            what,
            cancellationToken).ConfigureAwait(false);
        var byCode = uses.ToLookup(u => u.Code, StringComparer.Ordinal);
        return rows.ConvertAll(r => (ToRecord(r), (IReadOnlyList<RewardCodeUse>)byCode[r.Code].Select(ToUse).ToArray()));
    }

    /// <inheritdoc />
    public async ValueTask<int> EraseMemberCodesAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var member = memberId.Value;
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                var codes = session.Rows<RewardCodeRow>().Where(c => c.ProgramId == program && c.MemberId == member).Select(c => c.Code);
                await session.Rows<RewardCodeUseRow>().Where(u => u.ProgramId == program && codes.Contains(u.Code)).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                var erased = await session.Rows<RewardCodeRow>().Where(c => c.ProgramId == program && c.MemberId == member).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                return (erased, true);
            },
            _ => Task.FromResult((false, 0)),
            $"erase the reward codes of member '{memberId}'",
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<(RewardCode? Code, RewardCodeUse? Use)> ReadUseAsync(string program, string code, string order, string what, CancellationToken cancellationToken)
    {
        var row = await session.ReadAsync(ct => session.Rows<RewardCodeRow>().FirstOrDefaultAsync(c => c.ProgramId == program && c.Code == code, ct), what, cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return (null, null);
        }

        var use = await session.ReadAsync(ct => session.Rows<RewardCodeUseRow>().FirstOrDefaultAsync(u => u.ProgramId == program && u.Code == code && u.OrderId == order, ct), what, cancellationToken).ConfigureAwait(false);
        return (ToRecord(row), use is null ? null : ToUse(use));
    }

    private static RewardCodeRow ToRow(RewardCode code) => new()
    {
        ProgramId = code.ProgramId.Value,
        Code = code.Code,
        RedemptionId = code.RedemptionId.Value,
        MemberId = code.MemberId.Value,
        RewardId = code.RewardId.Value,
        Kind = (int)code.Kind,
        Benefit = code.Benefit,
        PointsSpent = code.PointsSpent.Value,
        IssuedAt = LedgerMapping.Ticks(code.IssuedAt),
        ExpiresAt = code.ExpiresAt is { } e ? LedgerMapping.Ticks(e) : long.MaxValue,
        MaxUses = code.MaxUses,
        Uses = code.Uses,
        ReturnPointsOnExpiry = code.ReturnPointsOnExpiry,
        Status = (int)code.Status,
        ClosedAt = LedgerMapping.Ticks(code.ClosedAt),
        PointsReturned = code.PointsReturned.Value,
    };

    private static RewardCode ToRecord(RewardCodeRow row) => new()
    {
        ProgramId = ProgramId.From(row.ProgramId),
        Code = row.Code,
        RedemptionId = RedemptionId.From(row.RedemptionId),
        MemberId = MemberId.From(row.MemberId),
        RewardId = RewardId.From(row.RewardId),
        Kind = (RewardKind)row.Kind,
        Benefit = row.Benefit,
        PointsSpent = Points.FromInt64(row.PointsSpent),
        IssuedAt = LedgerMapping.Instant(row.IssuedAt),
        ExpiresAt = row.ExpiresAt == long.MaxValue ? null : LedgerMapping.Instant(row.ExpiresAt),
        MaxUses = row.MaxUses,
        Uses = row.Uses,
        ReturnPointsOnExpiry = row.ReturnPointsOnExpiry,
        Status = (RewardCodeStatus)row.Status,
        ClosedAt = LedgerMapping.Instant(row.ClosedAt),
        PointsReturned = Points.FromInt64(row.PointsReturned),
    };

    private static RewardCodeUse ToUse(RewardCodeUseRow row) => new(row.Code, OrderId.From(row.OrderId), LedgerMapping.Instant(row.UsedAt));
}
