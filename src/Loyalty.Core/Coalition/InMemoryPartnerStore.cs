using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Coalition;

/// <summary>A thread-safe, in-process <see cref="IPartnerStore"/>: the default store.</summary>
/// <remarks>One lock guards the store; every member completes synchronously.</remarks>
public sealed class InMemoryPartnerStore : IPartnerStore
{
    private readonly object gate = new();
    private readonly Dictionary<(ProgramId, MerchantId), Partner> partners = [];
    private readonly Dictionary<(ProgramId, MerchantId), List<PartnerAgreement>> agreements = [];
    private readonly Dictionary<(ProgramId, MerchantId), List<PrepaidPointBlock>> blocks = [];
    private readonly Dictionary<(ProgramId, MerchantId, string), long> drawnByBlock = [];
    private readonly Dictionary<(ProgramId, TransactionId), PrepaidDraw> draws = [];

    /// <inheritdoc />
    public ValueTask<Partner> AddPartnerAsync(ProgramId programId, Partner partner, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(partner);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (partners.TryGetValue((programId, partner.Id), out var existing))
            {
                return new(existing);
            }

            var stored = partner with { Version = 1 };
            partners[(programId, partner.Id)] = stored;
            return new(stored);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> UpdatePartnerAsync(ProgramId programId, Partner partner, long expectedVersion, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(partner);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!partners.TryGetValue((programId, partner.Id), out var existing) || existing.Version != expectedVersion)
            {
                return new(false);
            }

            partners[(programId, partner.Id)] = partner with { Version = expectedVersion + 1 };
            return new(true);
        }
    }

    /// <inheritdoc />
    public ValueTask<Partner?> GetPartnerAsync(ProgramId programId, MerchantId merchant, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(partners.GetValueOrDefault((programId, merchant)));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<Partner>> ListPartnersAsync(ProgramId programId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(partners.Where(p => p.Key.Item1 == programId).Select(p => p.Value).OrderBy(p => p.Id).ToArray());
        }
    }

    /// <inheritdoc />
    public ValueTask<AgreementAddResult> AddAgreementAsync(ProgramId programId, PartnerAgreement agreement, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(agreement);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!agreements.TryGetValue((programId, agreement.Merchant), out var versions))
            {
                versions = [];
                agreements[(programId, agreement.Merchant)] = versions;
            }

            if (versions.FirstOrDefault(v => v.Version == agreement.Version) is { } same)
            {
                return new(same == agreement ? new AgreementAddResult(AgreementAddStatus.Repeat) : new AgreementAddResult(AgreementAddStatus.VersionTaken, same));
            }

            if (versions.FirstOrDefault(v => v.Overlaps(agreement)) is { } overlapping)
            {
                return new(new AgreementAddResult(AgreementAddStatus.Overlaps, overlapping));
            }

            versions.Add(agreement);
            versions.Sort((a, b) => a.EffectiveFrom.CompareTo(b.EffectiveFrom));
            return new(new AgreementAddResult(AgreementAddStatus.Added));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<PartnerAgreement>> GetAgreementsAsync(ProgramId programId, MerchantId merchant, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(agreements.TryGetValue((programId, merchant), out var versions) ? versions.ToArray() : []);
        }
    }

    /// <inheritdoc />
    public ValueTask<PrepaidPointBlock> AddBlockAsync(ProgramId programId, PrepaidPointBlock block, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(block);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!blocks.TryGetValue((programId, block.Merchant), out var list))
            {
                list = [];
                blocks[(programId, block.Merchant)] = list;
            }

            if (list.FirstOrDefault(b => b.BlockId == block.BlockId) is { } existing)
            {
                return new(existing);
            }

            list.Add(block);
            list.Sort(PrepaidBlocks.Compare);
            return new(block);
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<PrepaidPointBlock>> GetBlocksAsync(ProgramId programId, MerchantId merchant, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            return new(blocks.TryGetValue((programId, merchant), out var list) ? list.ToArray() : []);
        }
    }

    /// <inheritdoc />
    public ValueTask<PrepaidDraw?> DrawAsync(ProgramId programId, MerchantId merchant, TransactionId key, long points, Instant asOf, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckPositive(points);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (draws.TryGetValue((programId, key), out var existing))
            {
                return new(existing);
            }

            var list = blocks.TryGetValue((programId, merchant), out var found) ? found : [];
            var parts = PrepaidBlocks.Plan(list, b => drawnByBlock.GetValueOrDefault((programId, merchant, b.BlockId)), points, asOf);
            if (parts is null)
            {
                return new((PrepaidDraw?)null);
            }

            foreach (var part in parts)
            {
                drawnByBlock[(programId, merchant, part.BlockId)] = drawnByBlock.GetValueOrDefault((programId, merchant, part.BlockId)) + part.Points;
            }

            var draw = new PrepaidDraw(merchant, key, parts);
            draws[(programId, key)] = draw;
            return new(draw);
        }
    }

    /// <inheritdoc />
    public ValueTask<PrepaidDraw?> SettleDrawAsync(ProgramId programId, TransactionId key, long keep, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNegative(keep);
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            if (!draws.TryGetValue((programId, key), out var draw))
            {
                return new((PrepaidDraw?)null);
            }

            var (kept, given) = PrepaidBlocks.Shrink(draw.Parts, keep);
            foreach (var part in given)
            {
                drawnByBlock[(programId, draw.Merchant, part.BlockId)] -= part.Points;
            }

            var next = draw with { Parts = kept };
            draws[(programId, key)] = next;
            return new(next);
        }
    }

    /// <inheritdoc />
    public ValueTask<PrepaidBalance> GetPrepaidBalanceAsync(ProgramId programId, MerchantId merchant, Instant asOf, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (gate)
        {
            var list = blocks.TryGetValue((programId, merchant), out var found) ? found : [];
            return new(PrepaidBlocks.Balance(list, b => drawnByBlock.GetValueOrDefault((programId, merchant, b.BlockId)), asOf));
        }
    }
}
