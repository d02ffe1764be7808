using Loyalty.Core.Configuration;
using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Cards;

/// <summary>
/// The programme's loyalty cards: import pre-printed ranges, link a card to a member at the till, issue
/// virtual cards (optionally at enrolment), find the member behind a scanned card, block and replace a lost
/// or stolen card, and give the barcode payload. A member may have several cards; the points, tier and
/// history are the member's, so a replacement keeps them.
/// </summary>
/// <remarks>
/// <para>Thread-safe when its stores are. Every card number from a till or an app goes through the
/// programme's <see cref="CardNumberScheme"/>: a mistyped digit comes back as
/// <see cref="CardErrorCode.InvalidCardNumber"/>, never as a look-up of another card.</para>
/// <para>A blocked card is refused with <see cref="CardErrorCode.CardBlocked"/> by every call once the
/// block is written; blocking and replacing are one atomic write, so of two tills replacing the same
/// card exactly one succeeds.</para>
/// </remarks>
public sealed class LoyaltyCards
{
    private const int MaxAttempts = 5;
    private readonly IClock clock;
    private readonly ProgramId programId;
    private readonly ICardStore cards;
    private readonly IMemberStore members;
    private readonly LoyaltyProgram? program;

    /// <summary>Creates the service (DI does this).</summary>
    /// <param name="clock">The clock the status history is timed with.</param>
    /// <param name="settings">The programme's settings.</param>
    /// <param name="scheme">The programme's card-number scheme.</param>
    /// <param name="cards">The card store.</param>
    /// <param name="members">The member store (a card is linked only to an enrolled member).</param>
    /// <param name="program">The programme, for <see cref="EnrolAsync"/>; null when enrolment goes elsewhere.</param>
    /// <param name="issueVirtualCardAtEnrolment">Whether <see cref="EnrolAsync"/> issues a virtual card.</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    public LoyaltyCards(IClock clock, ProgramSettings settings, CardNumberScheme scheme, ICardStore cards, IMemberStore members, LoyaltyProgram? program = null, bool issueVirtualCardAtEnrolment = false)
    {
        this.clock = Preconditions.CheckNotNull(clock);
        programId = Preconditions.CheckNotNull(settings).ProgramId;
        Scheme = Preconditions.CheckNotNull(scheme);
        this.cards = Preconditions.CheckNotNull(cards);
        this.members = Preconditions.CheckNotNull(members);
        this.program = program;
        IssueVirtualCardAtEnrolment = issueVirtualCardAtEnrolment;
    }

    /// <summary>The programme's card-number scheme.</summary>
    public CardNumberScheme Scheme { get; }

    /// <summary>Whether <see cref="EnrolAsync"/> issues a virtual card.</summary>
    public bool IssueVirtualCardAtEnrolment { get; }

