using Loyalty.Core.Households;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>A thread-safe, in-process <see cref="IHouseholdStore"/>: the default store.</summary>
/// <remarks>One lock guards the store; every member completes synchronously.</remarks>
public sealed class InMemoryHouseholdStore : IHouseholdStore, DataRights.IHouseholdDataStore
{
    private readonly object gate = new();
    private readonly Dictionary<(ProgramId, HouseholdId), Household> households = [];
    private readonly Dictionary<(ProgramId, MemberId), HouseholdId> byMember = [];

    /// <inheritdoc />
    public ValueTask<HouseholdWriteStatus> CreateAsync(ProgramId programId, HouseholdId householdId, MemberId owner, Instant createdAt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (households.TryGetValue((programId, householdId), out var existing))
            {
                return new(existing.Owner == owner ? HouseholdWriteStatus.Unchanged : HouseholdWriteStatus.HouseholdConflict);
            }

            if (byMember.ContainsKey((programId, owner)))
            {
                return new(HouseholdWriteStatus.InAnotherHousehold);
            }

            households[(programId, householdId)] = new Household { ProgramId = programId, Id = householdId, Owner = owner, CreatedAt = createdAt, Members = [new HouseholdMember(owner, createdAt)] };
            byMember[(programId, owner)] = householdId;
            return new(HouseholdWriteStatus.Done);
        }
    }

    /// <inheritdoc />
    public ValueTask<HouseholdWriteStatus> AddMemberAsync(ProgramId programId, HouseholdId householdId, MemberId memberId, Instant joinedAt, int maxMembers, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!households.TryGetValue((programId, householdId), out var household))
            {
                return new(HouseholdWriteStatus.HouseholdConflict);
            }

            if (byMember.TryGetValue((programId, memberId), out var current))
            {
                return new(current == householdId ? HouseholdWriteStatus.Unchanged : HouseholdWriteStatus.InAnotherHousehold);
            }

            if (household.Members.Count >= maxMembers)
            {
                return new(HouseholdWriteStatus.Full);
            }

            households[(programId, householdId)] = household with { Members = [.. household.Members, new HouseholdMember(memberId, joinedAt)] };
            byMember[(programId, memberId)] = householdId;
            return new(HouseholdWriteStatus.Done);
        }
    }

    /// <inheritdoc />
    public ValueTask<HouseholdWriteStatus> RemoveMemberAsync(ProgramId programId, HouseholdId householdId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!households.TryGetValue((programId, householdId), out var household))
            {
                return new(HouseholdWriteStatus.HouseholdConflict);
            }

            if (!household.Contains(memberId))
            {
                return new(HouseholdWriteStatus.NotAMember);
            }

            Remove(household, memberId);
            return new(HouseholdWriteStatus.Done);
        }
    }

    /// <inheritdoc />
    public ValueTask<Household?> GetAsync(ProgramId programId, HouseholdId householdId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(households.GetValueOrDefault((programId, householdId)));
        }
    }

    /// <inheritdoc />
    public ValueTask<Household?> FindByMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(byMember.TryGetValue((programId, memberId), out var id) ? households[(programId, id)] : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<int> EraseMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!byMember.TryGetValue((programId, memberId), out var id))
            {
                return new(0);
            }

            return new(Remove(households[(programId, id)], memberId));
        }
    }

    /// <inheritdoc />
    public ValueTask<int> RenameMemberAsync(ProgramId programId, MemberId from, MemberId to, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (from == to)
        {
            return new(0);
        }

        lock (gate)
        {
            if (!byMember.TryGetValue((programId, from), out var id))
            {
                return new(0);
            }

            if (byMember.TryGetValue((programId, to), out var taken))
            {
                throw new InvalidOperationException($"Member '{to}' already belongs to household '{taken}'; the household membership of member '{from}' was not moved. Choose an unused id, or remove the other member from their household first.");
            }

            var household = households[(programId, id)];
            households[(programId, id)] = household with
            {
                Owner = household.Owner == from ? to : household.Owner,
                Members = household.Members.Select(m => m.MemberId == from ? m with { MemberId = to } : m).ToArray(),
            };
            byMember.Remove((programId, from));
            byMember[(programId, to)] = id;
            return new(1);
        }
    }

    /// <summary>Removes a member: ownership passes to the earliest other member; the last member's leaving removes the household.</summary>
    private int Remove(Household household, MemberId memberId)
    {
        byMember.Remove((household.ProgramId, memberId));
        var rest = household.Members.Where(m => m.MemberId != memberId).ToArray();
        if (rest.Length == 0)
        {
            households.Remove((household.ProgramId, household.Id));
            return 2;
        }

        households[(household.ProgramId, household.Id)] = household with { Members = rest, Owner = household.Owner == memberId ? rest[0].MemberId : household.Owner };
        return 1;
    }
}
