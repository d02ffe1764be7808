using System.Data.Common;
using Loyalty.Core.Coalition;
using Loyalty.Core.EntityFrameworkCore.Coalition;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// An <see cref="IPartnerStore"/> on EF Core, in the shop's own <see cref="DbContext"/>: one row per
/// partner, agreement version and prepaid block (with the points drawn from it), and one per earn
/// and block it drew from.
/// </summary>
/// <remarks>
/// <para>Agreement and draw writes of a partner run in one database transaction (or behind a
/// savepoint in the shop's) whose first statement is <c>UPDATE … SET lock = lock + 1</c> on the
/// partner's row: racing writes of one partner are serialised (a row lock on PostgreSQL, the write
/// lock on SQLite), so two versions never overlap and draws never take more than the blocks hold
/// (a check constraint guards it too).</para>
/// <para>Like its context, an instance is not thread-safe: use one per scope. Provider faults are
/// thrown as <see cref="LoyaltyStoreException"/>.</para>
/// </remarks>
public sealed class EntityFrameworkPartnerStore : IPartnerStore
{
    private readonly StoreSession session;

    /// <summary>Creates a store on <paramref name="context"/>.</summary>
    /// <param name="context">The shop's context; its model must include the loyalty model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context's model has no loyalty tables.</exception>
    public EntityFrameworkPartnerStore(DbContext context)
    {
        session = new StoreSession(context, "partner store");
    }

    /// <inheritdoc />
    public async ValueTask<Partner> AddPartnerAsync(ProgramId programId, Partner partner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partner);
        var row = ToRow(programId, partner with { Version = 1 });
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                if (await FindAsync(programId, partner.Id, ct).ConfigureAwait(false) is { } existing)
                {
                    return (existing, false);
                }

