using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Loyalty.Core.EntityFrameworkCore.Ledger;

/// <summary>
/// The ledger's invariants as CHECK constraints, so that the database refuses a row the library
/// would never write (a hand-written INSERT or UPDATE, a faulty migration). The expressions use
/// plain lower-case column names and integer comparisons only, so every relational provider runs
/// them as written. Documented in docs/entity-framework-core.md ("Invariants the database enforces").
/// </summary>
internal static class LedgerChecks
{
    private const int Earn = (int)LedgerTransactionKind.Earn;
    private const int Redeem = (int)LedgerTransactionKind.Redeem;
    private const int Hold = (int)LedgerTransactionKind.Hold;
    private const int Capture = (int)LedgerTransactionKind.Capture;
    private const int Release = (int)LedgerTransactionKind.Release;
    private const int Expire = (int)LedgerTransactionKind.Expire;
    private const int Reverse = (int)LedgerTransactionKind.Reverse;
    private const int Adjust = (int)LedgerTransactionKind.Adjust;
    private const int Open = (int)LedgerHoldStatus.Open;
    private const int Lapsed = (int)LedgerHoldStatus.Lapsed;
    private const int Captured = (int)LedgerHoldStatus.Captured;

    public static void Accounts<T>(TableBuilder<T> table, LoyaltyModelOptions options)
        where T : class
    {
        Check(table, options, "ledger_accounts_version", "version >= 1");
        Check(table, options, "ledger_accounts_totals", "lot_points >= 0 AND debt >= 0 AND earned >= 0 AND redeemed >= 0 AND expired >= 0 AND reversed >= 0 AND written_off >= 0");
        Check(table, options, "ledger_accounts_snapshots", "pending_snapshot >= 0 AND held_snapshot >= 0");
        Check(table, options, "ledger_accounts_chain_hash", "chain_hash IS NULL OR length(chain_hash) = 32");
    }

    public static void Transactions<T>(TableBuilder<T> table, LoyaltyModelOptions options)
        where T : class
    {
        Check(table, options, "ledger_transactions_version", "version >= 1");
        Check(table, options, "ledger_transactions_kind", $"kind BETWEEN {Earn} AND {Adjust}");

        // Positive for every kind, except a manual adjustment (signed, never zero) and what a release,
        // an expiry or a whole capture records (the points given back, expired or captured: never negative).
        Check(table, options, "ledger_transactions_amount",
            $"(kind IN ({Earn}, {Redeem}, {Hold}, {Reverse}) AND amount > 0) OR (kind = {Adjust} AND amount <> 0) OR (kind IN ({Capture}, {Release}, {Expire}) AND amount >= 0)");
        Check(table, options, "ledger_transactions_reversal", "applied >= 0 AND written_off >= 0");
        Check(table, options, "ledger_transactions_chain_hash", "chain_hash IS NULL OR length(chain_hash) = 32");
    }

    public static void Movements<T>(TableBuilder<T> table, LoyaltyModelOptions options)
        where T : class
        => Check(table, options, "ledger_movements_ordinal", "version >= 1 AND ordinal >= 0");

    public static void Lots<T>(TableBuilder<T> table, LoyaltyModelOptions options)
        where T : class
    {
        // A lot's remaining points stay within 0..original: spending never overdraws it (a shortfall is
        // the account's debt) and a reversed redemption never puts back more than it took.
        Check(table, options, "ledger_lots_remaining", "original_amount >= 0 AND remaining >= 0 AND remaining <= original_amount");
        Check(table, options, "ledger_lots_sequence", "sequence >= 1");
        Check(table, options, "ledger_lots_availability", "available_at >= created_at");
    }

    public static void Holds<T>(TableBuilder<T> table, LoyaltyModelOptions options)
        where T : class
    {
        Check(table, options, "ledger_holds_amount", "amount > 0");
        Check(table, options, "ledger_holds_status", $"status BETWEEN {Open} AND {Lapsed}");

        // Only a captured hold has captured points, never more than it reserved.
        Check(table, options, "ledger_holds_captured", $"captured >= 0 AND captured <= amount AND (status = {Captured} OR captured = 0)");
    }

    private static void Check<T>(TableBuilder<T> table, LoyaltyModelOptions options, string name, string sql)
        where T : class
        => table.HasCheckConstraint($"ck_{options.TablePrefix}{name}", sql);
}
