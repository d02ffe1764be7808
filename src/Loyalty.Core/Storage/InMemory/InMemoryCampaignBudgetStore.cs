using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>A thread-safe, in-process <see cref="ICampaignBudgetStore"/>: the default store, with <see cref="ICampaignReservationRecovery"/>.</summary>
/// <remarks>One lock guards the store; every member completes synchronously.</remarks>
public sealed partial class InMemoryCampaignBudgetStore : ICampaignBudgetStore, ICampaignReservationRecovery
{
    private readonly object gate = new();
    private readonly Dictionary<(ProgramId, RuleId), long> used = [];
    private readonly Dictionary<(ProgramId, TransactionId), Dictionary<RuleId, long>> held = [];
    private readonly Dictionary<(ProgramId, TransactionId), UnsettledReservation> unsettled = [];

    /// <inheritdoc />
    public ValueTask<CampaignBudgetUsage> GetUsageAsync(ProgramId programId, RuleId ruleId, TransactionId key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(new CampaignBudgetUsage(Points.FromInt64(used.GetValueOrDefault((programId, ruleId))), Points.FromInt64(Held(programId, key, ruleId))));
        }
    }

    /// <inheritdoc />
    public ValueTask<Points> ReserveAsync(ProgramId programId, RuleId ruleId, TransactionId key, Points points, Points budget, CancellationToken cancellationToken = default) =>
        Reserve(programId, ruleId, key, points, budget, null, cancellationToken);

    /// <inheritdoc />
    public ValueTask<Points> ReserveRecordedAsync(ProgramId programId, RuleId ruleId, TransactionId key, Points points, Points budget, MemberId memberId, Instant reservedAt, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        return Reserve(programId, ruleId, key, points, budget, new UnsettledReservation(key, memberId, reservedAt), cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<UnsettledReservation>> ListUnsettledAsync(ProgramId programId, Instant reservedBefore, UnsettledReservation? after, int limit, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckInRange(limit, 1, 10_000);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            // Unsettled reservations are the calls in flight (and the interrupted ones): a short list.
            IReadOnlyList<UnsettledReservation> page = unsettled
                .Where(e => e.Key.Item1 == programId && e.Value.ReservedAt < reservedBefore
                    && (after is null || e.Value.ReservedAt > after.ReservedAt || (e.Value.ReservedAt == after.ReservedAt && string.CompareOrdinal(e.Value.Key.Value, after.Key.Value) > 0)))
                .Select(e => e.Value)
                .OrderBy(r => r.ReservedAt)
                .ThenBy(r => r.Key.Value, StringComparer.Ordinal)
                .Take(limit)
                .ToList();
            return new(page);
        }
    }

    private ValueTask<Points> Reserve(ProgramId programId, RuleId ruleId, TransactionId key, Points points, Points budget, UnsettledReservation? record, CancellationToken cancellationToken)
    {
        Preconditions.CheckPositive(points.Value, nameof(points));
        Preconditions.CheckPositive(budget.Value, nameof(budget));
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var current = Held(programId, key, ruleId);
            if (current >= points.Value)
            {
                return new(Points.FromInt64(current));
            }

            var total = used.GetValueOrDefault((programId, ruleId));
            var extra = Math.Min(points.Value - current, Math.Max(0, budget.Value - total));
            if (extra > 0)
            {
                used[(programId, ruleId)] = total + extra;
                if (!held.TryGetValue((programId, key), out var rules))
                {
                    rules = [];
                    held[(programId, key)] = rules;
                }

                rules[ruleId] = current + extra;
            }

            if (record is not null && current + extra > 0)
            {
                unsettled.TryAdd((programId, key), record);
            }

            return new(Points.FromInt64(current + extra));
        }
    }

    /// <inheritdoc />
    public ValueTask SettleAsync(ProgramId programId, TransactionId key, IReadOnlyCollection<CampaignGrant> grants, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(grants);
        foreach (var grant in grants)
        {
            if (grant.Points.IsNegative)
            {
                throw new ArgumentOutOfRangeException(nameof(grants), grant.Points, $"The grant of rule '{grant.RuleId}' must be 0 points or more (was {grant.Points}).");
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            unsettled.Remove((programId, key));
            if (!held.TryGetValue((programId, key), out var rules))
            {
                return ValueTask.CompletedTask;
            }

            foreach (var (ruleId, current) in rules.ToArray())
            {
                var final = grants.Where(g => g.RuleId == ruleId).Select(g => g.Points.Value).DefaultIfEmpty(0).Min();
                if (final < current)
                {
                    used[(programId, ruleId)] -= current - final;
                    rules[ruleId] = final;
                }
            }

            return ValueTask.CompletedTask;
        }
    }

    private long Held(ProgramId programId, TransactionId key, RuleId ruleId) =>
        held.TryGetValue((programId, key), out var rules) ? rules.GetValueOrDefault(ruleId) : 0;
}
