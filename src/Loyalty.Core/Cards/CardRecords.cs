using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Cards;

/// <summary>Whether a card is a plastic one from a pre-printed range or a virtual one (in an app or wallet).</summary>
public enum CardKind
{
    /// <summary>A pre-printed card, linked to a member at the till.</summary>
    Physical = 0,

    /// <summary>A card issued by the programme, numbered from a virtual range.</summary>
    Virtual = 1,
}

/// <summary>A card's current status.</summary>
public enum CardStatus
{
    /// <summary>In use: a scan finds its member.</summary>
    Active = 0,

    /// <summary>Blocked (lost, stolen, replaced, closed): a scan is refused with <see cref="CardErrorCode.CardBlocked"/>.</summary>
    Blocked = 1,
}

/// <summary>What happened to a card, in its status history.</summary>
public enum CardEvent
{
    /// <summary>A virtual card was issued to the member.</summary>
    Issued = 0,

    /// <summary>A physical card was linked to the member.</summary>
    Linked = 1,

    /// <summary>The card was blocked.</summary>
    Blocked = 2,

    /// <summary>The card was blocked and replaced by another (<see cref="CardStatusChange.Related"/>).</summary>
    Replaced = 3,
}

/// <summary>One entry of a card's status history.</summary>
/// <param name="Event">What happened.</param>
/// <param name="At">When.</param>
/// <param name="Reason">Why, as the shop gave it (e.g. "lost", "stolen", "enrolment at till 4").</param>
/// <param name="Related">The other card of a replacement: on the old card the new one, on the new card the old one; otherwise default.</param>
public sealed record CardStatusChange(CardEvent Event, Instant At, string Reason, CardNumber Related = default);

/// <summary>A card linked to (or issued to) a member, with its status history.</summary>
/// <remarks>Immutable; a change is a new record with the next <see cref="Version"/>.</remarks>
public sealed record CardRecord
{
    /// <summary>The longest reason kept in the history.</summary>
    public const int MaxReasonLength = 200;

    /// <summary>The programme.</summary>
    public required ProgramId ProgramId { get; init; }

    /// <summary>The card number (personal data).</summary>
    public required CardNumber Number { get; init; }

    /// <summary>The member the card belongs to.</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>Physical or virtual.</summary>
    public required CardKind Kind { get; init; }

    /// <summary>The current status.</summary>
    public required CardStatus Status { get; init; }

    /// <summary>The record's version: 1 when added, one more per change.</summary>
    public required long Version { get; init; }

    /// <summary>The status history, oldest first; the first entry is <see cref="CardEvent.Issued"/> or <see cref="CardEvent.Linked"/>.</summary>
    public required IReadOnlyList<CardStatusChange> History { get; init; }

    /// <summary>The card that replaced this one, or default.</summary>
    public CardNumber ReplacedBy => History.Count > 0 && History[^1] is { Event: CardEvent.Replaced } last ? last.Related : default;

    /// <summary>When the card was issued or linked.</summary>
    public Instant IssuedAt => History[0].At;

    /// <summary>Whether another record has the same content (the history compared entry by entry).</summary>
    /// <param name="other">The other record.</param>
    /// <returns>True when the same.</returns>
    public bool SameAs(CardRecord? other) =>
        other is not null && ProgramId == other.ProgramId && Number == other.Number && MemberId == other.MemberId
        && Kind == other.Kind && Status == other.Status && Version == other.Version && History.SequenceEqual(other.History);
}

/// <summary>A range of card serials imported into the programme: pre-printed plastic cards, or the numbers virtual cards are issued from.</summary>
/// <remarks>Ranges of one programme never overlap, whatever their kind.</remarks>
public sealed record CardRange
{
    /// <summary>The longest range id.</summary>
    public const int MaxIdLength = 64;

    /// <summary>The programme.</summary>
    public required ProgramId ProgramId { get; init; }

    /// <summary>The shop's name for the range (e.g. the print batch), 1 to 64 characters; unique per programme.</summary>
    public required string RangeId { get; init; }

    /// <summary>Physical (pre-printed) or virtual.</summary>
    public required CardKind Kind { get; init; }

    /// <summary>The first serial, inclusive.</summary>
    public required long FirstSerial { get; init; }

    /// <summary>The last serial, inclusive; not less than <see cref="FirstSerial"/>.</summary>
    public required long LastSerial { get; init; }

    /// <summary>When it was imported.</summary>
    public required Instant ImportedAt { get; init; }

    /// <summary>How many serials were taken from the start of a virtual range (0 for a physical one).</summary>
    public long Taken { get; init; }

    /// <summary>The number of cards in the range.</summary>
    public long Count => LastSerial - FirstSerial + 1;

    /// <summary>Whether a serial is in the range.</summary>
    /// <param name="serial">The serial.</param>
    /// <returns>True when inside.</returns>
    public bool Contains(long serial) => serial >= FirstSerial && serial <= LastSerial;

    /// <summary>Whether two ranges share a serial.</summary>
    /// <param name="other">The other range.</param>
    /// <returns>True when they overlap.</returns>
    public bool Overlaps(CardRange other) => FirstSerial <= other.LastSerial && other.FirstSerial <= LastSerial;

    /// <summary>Whether another range has the same definition (id, kind, bounds); instants and taken counts aside.</summary>
    /// <param name="other">The other range.</param>
    /// <returns>True when the same definition.</returns>
    public bool SameDefinition(CardRange other) =>
        ProgramId == other.ProgramId && string.Equals(RangeId, other.RangeId, StringComparison.Ordinal) && Kind == other.Kind
        && FirstSerial == other.FirstSerial && LastSerial == other.LastSerial;
}

/// <summary>What a store did with a range import.</summary>
public enum CardRangeImportStatus
{
    /// <summary>The range was added.</summary>
    Added = 0,

    /// <summary>A range with the same id and definition was already there: nothing changed.</summary>
    Exists = 1,

    /// <summary>Refused: the range shares serials with <see cref="CardRangeImportResult.Existing"/>, or its id is taken by another definition.</summary>
    Overlaps = 2,
}

/// <summary>The outcome of a range import.</summary>
/// <param name="Status">What the store did.</param>
/// <param name="Existing">For <see cref="CardRangeImportStatus.Exists"/> and <see cref="CardRangeImportStatus.Overlaps"/>, the stored range in the way.</param>
public sealed record CardRangeImportResult(CardRangeImportStatus Status, CardRange? Existing = null);

/// <summary>What a store did with a card write.</summary>
public enum CardWriteStatus
{
    /// <summary>Written.</summary>
    Written = 0,

    /// <summary>Refused: another card has the number.</summary>
    NumberTaken = 1,

    /// <summary>Refused: the card changed since it was read (re-read and retry).</summary>
    VersionConflict = 2,
}