                await session.ExecuteAsync(tx, w => w.Insert(row), ct).ConfigureAwait(false);
                return (partner with { Version = 1 }, true);
            },
            async ct => await FindAsync(programId, partner.Id, ct).ConfigureAwait(false) is { } raced ? (true, raced) : (false, partner),
            $"register partner '{partner.Id}'",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> UpdatePartnerAsync(ProgramId programId, Partner partner, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partner);
        var program = programId.Value;
        var merchant = partner.Id.Value;
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                var current = await session.Rows<PartnerRow>().FirstOrDefaultAsync(p => p.ProgramId == program && p.MerchantId == merchant, ct).ConfigureAwait(false);
                if (current is null || current.Version != expectedVersion)
                {
                    return (false, false);
                }

                var row = ToRow(programId, partner with { Version = expectedVersion + 1 });
                row.Lock = current.Lock;
                var written = await session.ExecuteAsync(tx, w => w.Update(row, expectedVersion), ct).ConfigureAwait(false);
                return (written == 1, written == 1);
            },
            _ => Task.FromResult((true, false)),
            $"update partner '{partner.Id}'",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<Partner?> GetPartnerAsync(ProgramId programId, MerchantId merchant, CancellationToken cancellationToken = default) =>
        await session.ReadAsync(ct => FindAsync(programId, merchant, ct), $"read partner '{merchant}'", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<Partner>> ListPartnersAsync(ProgramId programId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var rows = await session.ReadAsync(
            ct => session.Rows<PartnerRow>().Where(p => p.ProgramId == program).ToListAsync(ct),
            "list the partners",
            cancellationToken).ConfigureAwait(false);
        return rows.Select(ToPartner).OrderBy(p => p.Id).ToArray();
    }

    /// <inheritdoc />
    public async ValueTask<AgreementAddResult> AddAgreementAsync(ProgramId programId, PartnerAgreement agreement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agreement);
        var program = programId.Value;
        var merchant = agreement.Merchant.Value;
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                if (!await LockAsync(tx, program, merchant, ct).ConfigureAwait(false))
                {
                    throw new ArgumentException($"Merchant '{agreement.Merchant}' is not a partner of programme '{programId}'; register it first.", nameof(agreement));
                }

                var versions = (await AgreementRows(program, merchant).ToListAsync(ct).ConfigureAwait(false)).ConvertAll(ToAgreement);
                if (versions.FirstOrDefault(v => v.Version == agreement.Version) is { } same)
                {
                    return (same == agreement ? new AgreementAddResult(AgreementAddStatus.Repeat) : new AgreementAddResult(AgreementAddStatus.VersionTaken, same), false);
                }

                if (versions.FirstOrDefault(v => v.Overlaps(agreement)) is { } overlapping)
                {
                    return (new AgreementAddResult(AgreementAddStatus.Overlaps, overlapping), false);
                }

                await session.ExecuteAsync(tx, w => w.Insert(ToRow(programId, agreement)), ct).ConfigureAwait(false);
                return (new AgreementAddResult(AgreementAddStatus.Added), true);
            },
            _ => Task.FromResult((false, default(AgreementAddResult))),
            $"add agreement version {agreement.Version} of partner '{agreement.Merchant}'",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<PartnerAgreement>> GetAgreementsAsync(ProgramId programId, MerchantId merchant, CancellationToken cancellationToken = default)
    {
        var rows = await session.ReadAsync(ct => AgreementRows(programId.Value, merchant.Value).ToListAsync(ct), $"read the agreements of partner '{merchant}'", cancellationToken).ConfigureAwait(false);
        return rows.Select(ToAgreement).OrderBy(a => a.EffectiveFrom).ToArray();
    }

    /// <inheritdoc />
    public async ValueTask<PrepaidPointBlock> AddBlockAsync(ProgramId programId, PrepaidPointBlock block, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(block);
        var program = programId.Value;
        var merchant = block.Merchant.Value;
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                if (!await LockAsync(tx, program, merchant, ct).ConfigureAwait(false))
                {
                    throw new ArgumentException($"Merchant '{block.Merchant}' is not a partner of programme '{programId}'; register it first.", nameof(block));
                }

                var existing = await BlockRows(program, merchant).FirstOrDefaultAsync(b => b.BlockId == block.BlockId, ct).ConfigureAwait(false);
                if (existing is not null)
                {
                    return (ToBlock(existing), false);
                }

                await session.ExecuteAsync(tx, w => w.Insert(ToRow(programId, block)), ct).ConfigureAwait(false);
                return (block, true);
            },
            _ => Task.FromResult((false, block)),
            $"add prepaid block '{block.BlockId}' of partner '{block.Merchant}'",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<PrepaidPointBlock>> GetBlocksAsync(ProgramId programId, MerchantId merchant, CancellationToken cancellationToken = default)
    {
        var rows = await session.ReadAsync(ct => BlockRows(programId.Value, merchant.Value).ToListAsync(ct), $"read the prepaid blocks of partner '{merchant}'", cancellationToken).ConfigureAwait(false);
        return rows.Select(ToBlock).Order(Comparer<PrepaidPointBlock>.Create((a, b) => a.PurchasedAt != b.PurchasedAt ? a.PurchasedAt.CompareTo(b.PurchasedAt) : string.CompareOrdinal(a.BlockId, b.BlockId))).ToArray();
    }

    /// <inheritdoc />
    public async ValueTask<PrepaidDraw?> DrawAsync(ProgramId programId, MerchantId merchant, TransactionId key, long points, Instant asOf, CancellationToken cancellationToken = default)
    {
        if (points <= 0)
        {
            // The in-memory store's message, word for word.
            throw new ArgumentOutOfRangeException(nameof(points), points, $"points must be greater than 0 (was {points}).");
        }

        var program = programId.Value;
        var m = merchant.Value;
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                if (!await LockAsync(tx, program, m, ct).ConfigureAwait(false))
                {
                    return ((PrepaidDraw?)null, false);
                }

                if (await ReadDrawAsync(program, key.Value, ct).ConfigureAwait(false) is { } existing)
                {
                    return (existing, false);
                }

                var rows = await BlockRows(program, m).ToListAsync(ct).ConfigureAwait(false);
                var blocks = rows.ToDictionary(r => r.BlockId, StringComparer.Ordinal);
                var parts = PrepaidBlocks.Plan(rows.Select(ToBlock), b => blocks[b.BlockId].Drawn, points, asOf);
                if (parts is null)
                {
                    return (null, false);
                }

                await session.ExecuteAsync(tx, w =>
                {
                    for (var i = 0; i < parts.Count; i++)
                    {
                        var row = blocks[parts[i].BlockId];
                        row.Drawn += parts[i].Points;
                        w.Update(row);
                        w.Insert(new PrepaidDrawRow { ProgramId = program, TransactionId = key.Value, Ordinal = i, MerchantId = m, BlockId = parts[i].BlockId, Points = parts[i].Points });
                    }
                }, ct).ConfigureAwait(false);
                return (new PrepaidDraw(merchant, key, parts), true);
            },
            async ct => await ReadDrawAsync(program, key.Value, ct).ConfigureAwait(false) is { } raced ? (true, raced) : (false, null),
            $"draw {points} prepaid points of partner '{merchant}' for '{key}'",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<PrepaidDraw?> SettleDrawAsync(ProgramId programId, TransactionId key, long keep, CancellationToken cancellationToken = default)
    {
        if (keep < 0)
        {
            // The in-memory store's message, word for word.
            throw new ArgumentOutOfRangeException(nameof(keep), keep, $"keep must not be negative (was {keep}).");
        }

        var program = programId.Value;
        var draw = await session.ReadAsync(ct => ReadDrawAsync(program, key.Value, ct), $"read the prepaid draw of '{key}'", cancellationToken).ConfigureAwait(false);
        if (draw is null || draw.Points <= keep)
        {
            return draw;
        }

        var merchant = draw.Merchant.Value;
        return await session.WriteAsync<PrepaidDraw?>(
            async (tx, ct) =>
            {
                await LockAsync(tx, program, merchant, ct).ConfigureAwait(false);
                var current = (await ReadDrawAsync(program, key.Value, ct).ConfigureAwait(false))!;
                var (kept, given) = PrepaidBlocks.Shrink(current.Parts, keep);
                if (given.Count == 0)
                {
                    return (current, false);
                }

                var rows = await session.Rows<PrepaidDrawRow>().Where(d => d.ProgramId == program && d.TransactionId == key.Value).OrderBy(d => d.Ordinal).ToListAsync(ct).ConfigureAwait(false);
                var blocks = (await BlockRows(program, merchant).ToListAsync(ct).ConfigureAwait(false)).ToDictionary(b => b.BlockId, StringComparer.Ordinal);
                await session.ExecuteAsync(tx, w =>
                {
                    var left = keep;
                    foreach (var row in rows.Where(r => r.Points > 0))
                    {
                        var k = Math.Min(row.Points, left);
                        left -= k;
                        if (k < row.Points)
                        {
                            var block = blocks[row.BlockId];
                            block.Drawn -= row.Points - k;
                            row.Points = k;
                            w.Update(block);
                            w.Update(row);
                        }
                    }
                }, ct).ConfigureAwait(false);
                return (current with { Parts = kept }, true);
            },
            _ => Task.FromResult((false, (PrepaidDraw?)null)),
            $"settle the prepaid draw of '{key}'",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<PrepaidBalance> GetPrepaidBalanceAsync(ProgramId programId, MerchantId merchant, Instant asOf, CancellationToken cancellationToken = default)
    {
        var rows = await session.ReadAsync(ct => BlockRows(programId.Value, merchant.Value).ToListAsync(ct), $"read the prepaid blocks of partner '{merchant}'", cancellationToken).ConfigureAwait(false);
        var drawn = rows.ToDictionary(r => r.BlockId, r => r.Drawn, StringComparer.Ordinal);
        return PrepaidBlocks.Balance(rows.Select(ToBlock), b => drawn[b.BlockId], asOf);
    }

    private IQueryable<PartnerAgreementRow> AgreementRows(string program, string merchant) =>
        session.Rows<PartnerAgreementRow>().Where(a => a.ProgramId == program && a.MerchantId == merchant);

    private IQueryable<PrepaidBlockRow> BlockRows(string program, string merchant) =>
        session.Rows<PrepaidBlockRow>().Where(b => b.ProgramId == program && b.MerchantId == merchant);

    private async Task<bool> LockAsync(DbTransaction transaction, string program, string merchant, CancellationToken cancellationToken) =>
        await RowIncrement.ExecuteAsync<PartnerRow>(session, transaction, nameof(PartnerRow.Lock), [(nameof(PartnerRow.ProgramId), program), (nameof(PartnerRow.MerchantId), merchant)], cancellationToken).ConfigureAwait(false) == 1;

    private async Task<Partner?> FindAsync(ProgramId programId, MerchantId merchant, CancellationToken cancellationToken)
    {
        var program = programId.Value;
        var m = merchant.Value;
        var row = await session.Rows<PartnerRow>().FirstOrDefaultAsync(p => p.ProgramId == program && p.MerchantId == m, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToPartner(row);
    }

    private async Task<PrepaidDraw?> ReadDrawAsync(string program, string key, CancellationToken cancellationToken)
    {
        var rows = await session.Rows<PrepaidDrawRow>().Where(d => d.ProgramId == program && d.TransactionId == key).OrderBy(d => d.Ordinal).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Count == 0
            ? null
            : new PrepaidDraw(MerchantId.From(rows[0].MerchantId), TransactionId.From(key), rows.Where(r => r.Points > 0).Select(r => new PrepaidDrawPart(r.BlockId, r.Points)).ToArray());
    }

    private static int Day(LocalDate date) => date.ToDateOnly().DayNumber;

    private static LocalDate Date(int day) => LocalDate.FromDateOnly(DateOnly.FromDayNumber(day));

    private static PartnerRow ToRow(ProgramId programId, Partner p) => new()
    {
        ProgramId = programId.Value,
        MerchantId = p.Id.Value,
        Name = p.Name,
        Currency = p.Currency.Code,
        Status = (int)p.Status,
        JoinedOn = Day(p.JoinedOn),
        LeftOn = p.LeftOn is { } left ? Day(left) : null,
        Version = p.Version,
    };

    private static Partner ToPartner(PartnerRow r) => new()
    {
        Id = MerchantId.From(r.MerchantId),
        Name = r.Name,
        Currency = Currency.FromCode(r.Currency),
        Status = (PartnerStatus)r.Status,
        JoinedOn = Date(r.JoinedOn),
        LeftOn = r.LeftOn is { } left ? Date(left) : null,
        Version = r.Version,
    };

    private static PartnerAgreementRow ToRow(ProgramId programId, PartnerAgreement a) => new()
    {
        ProgramId = programId.Value,
        MerchantId = a.Merchant.Value,
        Version = a.Version,
        EffectiveFrom = Day(a.EffectiveFrom),
        EffectiveUntil = a.EffectiveUntil is { } until ? Day(until) : null,
        Currency = a.Currency.Code,
        Billing = (int)a.Billing,
        IssuancePrice = a.IssuancePricePerPoint,
        BillingPercentage = a.BillingPercentage,
        ReimbursementPrice = a.RedemptionReimbursementPerPoint,
    };

    private static PartnerAgreement ToAgreement(PartnerAgreementRow r) => new()
    {
        Merchant = MerchantId.From(r.MerchantId),
        Version = r.Version,
        EffectiveFrom = Date(r.EffectiveFrom),
        EffectiveUntil = r.EffectiveUntil is { } until ? Date(until) : null,
        Currency = Currency.FromCode(r.Currency),
        Billing = (IssuanceBilling)r.Billing,
        IssuancePricePerPoint = r.IssuancePrice,
        BillingPercentage = r.BillingPercentage,
        RedemptionReimbursementPerPoint = r.ReimbursementPrice,
    };

    private static PrepaidBlockRow ToRow(ProgramId programId, PrepaidPointBlock b) => new()
    {
        ProgramId = programId.Value,
        MerchantId = b.Merchant.Value,
        BlockId = b.BlockId,
        Points = b.Points,
        PricePerPoint = b.PricePerPoint,
        Currency = b.Currency.Code,
        PurchasedAt = LedgerMapping.Ticks(b.PurchasedAt),
        ExpiresAt = LedgerMapping.Ticks(b.ExpiresAt),
        IsReserve = b.IsReserve,
    };

    private static PrepaidPointBlock ToBlock(PrepaidBlockRow r) => new()
    {
        Merchant = MerchantId.From(r.MerchantId),
        BlockId = r.BlockId,
        Points = r.Points,
        PricePerPoint = r.PricePerPoint,
        Currency = Currency.FromCode(r.Currency),
        PurchasedAt = LedgerMapping.Instant(r.PurchasedAt),
        ExpiresAt = LedgerMapping.Instant(r.ExpiresAt),
        IsReserve = r.IsReserve,
    };
}
