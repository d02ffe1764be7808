using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Coalition;

/// <summary>Where a partner stands in the coalition.</summary>
public enum PartnerStatus
{
    /// <summary>Taking part: its orders, activities and redemptions are recorded.</summary>
    Active = 1,

    /// <summary>Paused by the operator: nothing new is recorded for it; its history is settled as usual.</summary>
    Suspended = 2,

    /// <summary>Left the coalition on <see cref="Partner.LeftOn"/>: nothing dated on or after that day is recorded for it.</summary>
    Left = 3,
}

/// <summary>
/// A merchant of a coalition programme: a shop whose customers earn and spend the programme's one
/// points currency, billed by the operator for the points it issues and paid back for the points
/// spent with it.
/// </summary>
/// <remarks>Immutable. Dates are local dates in the programme's time zone.</remarks>
public sealed record Partner
{
    /// <summary>The merchant's id, as recorded on orders (<c>EarningOrder.Store</c>), activities and ledger transactions.</summary>
    public required MerchantId Id { get; init; }

    /// <summary>The name printed on statements.</summary>
    public required string Name { get; init; }

    /// <summary>The currency the partner is billed and reimbursed in (its agreements' currency).</summary>
    public required Currency Currency { get; init; }

    /// <summary>Whether the partner takes part.</summary>
    public PartnerStatus Status { get; init; } = PartnerStatus.Active;

    /// <summary>The first day it takes part.</summary>
    public required LocalDate JoinedOn { get; init; }

    /// <summary>The day it left (exclusive: nothing dated that day or later is recorded for it), or null while it takes part.</summary>
    public LocalDate? LeftOn { get; init; }

    /// <summary>The stored version (0 before the partner is registered); the store compares it on update.</summary>
    public long Version { get; init; }

    /// <summary>The longest name accepted.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Whether the partner may record something dated <paramref name="date"/>.</summary>
    /// <param name="date">The local date in the programme's time zone.</param>
    /// <returns>True when active and the date is within its membership.</returns>
    public bool IsActiveOn(LocalDate date) =>
        Status != PartnerStatus.Suspended && date >= JoinedOn && (LeftOn is not { } left || date < left);

    /// <summary>Checks the partner's fields.</summary>
    /// <param name="paramName">The argument name to report.</param>
    /// <exception cref="ArgumentException">A field is invalid; the message names it and says how to fix it.</exception>
    public void Validate(string paramName)
    {
        if (Id.IsDefault)
        {
            throw new ArgumentException("Partner.Id must be a merchant id, not default(MerchantId).", paramName);
        }

        if (string.IsNullOrWhiteSpace(Name) || Name.Length > MaxNameLength)
        {
            throw new ArgumentException($"Partner '{Id}': Name must be 1 to {MaxNameLength} characters (was {(Name is null ? "null" : Name.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + " characters")}).", paramName);
        }

        if (Currency.IsDefault)
        {
            throw new ArgumentException($"Partner '{Id}': Currency must be set, e.g. Currency.EUR.", paramName);
        }

        if (!Enum.IsDefined(Status))
        {
            throw new ArgumentException($"Partner '{Id}': Status must be Active, Suspended or Left (was {(int)Status}).", paramName);
        }

        if (LeftOn is { } left && left <= JoinedOn)
        {
            throw new ArgumentException($"Partner '{Id}': LeftOn ({left:yyyy-MM-dd}) must be after JoinedOn ({JoinedOn:yyyy-MM-dd}).", paramName);
        }

        if (Status == PartnerStatus.Left && LeftOn is null)
        {
            throw new ArgumentException($"Partner '{Id}': a partner with Status Left needs LeftOn, the day it left.", paramName);
        }
    }
}