    /// <summary>
    /// Imports a range of card numbers: pre-printed plastic cards (<see cref="CardKind.Physical"/>), or
    /// the numbers virtual cards are issued from (<see cref="CardKind.Virtual"/>). A range that shares a
    /// number with an imported one is refused; importing the same range again is a repeat.
    /// </summary>
    /// <param name="rangeId">The shop's name for the range (e.g. the print batch), 1 to 64 characters.</param>
    /// <param name="firstNumber">The first card number, inclusive, as printed.</param>
    /// <param name="lastNumber">The last card number, inclusive, as printed.</param>
    /// <param name="kind">Physical or virtual.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The range, or <see cref="CardErrorCode.RangeOverlaps"/>.</returns>
    /// <exception cref="ArgumentException">The id is empty or too long, a number is not one of the scheme's, or the last number is before the first.</exception>
    public async Task<CardResult<CardRange>> ImportRangeAsync(string rangeId, string firstNumber, string lastNumber, CardKind kind, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(rangeId) || rangeId.Length > CardRange.MaxIdLength || rangeId.Trim().Length != rangeId.Length)
        {
            throw new ArgumentException($"rangeId must be 1 to {CardRange.MaxIdLength} characters without leading or trailing spaces (was '{rangeId}'); name the print batch, e.g. \"2026-spring\".", nameof(rangeId));
        }

        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, $"kind must be one of {string.Join(", ", Enum.GetNames<CardKind>())} (was {(int)kind}).");
        }

        var first = Scheme.SerialOf(Scheme.Parse(firstNumber, nameof(firstNumber)));
        var last = Scheme.SerialOf(Scheme.Parse(lastNumber, nameof(lastNumber)));
        if (last < first)
        {
            throw new ArgumentException($"lastNumber {lastNumber} comes before firstNumber {firstNumber}; give the range's first card then its last.", nameof(lastNumber));
        }

        var range = new CardRange { ProgramId = programId, RangeId = rangeId, Kind = kind, FirstSerial = first, LastSerial = last, ImportedAt = clock.GetCurrentInstant() };
        var result = await cards.ImportRangeAsync(range, cancellationToken).ConfigureAwait(false);
        return result.Status switch
        {
            CardRangeImportStatus.Added => CardResult<CardRange>.Success(range),
            CardRangeImportStatus.Exists => CardResult<CardRange>.Success(result.Existing!, isRepeat: true),
            _ => CardResult<CardRange>.Failure(CardErrorCode.RangeOverlaps, OverlapMessage(range, result.Existing!)),
        };
    }

    /// <summary>Lists the imported ranges by first serial.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The ranges.</returns>
    public async Task<IReadOnlyList<CardRange>> ListRangesAsync(CancellationToken cancellationToken = default) =>
        await cards.ListRangesAsync(programId, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Links a pre-printed card to a member at the till. The number must be in an imported physical
    /// range and not linked yet; linking the same card to the same member again is a repeat.
    /// </summary>
    /// <param name="cardNumber">The number scanned or typed.</param>
    /// <param name="memberId">The enrolled member.</param>
    /// <param name="reason">Why, for the status history (e.g. "linked at till 4"); 1 to 200 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The card, or <see cref="CardErrorCode.InvalidCardNumber"/>, <see cref="CardErrorCode.CardNotInRange"/>, <see cref="CardErrorCode.CardAlreadyLinked"/>, <see cref="CardErrorCode.CardBlocked"/> or <see cref="CardErrorCode.MemberNotFound"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default or <paramref name="reason"/> is empty or too long.</exception>
    public async Task<CardResult<CardRecord>> LinkCardAsync(string cardNumber, MemberId memberId, string reason, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        CheckReason(reason);
        if (!Scheme.TryParse(cardNumber, out var number, out var error))
        {
            return CardResult<CardRecord>.Failure(CardErrorCode.InvalidCardNumber, error!);
        }

        if (await cards.FindCardAsync(programId, number, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return AlreadyThere(existing, memberId);
        }

        if (await PhysicalRangeOfAsync(number, cancellationToken).ConfigureAwait(false) is null)
        {
            return CardResult<CardRecord>.Failure(CardErrorCode.CardNotInRange, $"Card {number} is not in an imported range of pre-printed cards; import its print batch with ImportRangeAsync, or check the number.");
        }

        if (await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false) is null)
        {
            return CardResult<CardRecord>.Failure(CardErrorCode.MemberNotFound, $"Member '{memberId}' is not enrolled; enrol them before linking a card.");
        }

        var card = NewCard(number, memberId, CardKind.Physical, CardEvent.Linked, reason, default);
        if (await cards.AddCardAsync(card, cancellationToken).ConfigureAwait(false) == CardWriteStatus.Written)
        {
            return CardResult<CardRecord>.Success(card);
        }

        // Another till linked it meanwhile.
        var raced = await cards.FindCardAsync(programId, number, cancellationToken).ConfigureAwait(false);
        return AlreadyThere(raced!, memberId);
    }

    /// <summary>
    /// Issues a virtual card (for an app or a wallet) to a member, numbered from the next free serial of
    /// the imported virtual ranges. A member who already has an active virtual card gets it back (a repeat).
    /// </summary>
    /// <param name="memberId">The enrolled member.</param>
    /// <param name="reason">Why, for the status history (e.g. "enrolment"); 1 to 200 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The card, or <see cref="CardErrorCode.MemberNotFound"/> or <see cref="CardErrorCode.NoVirtualNumbersLeft"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default or <paramref name="reason"/> is empty or too long.</exception>
    public async Task<CardResult<CardRecord>> IssueVirtualCardAsync(MemberId memberId, string reason, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        CheckReason(reason);
        if (await members.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false) is null)
        {
            return CardResult<CardRecord>.Failure(CardErrorCode.MemberNotFound, $"Member '{memberId}' is not enrolled; enrol them before issuing a card.");
        }

        var owned = await cards.ListMemberCardsAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        if (owned.FirstOrDefault(c => c.Kind == CardKind.Virtual && c.Status == CardStatus.Active) is { } active)
        {
            return CardResult<CardRecord>.Success(active, isRepeat: true);
        }

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (await TakeVirtualNumberAsync(cancellationToken).ConfigureAwait(false) is not { } number)
            {
                return NoVirtualNumbers<CardRecord>();
            }

            var card = NewCard(number, memberId, CardKind.Virtual, CardEvent.Issued, reason, default);
            if (await cards.AddCardAsync(card, cancellationToken).ConfigureAwait(false) == CardWriteStatus.Written)
            {
                return CardResult<CardRecord>.Success(card);
            }
        }

        return NoVirtualNumbers<CardRecord>();
    }

    /// <summary>
    /// Enrols a member through the programme and, when <see cref="IssueVirtualCardAtEnrolment"/> is set,
    /// issues their virtual card. A repeat of the enrolment issues no second card.
    /// </summary>
    /// <param name="enrolment">The enrolment.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The enrolment's result, and the card (null when none is issued, the enrolment failed, or no virtual number is left — then <see cref="CardEnrolment.CardError"/> says why).</returns>
    /// <exception cref="InvalidOperationException">The service was built without the programme.</exception>
    public async Task<CardEnrolment> EnrolAsync(Enrolment enrolment, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(enrolment);
        if (program is null)
        {
            throw new InvalidOperationException("This card service was built without the programme; register it with AddCards() on the loyalty builder, or enrol through LoyaltyProgram.EnrolAsync and call IssueVirtualCardAsync.");
        }

        var enrolled = await program.EnrolAsync(enrolment, cancellationToken).ConfigureAwait(false);
        if (!enrolled.Succeeded || !IssueVirtualCardAtEnrolment)
        {
            return new CardEnrolment(enrolled, null, null);
        }

        var card = await IssueVirtualCardAsync(enrolment.MemberId, "enrolment", cancellationToken).ConfigureAwait(false);
        return new CardEnrolment(enrolled, card.Value, card.Succeeded ? null : card.ErrorMessage);
    }

    /// <summary>
    /// Finds the member behind a scanned or typed card number (the till or the app calls this). A
    /// blocked card is refused with its own code, and the message names no member.
    /// </summary>
    /// <param name="cardNumber">The scanned payload or typed number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The member and card, or <see cref="CardErrorCode.InvalidCardNumber"/>, <see cref="CardErrorCode.CardNotFound"/> or <see cref="CardErrorCode.CardBlocked"/>.</returns>
    public async ValueTask<CardResult<CardLookup>> FindMemberAsync(string cardNumber, CancellationToken cancellationToken = default)
    {
        if (!Scheme.TryParse(cardNumber, out var number, out var error))
        {
            return CardResult<CardLookup>.Failure(CardErrorCode.InvalidCardNumber, error!);
        }

        var card = await cards.FindCardAsync(programId, number, cancellationToken).ConfigureAwait(false);
        if (card is null)
        {
            return CardResult<CardLookup>.Failure(CardErrorCode.CardNotFound, $"No member has card {number}; link it to a member with LinkCardAsync, or check the number.");
        }

        return card.Status == CardStatus.Active
            ? CardResult<CardLookup>.Success(new CardLookup(card.MemberId, card))
            : CardResult<CardLookup>.Failure(CardErrorCode.CardBlocked, BlockedMessage(card));
    }

    /// <summary>Lists a member's cards (active and blocked), oldest first.</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The cards.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default.</exception>
    public async Task<IReadOnlyList<CardRecord>> ListCardsAsync(MemberId memberId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        return await cards.ListMemberCardsAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Blocks a card without replacing it (the member keeps their other cards). Blocking a blocked card is refused with <see cref="CardErrorCode.CardBlocked"/>.</summary>
    /// <param name="cardNumber">The card.</param>
    /// <param name="reason">Why (e.g. "stolen"); 1 to 200 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The blocked card, or <see cref="CardErrorCode.InvalidCardNumber"/>, <see cref="CardErrorCode.CardNotFound"/> or <see cref="CardErrorCode.CardBlocked"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is empty or too long.</exception>
    public async Task<CardResult<CardRecord>> BlockCardAsync(string cardNumber, string reason, CancellationToken cancellationToken = default)
    {
        CheckReason(reason);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var found = await ActiveCardAsync<CardRecord>(cardNumber, cancellationToken).ConfigureAwait(false);
            if (found.Failure is { } failure)
            {
                return failure;
            }

            var card = found.Card!;
            var blocked = card with { Status = CardStatus.Blocked, Version = card.Version + 1, History = [.. card.History, new CardStatusChange(CardEvent.Blocked, clock.GetCurrentInstant(), reason)] };
            if (await cards.UpdateCardAsync(blocked, card.Version, cancellationToken).ConfigureAwait(false) == CardWriteStatus.Written)
            {
                return CardResult<CardRecord>.Success(blocked);
            }
        }

        throw Busy(cardNumber);
    }

    /// <summary>
    /// Replaces a lost or stolen card: blocks it and gives the member a new one in the same atomic write —
    /// a pre-printed card handed over at the till, or (with no number) a new virtual card. The balance,
    /// tier and history are the member's and stay. Any later use of the old card is refused with
    /// <see cref="CardErrorCode.CardBlocked"/>; of racing replacements of one card exactly one succeeds.
    /// </summary>
    /// <param name="oldCardNumber">The card to replace.</param>
    /// <param name="newCardNumber">A pre-printed card from an imported range, or null for a virtual card.</param>
    /// <param name="reason">Why (e.g. "lost", "stolen"); 1 to 200 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The blocked and the new card, or <see cref="CardErrorCode.InvalidCardNumber"/>, <see cref="CardErrorCode.CardNotFound"/>, <see cref="CardErrorCode.CardBlocked"/>, <see cref="CardErrorCode.CardNotInRange"/>, <see cref="CardErrorCode.CardAlreadyLinked"/> or <see cref="CardErrorCode.NoVirtualNumbersLeft"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is empty or too long.</exception>
    public async Task<CardResult<CardReplacement>> ReplaceCardAsync(string oldCardNumber, string? newCardNumber, string reason, CancellationToken cancellationToken = default)
    {
        CheckReason(reason);
        CardNumber? physical = null;
        if (newCardNumber is not null)
        {
            if (!Scheme.TryParse(newCardNumber, out var parsed, out var error))
            {
                return CardResult<CardReplacement>.Failure(CardErrorCode.InvalidCardNumber, error!);
            }

            physical = parsed;
        }

        var found = await ActiveCardAsync<CardReplacement>(oldCardNumber, cancellationToken).ConfigureAwait(false);
        if (found.Failure is { } failure)
        {
            return failure;
        }

        if (physical is { } wanted)
        {
            if (await cards.FindCardAsync(programId, wanted, cancellationToken).ConfigureAwait(false) is not null)
            {
                return CardResult<CardReplacement>.Failure(CardErrorCode.CardAlreadyLinked, $"Card {wanted} is already in use; hand over another pre-printed card.");
            }

            if (await PhysicalRangeOfAsync(wanted, cancellationToken).ConfigureAwait(false) is null)
            {
                return CardResult<CardReplacement>.Failure(CardErrorCode.CardNotInRange, $"Card {wanted} is not in an imported range of pre-printed cards; import its print batch with ImportRangeAsync, or check the number.");
            }
        }

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var old = found.Card!;
            CardNumber number;
            if (physical is { } given)
            {
                number = given;
            }
            else if (await TakeVirtualNumberAsync(cancellationToken).ConfigureAwait(false) is { } taken)
            {
                number = taken;
            }
            else
            {
                return NoVirtualNumbers<CardReplacement>();
            }

            var now = clock.GetCurrentInstant();
            var blocked = old with { Status = CardStatus.Blocked, Version = old.Version + 1, History = [.. old.History, new CardStatusChange(CardEvent.Replaced, now, reason, number)] };
            var replacement = NewCard(number, old.MemberId, physical is null ? CardKind.Virtual : CardKind.Physical, physical is null ? CardEvent.Issued : CardEvent.Linked, reason, old.Number, now);
            switch (await cards.ReplaceCardAsync(blocked, old.Version, replacement, cancellationToken).ConfigureAwait(false))
            {
                case CardWriteStatus.Written:
                    return CardResult<CardReplacement>.Success(new CardReplacement(blocked, replacement));
                case CardWriteStatus.NumberTaken when physical is not null:
                    return CardResult<CardReplacement>.Failure(CardErrorCode.CardAlreadyLinked, $"Card {number} is already in use; hand over another pre-printed card.");
                case CardWriteStatus.NumberTaken:
                    continue;
                default:
                    // Another block or replacement won: answer from what it wrote.
                    found = await ActiveCardAsync<CardReplacement>(oldCardNumber, cancellationToken).ConfigureAwait(false);
                    if (found.Failure is { } lost)
                    {
                        return lost;
                    }

                    break;
            }
        }

        throw Busy(oldCardNumber);
    }

    /// <summary>The barcode to print on a card or show in an app: EAN-13 or Code 128 with the number's digits.</summary>
    /// <param name="cardNumber">The card number.</param>
    /// <returns>The symbology and payload.</returns>
    /// <exception cref="ArgumentException"><paramref name="cardNumber"/> is not one of the scheme's numbers.</exception>
    public CardBarcode GetBarcode(string cardNumber) => Scheme.Barcode(Scheme.Parse(cardNumber, nameof(cardNumber)));

    /// <summary>The QR code to show in an app or a wallet: its payload is the number's digits, which a scan gives back to <see cref="FindMemberAsync"/>.</summary>
    /// <param name="cardNumber">The card number.</param>
    /// <returns>The symbology (<see cref="CardSymbology.QrCode"/>) and payload.</returns>
    /// <exception cref="ArgumentException"><paramref name="cardNumber"/> is not one of the scheme's numbers.</exception>
    public CardBarcode GetQrCode(string cardNumber) => new(CardSymbology.QrCode, Scheme.Parse(cardNumber, nameof(cardNumber)).Value);

    /// <summary>Data rights: every card of a member with its status history (card numbers are personal data).</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The cards.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default.</exception>
    public async Task<IReadOnlyList<CardRecord>> ExportMemberAsync(MemberId memberId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        return await cards.ExportMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Data rights: erases a member's cards (see <see cref="ICardStore.EraseMemberAsync"/>); the numbers stay blocked.</summary>
    /// <param name="memberId">The member.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The number of cards erased.</returns>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is default.</exception>
    public async Task<int> EraseMemberAsync(MemberId memberId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        return await cards.EraseMemberAsync(programId, memberId, clock.GetCurrentInstant(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<(CardRecord? Card, CardResult<T>? Failure)> ActiveCardAsync<T>(string cardNumber, CancellationToken cancellationToken)
    {
        if (!Scheme.TryParse(cardNumber, out var number, out var error))
        {
            return (null, CardResult<T>.Failure(CardErrorCode.InvalidCardNumber, error!));
        }

        var card = await cards.FindCardAsync(programId, number, cancellationToken).ConfigureAwait(false);
        if (card is null)
        {
            return (null, CardResult<T>.Failure(CardErrorCode.CardNotFound, $"No member has card {number}; check the number."));
        }

        return card.Status == CardStatus.Active ? (card, null) : (null, CardResult<T>.Failure(CardErrorCode.CardBlocked, BlockedMessage(card)));
    }

    private async Task<CardRange?> PhysicalRangeOfAsync(CardNumber number, CancellationToken cancellationToken)
    {
        var serial = Scheme.SerialOf(number);
        var ranges = await cards.ListRangesAsync(programId, cancellationToken).ConfigureAwait(false);
        return ranges.FirstOrDefault(r => r.Kind == CardKind.Physical && r.Contains(serial));
    }

    private async Task<CardNumber?> TakeVirtualNumberAsync(CancellationToken cancellationToken)
    {
        var ranges = await cards.ListRangesAsync(programId, cancellationToken).ConfigureAwait(false);
        foreach (var range in ranges)
        {
            if (range.Kind == CardKind.Virtual && range.Taken < range.Count
                && await cards.TakeNextSerialAsync(programId, range.RangeId, cancellationToken).ConfigureAwait(false) is { } serial)
            {
                return Scheme.FromSerial(serial);
            }
        }

        return null;
    }

    private CardRecord NewCard(CardNumber number, MemberId memberId, CardKind kind, CardEvent how, string reason, CardNumber replaces, Instant? at = null) => new()
    {
        ProgramId = programId,
        Number = number,
        MemberId = memberId,
        Kind = kind,
        Status = CardStatus.Active,
        Version = 1,
        History = [new CardStatusChange(how, at ?? clock.GetCurrentInstant(), reason, replaces)],
    };

    private static CardResult<CardRecord> AlreadyThere(CardRecord existing, MemberId memberId)
    {
        if (existing.Status == CardStatus.Blocked)
        {
            return CardResult<CardRecord>.Failure(CardErrorCode.CardBlocked, BlockedMessage(existing));
        }

        return existing.MemberId == memberId && existing.Kind == CardKind.Physical
            ? CardResult<CardRecord>.Success(existing, isRepeat: true)
            : CardResult<CardRecord>.Failure(CardErrorCode.CardAlreadyLinked, $"Card {existing.Number} is already linked to another member; hand over another pre-printed card.");
    }

    private static string BlockedMessage(CardRecord card)
    {
        var last = card.History[^1];
        var replaced = last.Event == CardEvent.Replaced ? $"; it was replaced by card {last.Related}" : string.Empty;
        return $"Card {card.Number} was blocked on {last.At} ({last.Reason}){replaced}; it can no longer be used, ask the member for their current card.";
    }

    private static string OverlapMessage(CardRange range, CardRange existing) =>
        string.Equals(range.RangeId, existing.RangeId, StringComparison.Ordinal)
            ? $"Range '{range.RangeId}' was imported before with other numbers (serials {existing.FirstSerial} to {existing.LastSerial}); give the new range another id."
            : $"Range '{range.RangeId}' (serials {range.FirstSerial} to {range.LastSerial}) overlaps range '{existing.RangeId}' (serials {existing.FirstSerial} to {existing.LastSerial}); every card number belongs to one range, check the print batch's first and last numbers.";

    private static CardResult<T> NoVirtualNumbers<T>() =>
        CardResult<T>.Failure(CardErrorCode.NoVirtualNumbersLeft, "No virtual card number is left; import a range of kind Virtual with ImportRangeAsync.");

    private static LoyaltyStoreException Busy(string cardNumber) =>
        new($"Card {cardNumber} could not be updated after {MaxAttempts} attempts because of concurrent updates; retry the call.", isTransient: true);

    private static void CheckReason(string reason)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Length > CardRecord.MaxReasonLength)
        {
            throw new ArgumentException($"reason must be 1 to {CardRecord.MaxReasonLength} characters (was '{reason}'); say why, e.g. \"lost\" or \"linked at till 4\".", nameof(reason));
        }
    }
}

/// <summary>The member behind a scanned card.</summary>
/// <param name="MemberId">The member.</param>
/// <param name="Card">The card.</param>
public sealed record CardLookup(MemberId MemberId, CardRecord Card);

/// <summary>A replaced card and its replacement.</summary>
/// <param name="Blocked">The old card, now blocked.</param>
/// <param name="Replacement">The new card.</param>
public sealed record CardReplacement(CardRecord Blocked, CardRecord Replacement);

/// <summary>The outcome of <see cref="LoyaltyCards.EnrolAsync"/>.</summary>
/// <param name="Enrolment">The programme's enrolment result.</param>
/// <param name="Card">The virtual card issued, or null.</param>
/// <param name="CardError">Why no card was issued although the programme issues one at enrolment (no virtual number left), or null.</param>
public sealed record CardEnrolment(LoyaltyResult<MemberProfile> Enrolment, CardRecord? Card, string? CardError);
