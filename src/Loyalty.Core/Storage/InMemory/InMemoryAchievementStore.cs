using Loyalty.Core.Achievements;
using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>A thread-safe, in-process <see cref="IAchievementStore"/>: the default store.</summary>
/// <remarks>Reads take no lock; an update runs its change under the store's lock, so it is applied once, on the latest state.</remarks>
public sealed class InMemoryAchievementStore : IAchievementStore
{
    private readonly object gate = new();
    private readonly Dictionary<ProgramId, SortedDictionary<MemberId, MemberAchievements>> programs = [];
    private readonly Dictionary<(ProgramId, MemberId), MemberAchievements> states = [];

    /// <inheritdoc />
    public ValueTask<MemberAchievements?> GetAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return new(states.TryGetValue((programId, memberId), out var state) ? state : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<AchievementChange?> UpdateAsync(ProgramId programId, MemberId memberId, Func<MemberAchievements, AchievementChange?> change, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(change);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var current = states.TryGetValue((programId, memberId), out var state) ? state : new MemberAchievements { ProgramId = programId, MemberId = memberId };
            var result = change(current);
            if (result is null)
            {
                return new((AchievementChange?)null);
            }

            var next = result.State with { ProgramId = programId, MemberId = memberId, Version = current.Version + 1 };
            states[(programId, memberId)] = next;
            if (!programs.TryGetValue(programId, out var members))
            {
                programs[programId] = members = new SortedDictionary<MemberId, MemberAchievements>();
            }

            members[memberId] = next;
            return new(result with { State = next });
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MemberAchievements>> ReadPageAsync(ProgramId programId, MemberId? afterMember, int maxCount, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckInRange(maxCount, 1, int.MaxValue);
        lock (gate)
        {
            if (!programs.TryGetValue(programId, out var members))
            {
                return new((IReadOnlyList<MemberAchievements>)[]);
            }

            IEnumerable<MemberAchievements> page = members.Values;
            if (afterMember is { } after)
            {
                page = page.Where(m => m.MemberId.CompareTo(after) > 0);
            }

            return new(page.Take(maxCount).ToArray());
        }
    }

    /// <inheritdoc />
    public ValueTask<MemberAchievements?> ExportMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        GetAsync(programId, memberId, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> EraseMemberAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var removed = states.Remove((programId, memberId));
            if (programs.TryGetValue(programId, out var members))
            {
                members.Remove(memberId);
            }

            return new(removed);
        }
    }
}
