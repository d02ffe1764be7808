using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;

namespace Loyalty.Core.Ledger;

/// <summary>What broke an account's hash chain.</summary>
public enum LedgerChainBreakKind
{
    /// <summary>A transaction's stored hash is not the hash of its content and of the previous link: the row (or one of its lot movements) was edited.</summary>
    HashMismatch = 1,

    /// <summary>The versions jump: a transaction is missing (deleted) or was moved from another position or account.</summary>
    VersionGap = 2,

    /// <summary>A transaction after the start of the chain has no hash: its hash was erased.</summary>
    MissingHash = 3,

    /// <summary>The account head does not end where the log ends: its version or its last link differs (a transaction removed at the end, or the head edited).</summary>
    HeadMismatch = 4,
}

/// <summary>The first broken link of an account's hash chain.</summary>
/// <param name="Kind">What broke.</param>
/// <param name="TransactionId">The transaction at the break, or null when the break is at the head.</param>
/// <param name="Position">The version (position in the account's log, from 1) at which the chain broke.</param>
/// <param name="Expected">The hash the chain expects there (<see cref="LedgerHash.IsNone"/> when the break is not about a hash).</param>
/// <param name="Found">The hash stored there.</param>
/// <param name="Message">The break in words, with the versions or hashes involved.</param>
public sealed record LedgerChainBreak(LedgerChainBreakKind Kind, TransactionId? TransactionId, long Position, LedgerHash Expected, LedgerHash Found, string Message);

/// <summary>The result of verifying one account's hash chain.</summary>
/// <param name="Account">The account.</param>
/// <param name="TransactionsChecked">The transactions read (up to the break).</param>
/// <param name="FirstBreak">The first broken link, or null when the chain is intact.</param>
public sealed record LedgerVerification(LedgerAccountKey Account, long TransactionsChecked, LedgerChainBreak? FirstBreak)
{
    /// <summary>Whether every link holds (and the head ends where the log ends).</summary>
    public bool IsIntact => FirstBreak is null;
}

/// <summary>The result of a verification pass over every account of a programme.</summary>
/// <param name="AccountsChecked">The accounts verified.</param>
/// <param name="TransactionsChecked">The transactions read.</param>
/// <param name="Broken">The accounts whose chain is broken, each with its first broken link, in member order.</param>
public sealed record LedgerVerificationReport(long AccountsChecked, long TransactionsChecked, IReadOnlyList<LedgerVerification> Broken)
{
    /// <summary>Whether every account's chain is intact.</summary>
    public bool IsIntact => Broken.Count == 0;
}
