using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Loyalty.Core.Storage;

namespace Loyalty.Core.Ledger;

/// <summary>
/// The hash chain of an account's transactions: each transaction stores SHA-256 of the previous
/// transaction's hash and of its own canonical content, so that a row edited, removed or moved behind
/// the library's back breaks the chain at that transaction (see <see cref="PointsLedger.VerifyAccountAsync"/>).
/// </summary>
/// <remarks>
/// <para>The canonical form (format 1) is compact binary, written in this order: the format byte 1;
/// the previous hash (32 bytes, zeros for the first transaction); the programme, member and
/// transaction ids; the version, kind, recorded and effective instants (100-ns ticks since the Unix
/// epoch), amount, applied, debt change and written-off points; a byte of flags saying which optional
/// fields follow (related id, pending period, requested expiry, whole capture, available-at,
/// expires-at, reason, actor) and those fields; the number of lot movements and each movement's lot id
/// and delta. Integers are 64-bit big-endian (the kind and counts 32-bit); text is its UTF-8 bytes after
/// a 32-bit length. One SHA-256 over that buffer (stack-allocated for usual sizes) is the whole cost.</para>
/// </remarks>
internal static class LedgerChain
{
    private const byte Format = 1;
    private const int StackLimit = 768;
    private const byte MerchantTag = 0x4D;

    // One SHA-256 state per thread, reset by every hash: the one-shot API allocates per call on Linux.
    [ThreadStatic]
    private static IncrementalHash? sha256;

    /// <summary>Chains <paramref name="transaction"/> to the account's last link, moves the link forward and returns the sealed transaction.</summary>
    public static LedgerTransactionRecord Seal(AccountState state, LedgerTransactionRecord transaction)
    {
        var hash = Compute(state.ChainHash, transaction);
        state.ChainHash = hash;
        return transaction with { ChainHash = hash };
    }

    /// <summary>
    /// Chains <paramref name="transaction"/> to the account's last link and moves the link forward, like
    /// <see cref="Seal"/>, but sets the hash on <paramref name="transaction"/> itself instead of copying it:
    /// only for a record the caller has just built and shared with no one.
    /// </summary>
    public static LedgerTransactionRecord SealNew(AccountState state, LedgerTransactionRecord transaction)
    {
        var hash = Compute(state.ChainHash, transaction);
        state.ChainHash = hash;
        transaction.SealWith(hash);
        return transaction;
    }

    /// <summary>The link of <paramref name="transaction"/> after <paramref name="previous"/>.</summary>
    public static LedgerHash Compute(LedgerHash previous, LedgerTransactionRecord transaction)
    {
        var size = MaxSize(transaction);
        byte[]? rented = null;
        Span<byte> buffer = size <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(size));
        try
        {
            var length = Write(buffer, previous, transaction);
            Span<byte> hash = stackalloc byte[LedgerHash.Size];
            var sha = sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(buffer[..length]);
            sha.GetHashAndReset(hash);
            return LedgerHash.FromBytes(hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int MaxSize(LedgerTransactionRecord tx)
    {
        var size = 1 + LedgerHash.Size + 4 + (8 * 8) + 1 + (5 * 8) + 4;
        size += Text(tx.ProgramId.Value) + Text(tx.MemberId.Value) + Text(tx.Id.Value);
        size += Text(tx.RelatedId?.Value) + Text(tx.Reason) + Text(tx.Actor) + 1 + Text(tx.Merchant?.Value);
        var movements = tx.Movements;
        for (var i = 0; i < movements.Count; i++)
        {
            size += Text(movements[i].LotId.Value) + 8;
        }

        return size;

        static int Text(string? text) => 4 + (text is null ? 0 : Encoding.UTF8.GetMaxByteCount(text.Length));
    }

    private static int Write(Span<byte> buffer, LedgerHash previous, LedgerTransactionRecord tx)
    {
        var at = 0;
        buffer[at++] = Format;
        previous.CopyTo(buffer[at..]);
        at += LedgerHash.Size;
        at += Text(buffer[at..], tx.ProgramId.Value);
        at += Text(buffer[at..], tx.MemberId.Value);
        at += Text(buffer[at..], tx.Id.Value);
        at += Int64(buffer[at..], tx.Version);
        BinaryPrimitives.WriteInt32BigEndian(buffer[at..], (int)tx.Kind);
        at += 4;
        at += Int64(buffer[at..], tx.RecordedAt.ToUnixTimeTicks());
        at += Int64(buffer[at..], tx.EffectiveAt.ToUnixTimeTicks());
        at += Int64(buffer[at..], tx.Amount);
        at += Int64(buffer[at..], tx.Applied);
        at += Int64(buffer[at..], tx.DebtChange);
        at += Int64(buffer[at..], tx.WrittenOff);

        var flags = (tx.RelatedId is null ? 0 : 1)
            | (tx.PendingPeriod is null ? 0 : 2)
            | (tx.RequestedExpiresAt is null ? 0 : 4)
            | (tx.IsWholeCapture ? 8 : 0)
            | (tx.AvailableAt is null ? 0 : 16)
            | (tx.ExpiresAt is null ? 0 : 32)
            | (tx.Reason is null ? 0 : 64)
            | (tx.Actor is null ? 0 : 128);
        buffer[at++] = (byte)flags;
        if (tx.RelatedId is { } related)
        {
            at += Text(buffer[at..], related.Value);
        }

        if (tx.PendingPeriod is { } pending)
        {
            at += Int64(buffer[at..], pending.BclCompatibleTicks);
        }

        if (tx.RequestedExpiresAt is { } requested)
        {
            at += Int64(buffer[at..], requested.ToUnixTimeTicks());
        }

        if (tx.AvailableAt is { } available)
        {
            at += Int64(buffer[at..], available.ToUnixTimeTicks());
        }

        if (tx.ExpiresAt is { } expires)
        {
            at += Int64(buffer[at..], expires.ToUnixTimeTicks());
        }

        if (tx.Reason is { } reason)
        {
            at += Text(buffer[at..], reason);
        }

        if (tx.Actor is { } actor)
        {
            at += Text(buffer[at..], actor);
        }

        var movements = tx.Movements;
        BinaryPrimitives.WriteInt32BigEndian(buffer[at..], movements.Count);
        at += 4;
        for (var i = 0; i < movements.Count; i++)
        {
            at += Text(buffer[at..], movements[i].LotId.Value);
            at += Int64(buffer[at..], movements[i].Delta);
        }

        // The merchant comes last and only when set, so a transaction without one hashes as before it existed.
        if (tx.Merchant is { } merchant)
        {
            buffer[at++] = MerchantTag;
            at += Text(buffer[at..], merchant.Value);
        }

        return at;
    }

    private static int Int64(Span<byte> destination, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(destination, value);
        return 8;
    }

    private static int Text(Span<byte> destination, string text)
    {
        var written = Encoding.UTF8.GetBytes(text, destination[4..]);
        BinaryPrimitives.WriteInt32BigEndian(destination, written);
        return 4 + written;
    }
}
