using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Coalition;

/// <summary>A thread-safe, in-process <see cref="ISettlementStore"/>: the default store.</summary>
/// <remarks>One lock guards the store; every member completes synchronously.</remarks>
public sealed class InMemorySettlementStore : ISettlementStore
{
    private readonly object gate = new();
    private readonly Dictionary<(ProgramId, SettlementPeriod), SettlementRun> runs = [];

    /// <inheritdoc />
    public ValueTask<SettlementRun?> GetRunAsync(ProgramId programId, SettlementPeriod period, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(runs.GetValueOrDefault((programId, period)));
        }
    }

    /// <inheritdoc />
    public ValueTask<SettlementRun> SaveRunAsync(ProgramId programId, SettlementRun run, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(run);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (runs.TryGetValue((programId, run.Period), out var stored) && stored.Status == SettlementStatus.Closed)
            {
                return new(stored);
            }

            runs[(programId, run.Period)] = run;
            return new(run);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<SettlementPeriod>> ListClosedPeriodsAsync(ProgramId programId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(runs.Where(r => r.Key.Item1 == programId && r.Value.Status == SettlementStatus.Closed).Select(r => r.Key.Item2).Order().ToArray());
        }
    }
}
