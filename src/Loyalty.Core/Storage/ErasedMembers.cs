using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Storage;

/// <summary>
/// Remembers which member ids were erased without keeping them: each erased id is kept only as a marker,
/// HMAC-SHA256 of the programme and member ids under a secret key the shop holds outside the database,
/// cut to 128 bits. The programme answers a later call for a marked id with
/// <see cref="Programs.LoyaltyErrorCode.MemberErased"/> instead of <see cref="Programs.LoyaltyErrorCode.MemberNotFound"/>.
/// </summary>
/// <remarks>
/// <para>A marker holds no datum of the member: without the key it cannot be computed from a guessed id,
/// and nothing computes an id from it. Whoever holds the key can only confirm that a given id was erased
/// (not when, by whom, or anything else of the member). Destroying or changing the key forgets every
/// erasure at once: later calls for erased ids are then answered <see cref="Programs.LoyaltyErrorCode.MemberNotFound"/>.</para>
/// <para>Thread-safe when the store is (one per scope with EF Core).</para>
/// </remarks>
public sealed class ErasedMembers
{
    /// <summary>The fewest bytes a key may have (256 bits).</summary>
    public const int MinimumKeyBytes = 32;

    /// <summary>The length of a marker: 32 hexadecimal digits (128 bits).</summary>
    public const int MarkerLength = 32;

    private readonly IErasedMemberStore store;
    private readonly byte[] key;

    /// <summary>Creates the markers over a store with the shop's key.</summary>
    /// <param name="store">The store of markers.</param>
    /// <param name="key">The secret key, at least <see cref="MinimumKeyBytes"/> random bytes (copied).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="key"/> is shorter than <see cref="MinimumKeyBytes"/>.</exception>
    public ErasedMembers(IErasedMemberStore store, byte[] key)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < MinimumKeyBytes)
        {
            throw new ArgumentException($"The erasure marker key must be at least {MinimumKeyBytes} random bytes (was {key.Length}); generate one with e.g. 'openssl rand -base64 32' and keep it in the shop's secret store.", nameof(key));
        }

        this.store = store;
        this.key = (byte[])key.Clone();
    }

    /// <summary>The marker of a member id: HMAC-SHA256 of the programme id, a unit separator and the member id (UTF-8), the first 16 bytes in lowercase hexadecimal.</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <returns>32 hexadecimal digits.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default.</exception>
    public string MarkerOf(ProgramId programId, MemberId memberId)
    {
        if (memberId.IsDefault)
        {
            throw new ArgumentException("The member id must not be default(MemberId); use MemberId.From(\"…\").", nameof(memberId));
        }

        var text = programId.Value + "\u001f" + memberId.Value;
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, bytes);
            Span<byte> hash = stackalloc byte[32];
            HMACSHA256.HashData(key, bytes.AsSpan(0, length), hash);
            return Convert.ToHexStringLower(hash[..(MarkerLength / 2)]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes, clearArray: true);
        }
    }

    /// <summary>Marks a member id as erased (idempotent).</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member erased.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task.</returns>
    public async ValueTask MarkAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        await store.AddAsync(programId, MarkerOf(programId, memberId), cancellationToken).ConfigureAwait(false);

    /// <summary>Whether a member id was erased (and the key has not changed since).</summary>
    /// <param name="programId">The programme.</param>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>True when the id carries an erasure marker.</returns>
    public ValueTask<bool> WasErasedAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
        store.ContainsAsync(programId, MarkerOf(programId, memberId), cancellationToken);

    /// <summary>Checks a marker's shape, with the message every store gives.</summary>
    /// <param name="marker">The marker.</param>
    /// <param name="paramName">The parameter's name.</param>
    /// <exception cref="ArgumentException">The marker is not 32 lowercase hexadecimal digits.</exception>
    public static void CheckMarker(string marker, string paramName)
    {
        if (marker is null || marker.Length != MarkerLength || !marker.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
        {
            throw new ArgumentException($"An erasure marker must be {MarkerLength} lowercase hexadecimal digits (was {(marker is null ? "null" : $"'{marker}'")}); compute it with ErasedMembers.MarkerOf.", paramName);
        }
    }
}
