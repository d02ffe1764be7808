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
        if (append.Transactions.Count == 0)
        {
            throw new ArgumentException("An append must carry at least one transaction.", nameof(append));
        }

        for (var i = 0; i < append.Transactions.Count; i++)
        {
            var tx = append.Transactions[i];
            if (tx.Version != append.ExpectedVersion + i + 1 || tx.ProgramId != append.Account.ProgramId || tx.MemberId != append.Account.MemberId)
            {
                throw new ArgumentException(
                    $"Transaction '{tx.Id}' must belong to account {append.Account} with version {append.ExpectedVersion + i + 1} (was {tx.ProgramId}/{tx.MemberId} version {tx.Version}).",
                    nameof(append));
            }

            CheckTicks(tx.RecordedAt, tx.EffectiveAt, tx.RequestedExpiresAt, tx.AvailableAt, tx.ExpiresAt);
            if (tx.PendingPeriod is { } period && Duration.FromTicks(period.BclCompatibleTicks) != period)
            {
                throw Precision(period.ToString());
            }
        }

        if (append.Head.Version != append.ExpectedVersion + append.Transactions.Count
            || append.Head.ProgramId != append.Account.ProgramId || append.Head.MemberId != append.Account.MemberId)
        {
            throw new ArgumentException(
                $"The head must belong to account {append.Account} with version {append.ExpectedVersion + append.Transactions.Count} (was version {append.Head.Version}).",
                nameof(append));
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
