using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Households;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// An <see cref="IHouseholdStore"/> on EF Core, in the shop's own <see cref="DbContext"/>: one row per
/// household and one per member in a household. The member is the membership's key (one household per
/// member) and a member's slot, below the limit, is unique in the household, so racing joins never
/// exceed the limit nor put a member in two households.
/// </summary>
/// <remarks>Writes run in one database transaction, or behind a savepoint in the shop's transaction.
/// Like its context, an instance is not thread-safe: use one per scope. Provider faults are thrown as
/// <see cref="LoyaltyStoreException"/>.</remarks>
public sealed class EntityFrameworkHouseholdStore : IHouseholdStore, Loyalty.Core.DataRights.IHouseholdDataStore
{
    private const int JoinAttempts = 16;
    private readonly StoreSession session;

    /// <summary>Creates a store on <paramref name="context"/>.</summary>
    /// <param name="context">The shop's context; its model must include the loyalty model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context's model has no loyalty tables.</exception>
    public EntityFrameworkHouseholdStore(DbContext context)
    {
        session = new StoreSession(context, "household store");
    }

    /// <inheritdoc />
    public async ValueTask<HouseholdWriteStatus> CreateAsync(ProgramId programId, HouseholdId householdId, MemberId owner, Instant createdAt, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var id = householdId.Value;
        var ownerId = owner.Value;
        var what = $"create household '{householdId}'";
        var known = await Explain(program, id, ownerId, what, cancellationToken).ConfigureAwait(false);
        if (known is { } status)
        {
            return status;
        }

        var ticks = LedgerMapping.Ticks(createdAt);
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                await session.ExecuteAsync(tx, w => w.Insert(new HouseholdRow { ProgramId = program, HouseholdId = id, OwnerId = ownerId, CreatedAt = ticks }), ct).ConfigureAwait(false);
                await session.ExecuteAsync(tx, w => w.Insert(new HouseholdMemberRow { ProgramId = program, MemberId = ownerId, HouseholdId = id, Slot = 0, JoinedAt = ticks }), ct).ConfigureAwait(false);
                return (HouseholdWriteStatus.Done, true);
            },
            async ct => await ExplainAsync(program, id, ownerId, ct).ConfigureAwait(false) is { } raced ? (true, raced) : (false, default),
            what,
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<HouseholdWriteStatus> AddMemberAsync(ProgramId programId, HouseholdId householdId, MemberId memberId, Instant joinedAt, int maxMembers, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMembers);
        var program = programId.Value;
        var id = householdId.Value;
        var member = memberId.Value;
        var ticks = LedgerMapping.Ticks(joinedAt);
        var what = $"add member '{memberId}' to household '{householdId}'";
        for (var attempt = 1; ; attempt++)
        {
            if (!await session.ReadAsync(ct => session.Rows<HouseholdRow>().AnyAsync(h => h.ProgramId == program && h.HouseholdId == id, ct), what, cancellationToken).ConfigureAwait(false))
            {
                return HouseholdWriteStatus.HouseholdConflict;
            }

            if (await MembershipAsync(program, member, what, cancellationToken).ConfigureAwait(false) is { } current)
            {
                return current == id ? HouseholdWriteStatus.Unchanged : HouseholdWriteStatus.InAnotherHousehold;
            }

            var slots = await session.ReadAsync(
                ct => session.Rows<HouseholdMemberRow>().Where(m => m.ProgramId == program && m.HouseholdId == id).Select(m => m.Slot).ToListAsync(ct),
                what,
                cancellationToken).ConfigureAwait(false);
            if (slots.Count >= maxMembers)
            {
                return HouseholdWriteStatus.Full;
            }

            var taken = slots.ToHashSet();
            var slot = Enumerable.Range(0, maxMembers).First(s => !taken.Contains(s));
            var row = new HouseholdMemberRow { ProgramId = program, MemberId = member, HouseholdId = id, Slot = slot, JoinedAt = ticks };
            var retry = attempt < JoinAttempts;
            var (done, status) = await session.WriteAsync(
                async (tx, ct) =>
                {
                    await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false);
                    return ((true, HouseholdWriteStatus.Done), true);
                },
                async ct =>
                {
                    var raced = await session.Rows<HouseholdMemberRow>().Where(m => m.ProgramId == program && m.MemberId == member).Select(m => m.HouseholdId).FirstOrDefaultAsync(ct).ConfigureAwait(false);
                    return raced is not null ? (true, (true, raced == id ? HouseholdWriteStatus.Unchanged : HouseholdWriteStatus.InAnotherHousehold))
                        : retry ? (true, (false, default(HouseholdWriteStatus)))
                        : (false, default);
                },
                what,
                cancellationToken).ConfigureAwait(false);
            if (done)
            {
                return status;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<HouseholdWriteStatus> RemoveMemberAsync(ProgramId programId, HouseholdId householdId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var id = householdId.Value;
        var member = memberId.Value;
        var what = $"remove member '{memberId}' from household '{householdId}'";
        if (!await session.ReadAsync(ct => session.Rows<HouseholdRow>().AnyAsync(h => h.ProgramId == program && h.HouseholdId == id, ct), what, cancellationToken).ConfigureAwait(false))
        {
            return HouseholdWriteStatus.HouseholdConflict;
        }

        return await RemoveAsync(program, id, member, what, cancellationToken).ConfigureAwait(false) > 0 ? HouseholdWriteStatus.Done : HouseholdWriteStatus.NotAMember;
    }

    /// <inheritdoc />
    public async ValueTask<Household?> GetAsync(ProgramId programId, HouseholdId householdId, CancellationToken cancellationToken = default)
        => await ReadAsync(programId.Value, householdId.Value, $"read household '{householdId}'", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<Household?> FindByMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        var what = $"read the household of member '{memberId}'";
        return await MembershipAsync(programId.Value, memberId.Value, what, cancellationToken).ConfigureAwait(false) is { } id
            ? await ReadAsync(programId.Value, id, what, cancellationToken).ConfigureAwait(false)
            : null;
    }

    /// <inheritdoc />
    public async ValueTask<int> EraseMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        var what = $"erase the household membership of member '{memberId}'";
        return await MembershipAsync(programId.Value, memberId.Value, what, cancellationToken).ConfigureAwait(false) is { } id
            ? await RemoveAsync(programId.Value, id, memberId.Value, what, cancellationToken).ConfigureAwait(false)
            : 0;
    }

