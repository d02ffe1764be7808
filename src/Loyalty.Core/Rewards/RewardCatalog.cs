using System.Collections.Frozen;
using Loyalty.Core.Internal;

namespace Loyalty.Core.Rewards;

/// <summary>A programme's rewards catalogue: reward definitions with unique ids, in display order.</summary>
/// <remarks>Immutable and thread-safe. <see cref="Empty"/> offers nothing.</remarks>
public sealed class RewardCatalog
{
    private readonly FrozenDictionary<RewardId, RewardDefinition> byId;

    private RewardCatalog(IReadOnlyList<RewardDefinition> rewards)
    {
        Rewards = rewards;
        byId = rewards.ToFrozenDictionary(r => r.Id);
    }

    /// <summary>A catalogue with no reward.</summary>
    public static RewardCatalog Empty { get; } = new([]);

    /// <summary>The rewards, in the order given.</summary>
    public IReadOnlyList<RewardDefinition> Rewards { get; }

    /// <summary>Creates a catalogue.</summary>
    /// <param name="rewards">The rewards; ids must be unique.</param>
    /// <returns>The catalogue.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rewards"/> or one of its items is null.</exception>
    /// <exception cref="ArgumentException">Two rewards share an id.</exception>
    public static RewardCatalog Create(IEnumerable<RewardDefinition> rewards)
    {
        Preconditions.CheckNotNull(rewards);
        var list = new List<RewardDefinition>();
        var seen = new HashSet<RewardId>();
        foreach (var reward in rewards)
        {
            if (reward is null)
            {
                throw new ArgumentNullException(nameof(rewards), "rewards must not contain null.");
            }

            if (!seen.Add(reward.Id))
            {
                throw new ArgumentException($"Reward id '{reward.Id}' appears more than once; every reward in a catalogue needs its own id.", nameof(rewards));
            }

            list.Add(reward);
        }

        return new RewardCatalog(list.AsReadOnly());
    }

    /// <summary>Finds a reward by id.</summary>
    /// <param name="id">The id.</param>
    /// <returns>The reward, or null.</returns>
    public RewardDefinition? Find(RewardId id) => byId.GetValueOrDefault(id);

    /// <summary>A copy with <paramref name="reward"/> added, or replacing the reward with the same id in place.</summary>
    /// <param name="reward">The reward.</param>
    /// <returns>The new catalogue.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="reward"/> is null.</exception>
    public RewardCatalog WithReward(RewardDefinition reward)
    {
        Preconditions.CheckNotNull(reward);
        var list = Rewards.ToList();
        var index = list.FindIndex(r => r.Id == reward.Id);
        if (index >= 0)
        {
            list[index] = reward;
        }
        else
        {
            list.Add(reward);
        }

        return new RewardCatalog(list.AsReadOnly());
    }
}
