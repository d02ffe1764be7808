using Loyalty.Core.Storage;
using NodaTime;
using NodaTime.Text;

namespace Loyalty.Core.EntityFrameworkCore.Ledger;

/// <summary>Checks an append's shape before any I/O, with the same messages as the in-memory store,
/// plus the one limit of the relational mapping: instants and durations in whole 100-ns ticks.</summary>
internal static class LedgerAppendValidation
{
    public static void Validate(LedgerAppend append)
    {
        append.EnsureWellFormed();
        foreach (var tx in append.Transactions)
        {
            CheckTicks(tx.RecordedAt, tx.EffectiveAt, tx.RequestedExpiresAt, tx.AvailableAt, tx.ExpiresAt);
            if (tx.PendingPeriod is { } period && Duration.FromTicks(period.BclCompatibleTicks) != period)
            {
                throw Precision(period.ToString());
            }
        }

        CheckTicks(append.Head.UpdatedAt, append.Head.LastActivityAt, append.Head.NextChangeAt, append.Head.NextExpiryAt);
        foreach (var lot in append.Lots)
        {
            CheckTicks(lot.CreatedAt, lot.AvailableAt, lot.ExpiresAt);
        }

        foreach (var hold in append.Holds)
        {
            CheckTicks(hold.CreatedAt, hold.ExpiresAt);
        }
    }

    private static void CheckTicks(params Instant?[] instants)
    {
        foreach (var instant in instants)
        {
            if (instant is { } value && Instant.FromUnixTimeTicks(value.ToUnixTimeTicks()) != value)
            {
                throw Precision(InstantPattern.ExtendedIso.Format(value));
            }
        }
    }

    private static ArgumentException Precision(string value)
        => new($"The value {value} is finer than 100 ns, which the relational ledger store keeps; round instants and durations to whole ticks (the system clock already does).", "append");
}