    /// <inheritdoc />
    public async ValueTask<int> RenameMemberAsync(ProgramId programId, MemberId from, MemberId to, CancellationToken cancellationToken = default)
    {
        if (from == to)
        {
            return 0;
        }

        var program = programId.Value;
        var source = from.Value;
        var target = to.Value;
        var (moved, taken) = await session.WriteAsync(
            async (tx, ct) =>
            {
                var held = await session.Rows<HouseholdMemberRow>().Where(m => m.ProgramId == program && m.MemberId == target).Select(m => m.HouseholdId).FirstOrDefaultAsync(ct).ConfigureAwait(false);
                if (held is not null)
                {
                    return ((0, held), false);
                }

                var id = await session.Rows<HouseholdMemberRow>().Where(m => m.ProgramId == program && m.MemberId == source).Select(m => m.HouseholdId).FirstOrDefaultAsync(ct).ConfigureAwait(false);
                if (id is null)
                {
                    return ((0, (string?)null), false);
                }

                await session.Rows<HouseholdMemberRow>().Where(m => m.ProgramId == program && m.MemberId == source)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.MemberId, target), ct).ConfigureAwait(false);
                await session.Rows<HouseholdRow>().Where(h => h.ProgramId == program && h.HouseholdId == id && h.OwnerId == source)
                    .ExecuteUpdateAsync(s => s.SetProperty(h => h.OwnerId, target), ct).ConfigureAwait(false);
                return ((1, (string?)null), true);
            },
            _ => Task.FromResult((false, (0, (string?)null))),
            $"move the household membership of member '{from}' to '{to}'",
            cancellationToken).ConfigureAwait(false);
        return taken is null ? moved : throw new InvalidOperationException($"Member '{to}' already belongs to household '{taken}'; the household membership of member '{from}' was not moved. Choose an unused id, or remove the other member from their household first.");
    }

    /// <summary>Deletes a membership in one transaction; the owner's passes to the earliest other member, the last one's removes the household. Returns the rows deleted.</summary>
    private Task<int> RemoveAsync(string program, string id, string member, string what, CancellationToken cancellationToken) =>
        session.WriteAsync(
            async (tx, ct) =>
            {
                var deleted = await session.Rows<HouseholdMemberRow>().Where(m => m.ProgramId == program && m.MemberId == member && m.HouseholdId == id).ExecuteDeleteAsync(ct).ConfigureAwait(false);
                if (deleted == 0)
                {
                    return (0, false);
                }

                var next = await session.Rows<HouseholdMemberRow>().Where(m => m.ProgramId == program && m.HouseholdId == id)
                    .OrderBy(m => m.JoinedAt).ThenBy(m => m.Slot).Select(m => m.MemberId).FirstOrDefaultAsync(ct).ConfigureAwait(false);
                if (next is null)
                {
                    return (deleted + await session.Rows<HouseholdRow>().Where(h => h.ProgramId == program && h.HouseholdId == id).ExecuteDeleteAsync(ct).ConfigureAwait(false), true);
                }

                await session.Rows<HouseholdRow>().Where(h => h.ProgramId == program && h.HouseholdId == id && h.OwnerId == member)
                    .ExecuteUpdateAsync(s => s.SetProperty(h => h.OwnerId, next), ct).ConfigureAwait(false);
                return (deleted, true);
            },
            _ => Task.FromResult((false, 0)),
            what,
            cancellationToken);

    private async Task<string?> MembershipAsync(string program, string member, string what, CancellationToken cancellationToken) =>
        await session.ReadAsync(
            ct => session.Rows<HouseholdMemberRow>().Where(m => m.ProgramId == program && m.MemberId == member).Select(m => m.HouseholdId).FirstOrDefaultAsync(ct),
            what,
            cancellationToken).ConfigureAwait(false);

    private Task<HouseholdWriteStatus?> Explain(string program, string id, string owner, string what, CancellationToken cancellationToken) =>
        session.ReadAsync(ct => ExplainAsync(program, id, owner, ct), what, cancellationToken);

    /// <summary>Why a household cannot be created as asked, or null when it can.</summary>
    private async Task<HouseholdWriteStatus?> ExplainAsync(string program, string id, string owner, CancellationToken cancellationToken)
    {
        var household = await session.Rows<HouseholdRow>().FirstOrDefaultAsync(h => h.ProgramId == program && h.HouseholdId == id, cancellationToken).ConfigureAwait(false);
        if (household is not null)
        {
            return household.OwnerId == owner ? HouseholdWriteStatus.Unchanged : HouseholdWriteStatus.HouseholdConflict;
        }

        return await session.Rows<HouseholdMemberRow>().AnyAsync(m => m.ProgramId == program && m.MemberId == owner, cancellationToken).ConfigureAwait(false)
            ? HouseholdWriteStatus.InAnotherHousehold
            : null;
    }

    private async Task<Household?> ReadAsync(string program, string id, string what, CancellationToken cancellationToken)
    {
        var household = await session.ReadAsync(ct => session.Rows<HouseholdRow>().FirstOrDefaultAsync(h => h.ProgramId == program && h.HouseholdId == id, ct), what, cancellationToken).ConfigureAwait(false);
        if (household is null)
        {
            return null;
        }

        var members = await session.ReadAsync(
            ct => session.Rows<HouseholdMemberRow>().Where(m => m.ProgramId == program && m.HouseholdId == id).OrderBy(m => m.JoinedAt).ThenBy(m => m.Slot).ToListAsync(ct),
            what,
            cancellationToken).ConfigureAwait(false);
        return new Household
        {
            ProgramId = ProgramId.From(program),
            Id = HouseholdId.From(id),
            Owner = MemberId.From(household.OwnerId),
            CreatedAt = LedgerMapping.Instant(household.CreatedAt),
            Members = members.ConvertAll(m => new HouseholdMember(MemberId.From(m.MemberId), LedgerMapping.Instant(m.JoinedAt))),
        };
    }
}
