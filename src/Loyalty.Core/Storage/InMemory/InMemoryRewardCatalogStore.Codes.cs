using Loyalty.Core.DataRights;
using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using NodaTime;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>The reward codes of the in-memory catalogue store, under the same lock.</summary>
public sealed partial class InMemoryRewardCatalogStore : IRewardCodeStore, IRewardCodeDataStore
{
    private readonly Dictionary<(ProgramId, string), RewardCode> codes = new();
    private readonly Dictionary<(ProgramId, RedemptionId), string> codeByRedemption = [];
    private readonly Dictionary<(ProgramId, string), List<RewardCodeUse>> codeUses = new();

    /// <inheritdoc />
    public ValueTask<RewardCode> AddCodeAsync(RewardCode code, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(code);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (codeByRedemption.TryGetValue((code.ProgramId, code.RedemptionId), out var issued))
            {
                return new(codes[(code.ProgramId, issued)]);
            }

            if (codes.TryGetValue((code.ProgramId, code.Code), out var taken))
            {
                return new(taken);
            }

            codes[(code.ProgramId, code.Code)] = code;
            codeByRedemption[(code.ProgramId, code.RedemptionId)] = code.Code;
            return new(code);
        }
    }

    /// <inheritdoc />
    public ValueTask<RewardCode?> GetCodeAsync(ProgramId programId, string code, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(code);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(codes.GetValueOrDefault((programId, code)));
        }
    }

    /// <inheritdoc />
    public ValueTask<RewardCode?> GetCodeForRedemptionAsync(ProgramId programId, RedemptionId redemptionId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(codeByRedemption.TryGetValue((programId, redemptionId), out var code) ? codes[(programId, code)] : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<RewardCodeConsumption> ConsumeCodeAsync(ProgramId programId, string code, OrderId orderId, Instant at, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(code);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!codes.TryGetValue((programId, code), out var current))
            {
                return new(new RewardCodeConsumption(RewardCodeConsumeStatus.NotFound, null, null));
            }

            var uses = codeUses.GetValueOrDefault((programId, code));
            if (uses?.Find(u => u.OrderId == orderId) is { } earlier)
            {
                return new(new RewardCodeConsumption(RewardCodeConsumeStatus.AlreadyConsumedByOrder, current, earlier));
            }

            if (current.Status != RewardCodeStatus.Issued || current.Uses >= current.MaxUses || (current.ExpiresAt is { } expiry && at >= expiry))
            {
                return new(new RewardCodeConsumption(RewardCodeConsumeStatus.NotUsable, current, null));
            }

            var use = new RewardCodeUse(code, orderId, at);
            if (uses is null)
            {
                uses = [];
                codeUses[(programId, code)] = uses;
            }

            uses.Add(use);
            var count = current.Uses + 1;
            var next = count >= current.MaxUses
                ? current with { Uses = count, Status = RewardCodeStatus.Used, ClosedAt = at }
                : current with { Uses = count };
            codes[(programId, code)] = next;
            return new(new RewardCodeConsumption(RewardCodeConsumeStatus.Consumed, next, use));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RewardCodeUse>> ListUsesAsync(ProgramId programId, string code, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(code);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(codeUses.TryGetValue((programId, code), out var uses) ? uses.ToArray() : []);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> CloseCodeAsync(ProgramId programId, string code, RewardCodeStatus status, Instant at, Points pointsReturned, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(code);
        RewardCodeRules.CheckClosing(status);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!codes.TryGetValue((programId, code), out var current) || !RewardCodeRules.CanClose(current, status, at))
            {
                return new(false);
            }

            codes[(programId, code)] = current with { Status = status, ClosedAt = at, PointsReturned = pointsReturned };
            return new(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<RewardCode>> FindCodesDueAsync(ProgramId programId, Instant dueBy, string? afterCode, int maxCount, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckPositive(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            IReadOnlyList<RewardCode> due = codes.Values
                .Where(c => c.ProgramId == programId && c.Status == RewardCodeStatus.Issued && c.ExpiresAt is { } e && e <= dueBy
                    && (afterCode is null || string.CompareOrdinal(c.Code, afterCode) > 0))
                .OrderBy(c => c.Code, StringComparer.Ordinal)
                .Take(maxCount)
                .ToArray();
            return new(due);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<(RewardCode Code, IReadOnlyList<RewardCodeUse> Uses)>> ListMemberCodesAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            IReadOnlyList<(RewardCode, IReadOnlyList<RewardCodeUse>)> list = codes.Values
                .Where(c => c.ProgramId == programId && c.MemberId == memberId)
                .OrderBy(c => c.IssuedAt).ThenBy(c => c.Code, StringComparer.Ordinal)
                .Select(c => (c, (IReadOnlyList<RewardCodeUse>)(codeUses.TryGetValue((programId, c.Code), out var u) ? u.ToArray() : [])))
                .ToArray();
            return new(list);
        }
    }

    /// <inheritdoc />
    public ValueTask<int> EraseMemberCodesAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var mine = codes.Values.Where(c => c.ProgramId == programId && c.MemberId == memberId).ToList();
            foreach (var code in mine)
            {
                codes.Remove((programId, code.Code));
                codeUses.Remove((programId, code.Code));
                codeByRedemption.Remove((programId, code.RedemptionId));
            }

            return new(mine.Count);
        }
    }

    /// <inheritdoc />
    public ValueTask<int> RenameMemberCodesAsync(ProgramId programId, MemberId from, MemberId to, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var mine = codes.Values.Where(c => c.ProgramId == programId && c.MemberId == from).ToList();
            foreach (var code in mine)
            {
                codes[(programId, code.Code)] = code with { MemberId = to };
            }

            return new(mine.Count);
        }
    }
}
