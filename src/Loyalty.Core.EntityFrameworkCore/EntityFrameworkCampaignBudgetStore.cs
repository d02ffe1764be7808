using System.Data.Common;
using Loyalty.Core.EntityFrameworkCore.Programs;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// An <see cref="ICampaignBudgetStore"/> on EF Core, in the shop's own <see cref="DbContext"/>: one
/// row per budgeted rule (the points given out, a version) and one per order or activity and rule
/// (the points it holds).
/// </summary>
/// <remarks>
/// <para>Every write runs in one database transaction (or behind a savepoint in the shop's) whose
/// first statement is <c>UPDATE … SET version = version + 1</c> on the rule's row: that locks the
/// row until the transaction ends (a row lock on PostgreSQL, the write lock on SQLite), so racing
/// reservations of one rule are serialised and each reads what the previous one committed; the
/// rule's total and the reservation are then written together. A rule's first reservation inserts
/// its row; a racing first insert fails on the key and is retried.</para>
/// <para>Like its context, an instance is not thread-safe: use one per scope. Provider faults are
/// thrown as <see cref="LoyaltyStoreException"/>.</para>
/// </remarks>
public sealed partial class EntityFrameworkCampaignBudgetStore : ICampaignBudgetStore
{
    private const int Attempts = 3;
    private readonly StoreSession session;

    /// <summary>Creates a store on <paramref name="context"/>.</summary>
    /// <param name="context">The shop's context; its model must include the loyalty model.</param>
    /// <exception cref="ArgumentNullException"><paramref name="context"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The context's model has no loyalty tables.</exception>
    public EntityFrameworkCampaignBudgetStore(DbContext context)
    {
        session = new StoreSession(context, "campaign budget store");
    }

