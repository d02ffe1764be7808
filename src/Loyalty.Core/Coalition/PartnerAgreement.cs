using System.Globalization;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Coalition;

/// <summary>How a partner pays for the points its customers earn.</summary>
public enum IssuanceBilling
{
    /// <summary>Billed per point issued, at <see cref="PartnerAgreement.IssuancePricePerPoint"/> times <see cref="PartnerAgreement.BillingPercentage"/>.</summary>
    PerPoint = 1,

    /// <summary>The partner buys blocks of points in advance (<see cref="PrepaidPointBlock"/>); an earn draws on its oldest unexpired block and is refused when none is left.</summary>
    Prepaid = 2,
}

/// <summary>
/// One version of the agreement between the operator and a partner: what the partner pays per
/// point issued (or that it prepays blocks), and what the operator pays it back per point spent in
/// its shop. Versions are effective-dated in the programme's time zone and never overlap.
/// </summary>
/// <remarks>Immutable. Prices are in <see cref="Currency"/>, per point, with up to 8 decimals.</remarks>
public sealed record PartnerAgreement
{
    /// <summary>The partner.</summary>
    public required MerchantId Merchant { get; init; }

    /// <summary>The version, 1 or more, unique per partner.</summary>
    public required int Version { get; init; }

    /// <summary>The first day the version is in force (from the start of that day in the programme's zone).</summary>
    public required LocalDate EffectiveFrom { get; init; }

    /// <summary>The day it stops being in force (exclusive), or null for open-ended.</summary>
    public LocalDate? EffectiveUntil { get; init; }

    /// <summary>The currency of every amount; the partner's currency.</summary>
    public required Currency Currency { get; init; }

    /// <summary>How issuance is paid for.</summary>
    public IssuanceBilling Billing { get; init; } = IssuanceBilling.PerPoint;

    /// <summary>What the partner pays per point its customers earn (list price), 0 or more. Ignored for <see cref="IssuanceBilling.Prepaid"/>.</summary>
    public decimal IssuancePricePerPoint { get; init; }

    /// <summary>The share of the list price actually billed, in percent: more than 0, at most 100 (e.g. 90 for "billed at 90 %").</summary>
    public decimal BillingPercentage { get; init; } = 100m;

    /// <summary>What the operator pays the partner per point spent in its shop, 0 or more.</summary>
    public decimal RedemptionReimbursementPerPoint { get; init; }

    /// <summary>The most decimals a price may have.</summary>
    public const int MaxPriceDecimals = 8;

    /// <summary>Whether the version is in force on <paramref name="date"/>.</summary>
    /// <param name="date">A local date in the programme's time zone.</param>
    /// <returns>True when in force.</returns>
    public bool IsInForceOn(LocalDate date) => date >= EffectiveFrom && (EffectiveUntil is not { } until || date < until);

    /// <summary>Whether this version's days overlap <paramref name="other"/>'s.</summary>
    /// <param name="other">Another version.</param>
    /// <returns>True when some day is in both.</returns>
    public bool Overlaps(PartnerAgreement other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return (other.EffectiveUntil is not { } otherUntil || EffectiveFrom < otherUntil)
            && (EffectiveUntil is not { } until || other.EffectiveFrom < until);
    }

    /// <summary>The amount billed for <paramref name="points"/> issued under this version, rounded to the currency's minor units (half away from zero).</summary>
    /// <param name="points">The points, may be negative (a reversal).</param>
    /// <returns>The amount; 0 under <see cref="IssuanceBilling.Prepaid"/>.</returns>
    public decimal IssuanceAmount(long points) => Billing == IssuanceBilling.Prepaid
        ? 0m
        : Round(points * IssuancePricePerPoint * BillingPercentage / 100m);

    /// <summary>The amount reimbursed for <paramref name="points"/> spent under this version, rounded to the currency's minor units (half away from zero).</summary>
    /// <param name="points">The points, may be negative (a reversed redemption).</param>
    /// <returns>The amount.</returns>
    public decimal ReimbursementAmount(long points) => Round(points * RedemptionReimbursementPerPoint);

    private decimal Round(decimal amount) => Math.Round(amount, Currency.MinorUnits, MidpointRounding.AwayFromZero);

    /// <summary>Checks the version's fields.</summary>
    /// <param name="paramName">The argument name to report.</param>
    /// <exception cref="ArgumentException">A field is invalid; the message names it and says how to fix it.</exception>
    public void Validate(string paramName)
    {
        var who = $"Agreement version {Version.ToString(CultureInfo.InvariantCulture)} of partner '{Merchant}'";
        if (Merchant.IsDefault)
        {
            throw new ArgumentException("PartnerAgreement.Merchant must be a merchant id, not default(MerchantId).", paramName);
        }

        if (Version < 1)
        {
            throw new ArgumentException($"{who}: Version must be 1 or more.", paramName);
        }

        if (EffectiveUntil is { } until && until <= EffectiveFrom)
        {
            throw new ArgumentException($"{who}: EffectiveUntil ({until:yyyy-MM-dd}) must be after EffectiveFrom ({EffectiveFrom:yyyy-MM-dd}).", paramName);
        }

        if (Currency.IsDefault)
        {
            throw new ArgumentException($"{who}: Currency must be set, e.g. Currency.EUR.", paramName);
        }

        if (!Enum.IsDefined(Billing))
        {
            throw new ArgumentException($"{who}: Billing must be PerPoint or Prepaid (was {(int)Billing}).", paramName);
        }

        CheckPrice(IssuancePricePerPoint, nameof(IssuancePricePerPoint));
        CheckPrice(RedemptionReimbursementPerPoint, nameof(RedemptionReimbursementPerPoint));
        if (BillingPercentage <= 0m || BillingPercentage > 100m)
        {
            throw new ArgumentException($"{who}: BillingPercentage must be more than 0 and at most 100 (was {BillingPercentage.ToString(CultureInfo.InvariantCulture)}).", paramName);
        }

        void CheckPrice(decimal price, string name)
        {
            if (price < 0m)
            {
                throw new ArgumentException($"{who}: {name} must be 0 or more (was {price.ToString(CultureInfo.InvariantCulture)}); a price is what one side pays the other per point.", paramName);
            }

            if (price.Scale > MaxPriceDecimals && price != Math.Round(price, MaxPriceDecimals))
            {
                throw new ArgumentException($"{who}: {name} has more than {MaxPriceDecimals} decimals (was {price.ToString(CultureInfo.InvariantCulture)}).", paramName);
            }
        }
    }
}

