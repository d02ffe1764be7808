using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Engagement;

/// <summary>
/// A member's consent, or opt-out, on one channel, with the instant it was given and where it came
/// from (the proof a data-protection authority asks for). Consents are an append-only log: the
/// member's state on a channel at an instant is the latest record at or before it.
/// </summary>
/// <remarks>Immutable. A member with no record on a channel has not consented on it.</remarks>
public sealed record ConsentRecord
{
    /// <summary>The longest source, 256 characters.</summary>
    public const int MaxSourceLength = 256;

    /// <summary>The programme.</summary>
    public required ProgramId ProgramId { get; init; }

    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>The channel.</summary>
    public required EngagementChannel Channel { get; init; }

    /// <summary>Granted or withdrawn.</summary>
    public required ConsentStatus Status { get; init; }

    /// <summary>When the member gave or withdrew consent; it takes effect at that instant.</summary>
    public required Instant At { get; init; }

    /// <summary>Where it came from, e.g. <c>checkout-form</c>, <c>unsubscribe-link</c>, <c>customer-service</c>: 1 to 256 characters.</summary>
    public required string Source { get; init; }

    /// <summary>Checks the record, throwing an exception that names the bad field.</summary>
    /// <exception cref="ArgumentException">A field is default, undefined or out of range.</exception>
    public void Validate()
    {
        if (ProgramId.IsDefault || MemberId.IsDefault)
        {
            throw new ArgumentException("The consent record must name its programme and member (ProgramId and MemberId are default).", "record");
        }

        if (!Enum.IsDefined(Channel))
        {
            throw new ArgumentException($"The consent record's channel ({(int)Channel}) is not a channel; use Email, Sms or Push.", "record");
        }

        if (!Enum.IsDefined(Status))
        {
            throw new ArgumentException($"The consent record's status ({(int)Status}) is not a status; use Granted or Withdrawn.", "record");
        }

        if (string.IsNullOrWhiteSpace(Source) || Source.Length > MaxSourceLength)
        {
            throw new ArgumentException($"The consent record's source must be 1 to {MaxSourceLength} characters saying where the consent came from, e.g. \"checkout-form\" (was {(Source is null ? "null" : $"{Source.Length} characters")}).", "record");
        }
    }
}

/// <summary>A message the shop sent, as the contact history keeps it: what counts against the contact-pressure caps and what is never planned again.</summary>
/// <remarks>Immutable; recorded once per <see cref="MessageId"/> (recording again is idempotent).</remarks>
public sealed record ContactRecord
{
    /// <summary>The longest message id, 512 characters.</summary>
    public const int MaxMessageIdLength = 512;

    /// <summary>The longest message type, 128 characters.</summary>
    public const int MaxMessageTypeLength = 128;

    /// <summary>The programme.</summary>
    public required ProgramId ProgramId { get; init; }

    /// <summary>The message's id, as planned (<see cref="PlannedMessage.MessageId"/>) or the shop's own for a message it sent by itself.</summary>
    public required string MessageId { get; init; }

    /// <summary>The member.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>The channel it went on.</summary>
    public required EngagementChannel Channel { get; init; }

    /// <summary>Marketing (counted) or transactional (never counted).</summary>
    public required MessageCategory Category { get; init; }

    /// <summary>The message type (the template), e.g. <c>points-expiring</c>.</summary>
    public required string MessageType { get; init; }

    /// <summary>When it was sent.</summary>
    public required Instant SentAt { get; init; }

    /// <summary>Checks the record, throwing an exception that names the bad field.</summary>
    /// <exception cref="ArgumentException">A field is default, undefined or out of range.</exception>
    public void Validate()
    {
        if (ProgramId.IsDefault || MemberId.IsDefault)
        {
            throw new ArgumentException("The contact record must name its programme and member (ProgramId and MemberId are default).", "record");
        }

        CheckMessageId(MessageId, "record");
        if (!Enum.IsDefined(Channel))
        {
            throw new ArgumentException($"The contact record's channel ({(int)Channel}) is not a channel; use Email, Sms or Push.", "record");
        }

        if (!Enum.IsDefined(Category))
        {
            throw new ArgumentException($"The contact record's category ({(int)Category}) is not a category; use Marketing or Transactional.", "record");
        }

        if (string.IsNullOrWhiteSpace(MessageType) || MessageType.Length > MaxMessageTypeLength)
        {
            throw new ArgumentException($"The contact record's message type must be 1 to {MaxMessageTypeLength} characters (was {(MessageType is null ? "null" : $"{MessageType.Length} characters")}).", "record");
        }
    }

    internal static void CheckMessageId(string? messageId, string paramName)
    {
        if (string.IsNullOrWhiteSpace(messageId) || messageId.Length > MaxMessageIdLength)
        {
            throw new ArgumentException($"The message id must be 1 to {MaxMessageIdLength} characters (was {(messageId is null ? "null" : $"{messageId.Length} characters")}).", paramName);
        }
    }
}

/// <summary>The outcome of recording a send (<see cref="IContactHistoryStore.RecordAsync"/>).</summary>
public enum ContactRecordStatus
{
    /// <summary>The send was recorded.</summary>
    Added = 1,

    /// <summary>Nothing was written: the same send (same id, same content) was recorded before; a repeat.</summary>
    Exists = 2,

    /// <summary>Nothing was written: another send has this message id; the stored one is returned.</summary>
    Conflict = 3,
}

/// <summary>The result of recording a send.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Existing">For <see cref="ContactRecordStatus.Exists"/> and <see cref="ContactRecordStatus.Conflict"/>, the stored record.</param>
public readonly record struct ContactRecordResult(ContactRecordStatus Status, ContactRecord? Existing = null);

/// <summary>The outcome of recording a consent (<see cref="IConsentStore.RecordAsync"/>).</summary>
public enum ConsentRecordStatus
{
    /// <summary>The consent was recorded.</summary>
    Added = 1,

    /// <summary>Nothing was written: the same record (member, channel, instant, status, source) was recorded before; a repeat.</summary>
    Exists = 2,

    /// <summary>Nothing was written: another record has the same member, channel and instant; the stored one is returned.</summary>
    Conflict = 3,
}

/// <summary>The result of recording a consent.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Existing">For <see cref="ConsentRecordStatus.Exists"/> and <see cref="ConsentRecordStatus.Conflict"/>, the stored record.</param>
public readonly record struct ConsentRecordResult(ConsentRecordStatus Status, ConsentRecord? Existing = null);
