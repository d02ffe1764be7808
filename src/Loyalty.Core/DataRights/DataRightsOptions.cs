using NodaTime;

namespace Loyalty.Core.DataRights;

/// <summary>Options of <see cref="DataRightsService"/>.</summary>
/// <remarks>A mutable options class (bound from configuration); the service copies it when built.</remarks>
public sealed class DataRightsOptions
{
    /// <summary>
    /// How long a member is kept after the last purchase, own activity (review, survey, custom event),
    /// redemption or enrolment: calendar units in the programme's time zone. Default three years, the
    /// period the CNIL accepts for customer data in a commercial relationship.
    /// </summary>
    public Period RetentionPeriod { get; set; } = Period.FromYears(3);

    /// <summary>How many times a request is tried when the member's data changes under it (1 to 100). Default 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>
    /// The secret key of the erasure markers (<see cref="Storage.ErasedMembers"/>), base64 of at least 32 random
    /// bytes (e.g. <c>openssl rand -base64 32</c>), kept in the shop's secret store, not in the database. When
    /// set, an erasure leaves a marker (a keyed hash, not the id) and later calls for the erased id are answered
    /// <see cref="Programs.LoyaltyErrorCode.MemberErased"/> and a later erasure request
    /// <see cref="DataRightsStatus.AlreadyErased"/>; when null (the default) nothing marks erased ids, and they are
    /// answered as ids the programme never knew. Changing the key forgets every earlier erasure.
    /// </summary>
    public string? ErasureMarkerKey { get; set; }

    /// <summary>The decoded <see cref="ErasureMarkerKey"/>, or null.</summary>
    /// <returns>The key bytes.</returns>
    /// <exception cref="ArgumentException">The key is not base64 of at least 32 bytes.</exception>
    internal byte[]? MarkerKeyBytes()
    {
        if (ErasureMarkerKey is null)
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(ErasureMarkerKey);
        }
        catch (FormatException)
        {
            throw new ArgumentException("DataRights:ErasureMarkerKey must be base64 (e.g. the output of 'openssl rand -base64 32'); it is not.", nameof(ErasureMarkerKey));
        }

        if (bytes.Length < Storage.ErasedMembers.MinimumKeyBytes)
        {
            throw new ArgumentException($"DataRights:ErasureMarkerKey must decode to at least {Storage.ErasedMembers.MinimumKeyBytes} random bytes (was {bytes.Length}); generate one with 'openssl rand -base64 32'.", nameof(ErasureMarkerKey));
        }

        return bytes;
    }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it and the valid range.</exception>
    internal void Validate()
    {
        var p = RetentionPeriod;
        if (p is null || p.Equals(Period.Zero) || p.Years < 0 || p.Months < 0 || p.Weeks < 0 || p.Days < 0 || p.Hours < 0 || p.Minutes < 0 || p.Seconds < 0 || p.Milliseconds < 0 || p.Ticks < 0 || p.Nanoseconds < 0)
        {
            throw new ArgumentException($"DataRights:RetentionPeriod must be a positive period such as P3Y (was {(p is null ? "null" : p.ToString())}).", nameof(RetentionPeriod));
        }

        if (MaxAttempts is < 1 or > 100)
        {
            throw new ArgumentException($"DataRights:MaxAttempts must be 1 to 100 (was {MaxAttempts}).", nameof(MaxAttempts));
        }

        _ = MarkerKeyBytes();
    }
}