/// <summary>
/// A block of points a partner bought in advance under a <see cref="IssuanceBilling.Prepaid"/>
/// agreement. Earns at the partner draw on its oldest unexpired block first; a reserve block is
/// drawn only when no ordinary block is left.
/// </summary>
/// <remarks>Immutable.</remarks>
public sealed record PrepaidPointBlock
{
    /// <summary>The partner.</summary>
    public required MerchantId Merchant { get; init; }

    /// <summary>The block's id, unique per partner (e.g. the purchase order's number).</summary>
    public required string BlockId { get; init; }

    /// <summary>The points bought, more than 0.</summary>
    public required long Points { get; init; }

    /// <summary>What the partner paid per point, 0 or more, in <see cref="Currency"/>.</summary>
    public required decimal PricePerPoint { get; init; }

    /// <summary>The currency of the price (the partner's).</summary>
    public required Currency Currency { get; init; }

    /// <summary>When the block was bought: it is billed in the settlement period of that instant, and drawn from then on.</summary>
    public required Instant PurchasedAt { get; init; }

    /// <summary>When its undrawn points can no longer be drawn (exclusive), or null.</summary>
    public Instant? ExpiresAt { get; init; }

    /// <summary>True for a reserve block, drawn only when no ordinary block is left.</summary>
    public bool IsReserve { get; init; }

    /// <summary>The longest block id accepted.</summary>
    public const int MaxBlockIdLength = 128;

    /// <summary>The amount billed for the block, rounded to the currency's minor units (half away from zero).</summary>
    public decimal Amount => Math.Round(Points * PricePerPoint, Currency.MinorUnits, MidpointRounding.AwayFromZero);

    /// <summary>Checks the block's fields.</summary>
    /// <param name="paramName">The argument name to report.</param>
    /// <exception cref="ArgumentException">A field is invalid; the message names it and says how to fix it.</exception>
    public void Validate(string paramName)
    {
        if (Merchant.IsDefault)
        {
            throw new ArgumentException("PrepaidPointBlock.Merchant must be a merchant id, not default(MerchantId).", paramName);
        }

        if (string.IsNullOrWhiteSpace(BlockId) || BlockId.Length > MaxBlockIdLength)
        {
            throw new ArgumentException($"Prepaid block of partner '{Merchant}': BlockId must be 1 to {MaxBlockIdLength} characters.", paramName);
        }

        if (Points <= 0)
        {
            throw new ArgumentException($"Prepaid block '{BlockId}' of partner '{Merchant}': Points must be more than 0 (was {Points.ToString(CultureInfo.InvariantCulture)}).", paramName);
        }

        if (PricePerPoint < 0m)
        {
            throw new ArgumentException($"Prepaid block '{BlockId}' of partner '{Merchant}': PricePerPoint must be 0 or more (was {PricePerPoint.ToString(CultureInfo.InvariantCulture)}).", paramName);
        }

        if (Currency.IsDefault)
        {
            throw new ArgumentException($"Prepaid block '{BlockId}' of partner '{Merchant}': Currency must be set, e.g. Currency.EUR.", paramName);
        }

        if (ExpiresAt is { } expires && expires <= PurchasedAt)
        {
            throw new ArgumentException($"Prepaid block '{BlockId}' of partner '{Merchant}': ExpiresAt ({expires}) must be after PurchasedAt ({PurchasedAt}).", paramName);
        }
    }
}

/// <summary>The points one earn drew from one prepaid block.</summary>
/// <param name="BlockId">The block.</param>
/// <param name="Points">The points drawn from it.</param>
public readonly record struct PrepaidDrawPart(string BlockId, long Points);

/// <summary>What an earn drew from a partner's prepaid blocks, keyed by the earn's ledger transaction.</summary>
/// <param name="Merchant">The partner.</param>
/// <param name="Key">The earn's ledger transaction id.</param>
/// <param name="Parts">The blocks drawn, oldest first.</param>
public sealed record PrepaidDraw(MerchantId Merchant, TransactionId Key, IReadOnlyList<PrepaidDrawPart> Parts)
{
    /// <summary>The points drawn in all.</summary>
    public long Points => Parts.Sum(p => p.Points);
}

/// <summary>What is left of a partner's prepaid blocks at an instant.</summary>
/// <param name="Bought">Points bought in blocks purchased by then.</param>
/// <param name="Drawn">Points drawn by earns.</param>
/// <param name="Available">Points still drawable (ordinary and reserve, unexpired).</param>
/// <param name="ReserveAvailable">The part of <paramref name="Available"/> in reserve blocks.</param>
public readonly record struct PrepaidBalance(long Bought, long Drawn, long Available, long ReserveAvailable);
