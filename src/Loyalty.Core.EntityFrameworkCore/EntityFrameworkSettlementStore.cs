using System.Text.Json;
using Loyalty.Core.Coalition;
using Loyalty.Core.EntityFrameworkCore.Coalition;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// An <see cref="ISettlementStore"/> on EF Core, in the shop's own <see cref="DbContext"/>: one row
/// per programme and period holding the run as JSON (with the ids of the transactions it counted), with its status; a closed row is never
/// replaced (the update is conditional on the stored status being draft).
/// </summary>
/// <remarks>Like its context, an instance is not thread-safe: use one per scope. Provider faults are thrown as <see cref="LoyaltyStoreException"/>.</remarks>
public sealed class EntityFrameworkSettlementStore : ISettlementStore
{
    private readonly StoreSession session;

    /// <summary>Creates a store on <paramref name="context"/>.</summary>
    /// <param name="context">The shop's context; its model must include the loyalty model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context's model has no loyalty tables.</exception>
    public EntityFrameworkSettlementStore(DbContext context)
    {
        session = new StoreSession(context, "settlement store");
    }

    /// <inheritdoc />
    public async ValueTask<SettlementRun?> GetRunAsync(ProgramId programId, SettlementPeriod period, CancellationToken cancellationToken = default)
    {
        var row = await session.ReadAsync(ct => FindAsync(programId.Value, period.ToString(), ct), $"read the settlement of {period}", cancellationToken).ConfigureAwait(false);
        return row is null ? null : SettlementJson.Read(row.Content);
    }

    /// <inheritdoc />
    public async ValueTask<SettlementRun> SaveRunAsync(ProgramId programId, SettlementRun run, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        var program = programId.Value;
        var key = run.Period.ToString();
        var row = new SettlementRunRow
        {
            ProgramId = program,
            Period = key,
            Status = (int)run.Status,
            ClosedAt = LedgerMapping.Ticks(run.ClosedAt),
            Content = SettlementJson.Write(run),
        };
        return await session.WriteAsync(
            async (tx, ct) =>
            {
                var stored = await FindAsync(program, key, ct).ConfigureAwait(false);
                if (stored is { Status: (int)SettlementStatus.Closed })
                {
                    return (SettlementJson.Read(stored.Content), false);
                }

                await session.ExecuteAsync(tx, w => { if (stored is null) { w.Insert(row); } else { w.Update(row); } }, ct).ConfigureAwait(false);
                return (run, true);
            },
            async ct => await FindAsync(program, key, ct).ConfigureAwait(false) is { Status: (int)SettlementStatus.Closed } closed ? (true, SettlementJson.Read(closed.Content)) : (false, run),
            $"save the settlement of {run.Period}",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<SettlementPeriod>> ListClosedPeriodsAsync(ProgramId programId, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var closed = (int)SettlementStatus.Closed;
        var periods = await session.ReadAsync(
            ct => session.Rows<SettlementRunRow>().Where(r => r.ProgramId == program && r.Status == closed).Select(r => r.Period).ToListAsync(ct),
            "list the closed settlement periods",
            cancellationToken).ConfigureAwait(false);
        return periods.Select(SettlementPeriod.Parse).Order().ToArray();
    }

    private Task<SettlementRunRow?> FindAsync(string program, string period, CancellationToken cancellationToken) =>
        session.Rows<SettlementRunRow>().FirstOrDefaultAsync(r => r.ProgramId == program && r.Period == period, cancellationToken);
}

/// <summary>The JSON form of a settlement run, as the settlement store keeps it.</summary>
internal static class SettlementJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write(SettlementRun run) => JsonSerializer.Serialize(new RunDocument(
        run.Period.ToString(),
        (int)run.Status,
        run.ClosedAt is { } closed ? LedgerMapping.Ticks(closed) : null,
        run.TransactionCount,
        run.Statements.Select(s => new StatementDocument(
            s.Merchant.Value, s.PartnerName, s.Currency.Code, Points(s.Points), s.Billed, s.Reimbursed,
            s.Lines.Select(l => new LineDocument((int)l.Kind, l.AgreementVersion, l.Points, l.UnitPrice, l.Amount, l.TransactionCount, l.Adjusts?.ToString(), l.BlockId)).ToArray())).ToArray(),
        Points(run.Reconciliation.Partners),
        Points(run.Reconciliation.Operator),
        run.Reconciliation.OutstandingChange,
        run.Reconciliation.Margin.Select(m => new MoneyDocument(m.Currency.Code, m.Amount)).ToArray(),
        run.Included.Select(i => i.Value).ToArray()), Options);

    public static SettlementRun Read(string json)
    {
        var d = JsonSerializer.Deserialize<RunDocument>(json, Options)!;
        var period = SettlementPeriod.Parse(d.Period);
        return new SettlementRun
        {
            Period = period,
            Status = (SettlementStatus)d.Status,
            ClosedAt = LedgerMapping.Instant(d.ClosedAt),
            TransactionCount = d.TransactionCount,
            Statements = d.Statements.Select(s => new SettlementStatement
            {
                Merchant = MerchantId.From(s.Merchant),
                PartnerName = s.Name,
                Currency = Currency.FromCode(s.Currency),
                Period = period,
                Points = Points(s.Points),
                Billed = s.Billed,
                Reimbursed = s.Reimbursed,
                Lines = s.Lines.Select(l => new SettlementLine
                {
                    Kind = (SettlementLineKind)l.Kind,
                    AgreementVersion = l.Version,
                    Points = l.Points,
                    UnitPrice = l.UnitPrice,
                    Amount = l.Amount,
                    TransactionCount = l.Count,
                    Adjusts = l.Adjusts is { } a ? SettlementPeriod.Parse(a) : null,
                    BlockId = l.Block,
                }).ToArray(),
            }).ToArray(),
            Reconciliation = new SettlementReconciliation(Points(d.Partners), Points(d.Operator), d.OutstandingChange, d.Margin.Select(m => Money.FromDecimal(m.Amount, m.Currency)).ToArray()),
            Included = d.Included is { } included ? included.Select(TransactionId.From).ToArray() : [],
        };
    }

    private static long[] Points(SettlementPoints p) => [p.Issued, p.Reversed, p.Redeemed, p.Expired, p.Adjusted, p.WrittenOff];

    private static SettlementPoints Points(long[] p) => new(p[0], p[1], p[2], p[3], p[4], p[5]);

    private sealed record RunDocument(string Period, int Status, long? ClosedAt, long TransactionCount, StatementDocument[] Statements, long[] Partners, long[] Operator, long OutstandingChange, MoneyDocument[] Margin, string[]? Included);

    private sealed record StatementDocument(string Merchant, string Name, string Currency, long[] Points, decimal Billed, decimal Reimbursed, LineDocument[] Lines);

    private sealed record LineDocument(int Kind, int? Version, long Points, decimal UnitPrice, decimal Amount, int Count, string? Adjusts, string? Block);

    private sealed record MoneyDocument(string Currency, decimal Amount);
}