    /// <inheritdoc />
    public async ValueTask<CampaignBudgetUsage> GetUsageAsync(ProgramId programId, RuleId ruleId, TransactionId key, CancellationToken cancellationToken = default)
    {
        var program = programId.Value;
        var rule = ruleId.Value;
        var transaction = key.Value;
        return await session.ReadAsync(
            async ct =>
            {
                // One statement, so one snapshot: the total and the key's part are read as of the same
                // instant. (Two statements could straddle the commit of a reservation of this key and
                // read the key holding more than the total.) A reservation is always written in the
                // transaction that writes its rule's row, so there is none without that row.
                var reservations = session.Rows<CampaignReservationRow>();
                var found = await session.Rows<CampaignBudgetRow>()
                    .Where(c => c.ProgramId == program && c.RuleId == rule)
                    .Select(c => new
                    {
                        c.Used,
                        Held = reservations
                            .Where(r => r.ProgramId == c.ProgramId && r.TransactionId == transaction && r.RuleId == c.RuleId)
                            .Select(r => (long?)r.Points)
                            .FirstOrDefault(),
                    })
                    .FirstOrDefaultAsync(ct).ConfigureAwait(false);
                return found is null
                    ? new CampaignBudgetUsage(Points.Zero, Points.Zero)
                    : new CampaignBudgetUsage(Points.FromInt64(found.Used), Points.FromInt64(found.Held ?? 0));
            },
            $"read the budget usage of rule '{ruleId}'",
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<Points> ReserveAsync(ProgramId programId, RuleId ruleId, TransactionId key, Points points, Points budget, CancellationToken cancellationToken = default)
    {
        // The in-memory store's messages, word for word.
        if (!points.IsPositive)
        {
            throw new ArgumentOutOfRangeException(nameof(points), points.Value, $"points must be greater than 0 (was {points.Value}).");
        }

        if (!budget.IsPositive)
        {
            throw new ArgumentOutOfRangeException(nameof(budget), budget.Value, $"budget must be greater than 0 (was {budget.Value}).");
        }

        var program = programId.Value;
        var rule = ruleId.Value;
        var transaction = key.Value;
        var what = $"reserve {points} points of the budget of rule '{ruleId}' for '{key}'";
        for (var attempt = 1; ; attempt++)
        {
            var last = attempt == Attempts;
            var (done, held) = await session.WriteAsync(
                async (tx, ct) =>
                {
                    var counter = await LockAsync(tx, program, rule, ct).ConfigureAwait(false);
                    var reservation = await session.Rows<CampaignReservationRow>()
                        .FirstOrDefaultAsync(r => r.ProgramId == program && r.TransactionId == transaction && r.RuleId == rule, ct).ConfigureAwait(false);
                    var current = reservation?.Points ?? 0;
                    var extra = current >= points.Value ? 0 : Math.Min(points.Value - current, Math.Max(0, budget.Value - counter.Used));
                    if (extra == 0)
                    {
                        return ((true, current), false);
                    }

                    counter.Used += extra;
                    await session.ExecuteAsync(tx, w => w.Update(counter), ct).ConfigureAwait(false);
                    var row = new CampaignReservationRow { ProgramId = program, TransactionId = transaction, RuleId = rule, Points = current + extra };
                    await session.ExecuteAsync(tx, w => { if (reservation is null) { w.Insert(row); } else { w.Update(row); } }, ct).ConfigureAwait(false);
                    return ((true, current + extra), true);
                },
                async ct => await CounterExistsAsync(program, rule, ct).ConfigureAwait(false) && !last ? (true, (false, 0L)) : (false, default),
                what,
                cancellationToken).ConfigureAwait(false);
            if (done)
            {
                return Points.FromInt64(held);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask SettleAsync(ProgramId programId, TransactionId key, IReadOnlyCollection<CampaignGrant> grants, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grants);
        foreach (var grant in grants)
        {
            if (grant.Points.IsNegative)
            {
                // The in-memory store's message, word for word.
                throw new ArgumentOutOfRangeException(nameof(grants), grant.Points, $"The grant of rule '{grant.RuleId}' must be 0 points or more (was {grant.Points}).");
            }
        }

        var program = programId.Value;
        var transaction = key.Value;
        var what = $"settle the budget reservations of '{key}'";
        long Final(string rule) => grants.Where(g => g.RuleId.Value == rule).Select(g => g.Points.Value).DefaultIfEmpty(0).Min();

        // Most calls find nothing to give back: one read, no write.
        var held = await session.ReadAsync(
            ct => session.Rows<CampaignReservationRow>().Where(r => r.ProgramId == program && r.TransactionId == transaction).ToListAsync(ct),
            what,
            cancellationToken).ConfigureAwait(false);
        var shrinking = held.Where(r => Final(r.RuleId) < r.Points).Select(r => r.RuleId).Order(StringComparer.Ordinal).ToList();
        if (shrinking.Count == 0)
        {
            return;
        }

        await session.WriteAsync(
            async (tx, ct) =>
            {
                // Rules locked in ordinal order, so two settlements never wait for each other in a cycle.
                foreach (var rule in shrinking)
                {
                    var counter = await LockAsync(tx, program, rule, ct).ConfigureAwait(false);
                    var reservation = await session.Rows<CampaignReservationRow>()
                        .FirstAsync(r => r.ProgramId == program && r.TransactionId == transaction && r.RuleId == rule, ct).ConfigureAwait(false);
                    var final = Final(rule);
                    if (final >= reservation.Points)
                    {
                        continue;
                    }

                    counter.Used -= reservation.Points - final;
                    reservation.Points = final;
                    await session.ExecuteAsync(tx, w => { w.Update(counter); w.Update(reservation); }, ct).ConfigureAwait(false);
                }

                return (true, true);
            },
            _ => Task.FromResult((false, false)),
            what,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Locks the rule's row (inserting it at 0 when missing) and reads it back.</summary>
    private async Task<CampaignBudgetRow> LockAsync(DbTransaction transaction, string program, string rule, CancellationToken cancellationToken)
    {
        var key = new[] { (nameof(CampaignBudgetRow.ProgramId), program), (nameof(CampaignBudgetRow.RuleId), rule) };
        if (await RowIncrement.ExecuteAsync<CampaignBudgetRow>(session, transaction, nameof(CampaignBudgetRow.Version), key, cancellationToken).ConfigureAwait(false) == 0)
        {
            var row = new CampaignBudgetRow { ProgramId = program, RuleId = rule, Used = 0, Version = 1 };
            await session.ExecuteAsync(transaction, w => w.Insert(row), cancellationToken).ConfigureAwait(false);
            return row;
        }

        return await session.Rows<CampaignBudgetRow>().FirstAsync(c => c.ProgramId == program && c.RuleId == rule, cancellationToken).ConfigureAwait(false);
    }

    private Task<bool> CounterExistsAsync(string program, string rule, CancellationToken cancellationToken)
        => session.Rows<CampaignBudgetRow>().AnyAsync(c => c.ProgramId == program && c.RuleId == rule, cancellationToken);
}
