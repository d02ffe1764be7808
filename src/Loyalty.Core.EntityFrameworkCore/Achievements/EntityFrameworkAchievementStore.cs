using Loyalty.Core.Achievements;
using Loyalty.Core.EntityFrameworkCore.Achievements;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// An <see cref="IAchievementStore"/> on EF Core, in the shop's own <see cref="DbContext"/>: one row per member
/// with a version. An update locks the member's row (a no-op update), reads it, applies the change and writes it
/// back at the version read (or inserts the first one): racing writers of one member queue on the row lock; when
/// two race to insert the first row, the loser re-reads and applies its change again, so no count is lost and
/// nothing unlocks twice.
/// </summary>
/// <remarks>Writes run in the context's open transaction behind a savepoint when there is one — the programme's
/// unit of work opens one around an order, a refund or an activity, so the unlocks, progress and bonus points are
/// committed with the order or not at all — else in one transaction of their own. Like its context, an instance
/// is not thread-safe: use one per scope. Provider faults are thrown as <see cref="LoyaltyStoreException"/>.</remarks>
public sealed class EntityFrameworkAchievementStore : IAchievementStore
{
    private const int Attempts = 32;
    private readonly StoreSession session;

    /// <summary>Creates a store on <paramref name="context"/>.</summary>
    /// <param name="context">The shop's context; its model must include the loyalty model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context's model has no loyalty tables.</exception>
    public EntityFrameworkAchievementStore(DbContext context)
    {
        session = new StoreSession(context, "achievement store");
    }

    /// <inheritdoc />
    public async ValueTask<MemberAchievements?> GetAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        await ReadAsync(programId, memberId, $"read the achievements of member '{memberId}'", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<AchievementChange?> UpdateAsync(ProgramId programId, MemberId memberId, Func<MemberAchievements, AchievementChange?> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var program = programId.Value;
        var member = memberId.Value;
        var what = $"update the achievements of member '{memberId}'";
        for (var attempt = 1; ; attempt++)
        {
            var retry = attempt < Attempts;
            var (done, result) = await session.WriteAsync(
                async (tx, ct) =>
                {
                    // A no-op update takes the member's row lock first: racing writers queue there instead of
                    // retrying, and the read that follows sees the last committed state.
                    await session.Context.Set<MemberAchievementsRow>().Where(a => a.ProgramId == program && a.MemberId == member)
                        .ExecuteUpdateAsync(s => s.SetProperty(a => a.Version, a => a.Version), ct).ConfigureAwait(false);
                    var row = await session.Rows<MemberAchievementsRow>().FirstOrDefaultAsync(a => a.ProgramId == program && a.MemberId == member, ct).ConfigureAwait(false);
                    var current = row is null ? new MemberAchievements { ProgramId = programId, MemberId = memberId } : AchievementJson.ToRecord(row);
                    if (change(current) is not { } changed)
                    {
                        return ((true, (AchievementChange?)null), false);
                    }

                    var next = changed.State with { ProgramId = programId, MemberId = memberId, Version = current.Version + 1 };
                    var nextRow = AchievementJson.ToRow(next);
                    var written = await session.ExecuteAsync(
                        tx,
                        w =>
                        {
                            if (row is null)
                            {
                                w.Insert(nextRow);
                            }
                            else
                            {
                                w.Update(nextRow, current.Version);
                            }
                        },
                        ct).ConfigureAwait(false);

                    // Nothing written: a racing writer moved the version on; start again from its state.
                    return written == 0 ? ((false, (AchievementChange?)null), false) : ((true, (AchievementChange?)(changed with { State = next })), true);
                },
                _ => Task.FromResult(retry ? (true, (false, (AchievementChange?)null)) : (false, default((bool, AchievementChange?)))),
                what,
                cancellationToken).ConfigureAwait(false);
            if (done)
            {
                return result;
            }

            if (!retry)
            {
                throw session.Fault(what, new InvalidOperationException($"racing writers moved the state on {Attempts} times in a row"));
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<MemberAchievements>> ReadPageAsync(ProgramId programId, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        var program = programId.Value;
        var after = afterMember?.Value;
        var rows = await session.ReadAsync(
            ct =>
            {
                var query = session.Rows<MemberAchievementsRow>().Where(a => a.ProgramId == program);
                if (after is not null)
                {
                    query = query.Where(a => string.Compare(a.MemberId, after) > 0);
                }

                return query.OrderBy(a => a.MemberId).Take(maxCount).ToListAsync(ct);
            },
            "read a page of achievement states",
            cancellationToken).ConfigureAwait(false);

        // The database orders by its collation (like the ledger's pages); the page is returned in ordinal order.
        return rows.Select(AchievementJson.ToRecord).OrderBy(a => a.MemberId).ToArray();
    }

    /// <inheritdoc />
    public async ValueTask<MemberAchievements?> ExportMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        await ReadAsync(programId, memberId, $"export the achievements of member '{memberId}'", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<bool> EraseMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var member = memberId.Value;
        return await session.WriteAsync(
            async (_, ct) =>
            {
                var deleted = await session.Context.Set<MemberAchievementsRow>().Where(a => a.ProgramId == program && a.MemberId == member).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                return (deleted > 0, true);
            },
            _ => Task.FromResult((false, false)),
            $"erase the achievements of member '{memberId}'",
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<MemberAchievements?> ReadAsync(ProgramId programId, MemberId memberId, string what, CancellationToken cancellationToken)
    {
        var program = programId.Value;
        var member = memberId.Value;
        var row = await session.ReadAsync(
            ct => session.Rows<MemberAchievementsRow>().FirstOrDefaultAsync(a => a.ProgramId == program && a.MemberId == member, ct),
            what,
            cancellationToken).ConfigureAwait(false);
        return row is null ? null : AchievementJson.ToRecord(row);
    }
}
