using System.Globalization;
using Loyalty.Core.Storage;

namespace Loyalty.Core.Ledger;

/// <summary>Walks an account's log and finds the first broken link of its hash chain (see <see cref="LedgerChain"/>).</summary>
internal static class LedgerChainVerifier
{
    public static async Task<LedgerVerification> VerifyAsync(ILedgerStore store, LedgerAccountKey key, LedgerAccountHead? head, int pageSize, CancellationToken cancellationToken)
    {
        LedgerHash link = default;
        var chained = false;
        long version = 0;
        long checkedCount = 0;
        for (long after = 0; ;)
        {
            var page = await store.ReadHistoryAsync(key, after, pageSize, cancellationToken).ConfigureAwait(false);
            foreach (var tx in page.Transactions)
            {
                checkedCount++;
                if (tx.Version != version + 1)
                {
                    return Broken(key, checkedCount, LedgerChainBreakKind.VersionGap, tx, version + 1, default, default,
                        string.Create(CultureInfo.InvariantCulture, $"Account {key}: after version {version} the log continues at version {tx.Version} ('{tx.Id}'); a transaction is missing or was moved."));
                }

                version = tx.Version;
                if (tx.ChainHash.IsNone)
                {
                    if (chained)
                    {
                        return Broken(key, checkedCount, LedgerChainBreakKind.MissingHash, tx, version, LedgerChain.Compute(link, tx), default,
                            string.Create(CultureInfo.InvariantCulture, $"Account {key}: transaction '{tx.Id}' at version {version} has no hash, after the chain started; its hash was erased."));
                    }

                    continue;
                }

                var expected = LedgerChain.Compute(link, tx);
                if (expected != tx.ChainHash)
                {
                    return Broken(key, checkedCount, LedgerChainBreakKind.HashMismatch, tx, version, expected, tx.ChainHash,
                        string.Create(CultureInfo.InvariantCulture, $"Account {key}: transaction '{tx.Id}' at version {version} stores hash {tx.ChainHash} but its content and the previous link give {expected}; the row or its lot movements were changed."));
                }

                link = tx.ChainHash;
                chained = true;
            }

            if (page.NextAfterVersion is not { } next)
            {
                break;
            }

            after = next;
        }

        var headVersion = head?.Version ?? 0;
        if (headVersion != version)
        {
            return Broken(key, checkedCount, LedgerChainBreakKind.HeadMismatch, null, headVersion, default, default,
                string.Create(CultureInfo.InvariantCulture, $"Account {key}: the head is at version {headVersion} but the log ends at version {version}; transactions are missing at the end, or the head was changed."));
        }

        if (head is not null && (chained || !head.ChainHash.IsNone) && head.ChainHash != link)
        {
            return Broken(key, checkedCount, LedgerChainBreakKind.HeadMismatch, null, headVersion, link, head.ChainHash,
                string.Create(CultureInfo.InvariantCulture, $"Account {key}: the head's last link is {head.ChainHash} but the log's is {link}; the head was changed."));
        }

        return new LedgerVerification(key, checkedCount, null);
    }

    private static LedgerVerification Broken(LedgerAccountKey key, long checkedCount, LedgerChainBreakKind kind, LedgerTransactionRecord? tx, long position, LedgerHash expected, LedgerHash found, string message)
        => new(key, checkedCount, new LedgerChainBreak(kind, tx?.Id, position, expected, found, message));
}
