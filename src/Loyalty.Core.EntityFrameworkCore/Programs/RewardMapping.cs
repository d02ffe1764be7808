using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using NodaTime.Text;

namespace Loyalty.Core.EntityFrameworkCore.Programs;

/// <summary>Converts between rewards, redemptions and their rows.</summary>
internal static class RewardMapping
{
    public static RewardRow ToRow(ProgramId programId, int position, RewardDefinition reward) => new()
    {
        ProgramId = programId.Value,
        RewardId = reward.Id.Value,
        Position = position,
        Name = reward.Name,
        Kind = (int)reward.Kind,
        Cost = reward.Cost.Value,
        AmountOff = reward.AmountOff?.Amount,
        Currency = (reward.AmountOff?.Currency ?? reward.PayWithPointsTerms?.RateWorth.Currency)?.Code,
        Percentage = reward.Percentage,
        GiftSku = reward.GiftSku,
        RatePoints = reward.PayWithPointsTerms?.RatePoints.Value,
        RateWorth = reward.PayWithPointsTerms?.RateWorth.Amount,
        MinimumPoints = reward.PayWithPointsTerms?.MinimumPoints.Value,
        MaximumShareOfOrder = reward.PayWithPointsTerms?.MaximumShareOfOrder,
        RequiredTier = reward.RequiredTier?.Value,
        Stock = reward.Stock,
        ValidFrom = LedgerMapping.Ticks(reward.ValidFrom),
        ValidUntil = LedgerMapping.Ticks(reward.ValidUntil),
        CostToShop = reward.CostToShop?.Amount,
        CostToShopCurrency = reward.CostToShop?.Currency.Code,
        CodeValidityDays = reward.CodeValidity?.Days,
        CodeValidThrough = reward.CodeValidity?.LastDay is { } last ? LocalDatePattern.Iso.Format(last) : null,
        CodeUses = reward.CodeUses,
        ReturnPointsOnExpiry = reward.ReturnPointsOnExpiry,
    };

    public static RewardDefinition ToReward(RewardRow row)
    {
        var id = RewardId.From(row.RewardId);
        var cost = Points.FromInt64(row.Cost);
        var reward = (RewardKind)row.Kind switch
        {
            RewardKind.AmountOffVoucher => RewardDefinition.AmountOffVoucher(id, row.Name, cost, Money.FromDecimal(Required(row.AmountOff, row), Currency.FromCode(Required(row.Currency, row)))),
            RewardKind.PercentageDiscount => RewardDefinition.PercentageDiscount(id, row.Name, cost, Normalize(Required(row.Percentage, row))),
            RewardKind.FreeShipping => RewardDefinition.FreeShipping(id, row.Name, cost),
            RewardKind.GiftProduct => RewardDefinition.GiftProduct(id, row.Name, cost, Required(row.GiftSku, row)),
            RewardKind.PayWithPoints => RewardDefinition.PayWithPoints(id, row.Name, PayWithPointsTerms.Create(
                Points.FromInt64(Required(row.RatePoints, row)),
                Money.FromDecimal(Required(row.RateWorth, row), Currency.FromCode(Required(row.Currency, row))),
                Points.FromInt64(Required(row.MinimumPoints, row)),
                Normalize(Required(row.MaximumShareOfOrder, row)))),
            _ => throw Corrupt(row, $"unknown kind {row.Kind}"),
        };
        if (row.RequiredTier is { } tier)
        {
            reward = reward.WithRequiredTier(TierId.From(tier));
        }

        if (row.Stock is { } stock)
        {
            reward = reward.WithStock(stock);
        }

        if (row.ValidFrom is not null || row.ValidUntil is not null)
        {
            reward = reward.WithValidity(LedgerMapping.Instant(row.ValidFrom), LedgerMapping.Instant(row.ValidUntil));
        }

        if (row.CostToShop is { } costToShop)
        {
            var given = Money.FromDecimal(Normalize(costToShop), Currency.FromCode(Required(row.CostToShopCurrency, row)));
            if (reward.CostToShop != given)
            {
                reward = reward.WithCostToShop(given);
            }
        }

        if (row.CodeValidityDays is not null || row.CodeValidThrough is not null || row.CodeUses != 1 || row.ReturnPointsOnExpiry)
        {
            var validity = row.CodeValidityDays is { } days ? RewardCodeValidity.DaysAfterIssue(days)
                : row.CodeValidThrough is { } through ? RewardCodeValidity.Through(LocalDatePattern.Iso.Parse(through).GetValueOrThrow())
                : null;
            reward = reward.WithCodeLifecycle(validity, row.CodeUses, row.ReturnPointsOnExpiry);
        }

        return reward;
    }

    public static RedemptionRow ToRow(RewardRedemption redemption) => new()
    {
        ProgramId = redemption.ProgramId.Value,
        RedemptionId = redemption.Id.Value,
        MemberId = redemption.MemberId.Value,
        RewardId = redemption.RewardId.Value,
        RewardName = redemption.RewardName,
        Kind = (int)redemption.Kind,
        Benefit = redemption.Benefit,
        PointsSpent = redemption.PointsSpent.Value,
        Code = redemption.Code,
        RedeemedAt = LedgerMapping.Ticks(redemption.RedeemedAt),
        LedgerTransactionId = redemption.LedgerTransactionId.Value,
        Status = (int)redemption.Status,
        CancelledAt = LedgerMapping.Ticks(redemption.CancelledAt),
    };

    public static RewardRedemption ToRecord(RedemptionRow row) => new()
    {
        ProgramId = ProgramId.From(row.ProgramId),
        Id = RedemptionId.From(row.RedemptionId),
        MemberId = MemberId.From(row.MemberId),
        RewardId = RewardId.From(row.RewardId),
        RewardName = row.RewardName,
        Kind = (RewardKind)row.Kind,
        Benefit = row.Benefit,
        PointsSpent = Points.FromInt64(row.PointsSpent),
        Code = row.Code,
        RedeemedAt = LedgerMapping.Instant(row.RedeemedAt),
        LedgerTransactionId = TransactionId.From(row.LedgerTransactionId),
        Status = (RedemptionStatus)row.Status,
        CancelledAt = LedgerMapping.Instant(row.CancelledAt),
    };

    /// <summary>The value without trailing zeros (SQLite keeps decimals as text and may add one, e.g. 10 read as 10.0).</summary>
    private static decimal Normalize(decimal value) => value / 1.0000000000000000000000000000m;

    private static T Required<T>(T? value, RewardRow row)
        where T : struct => value ?? throw Corrupt(row, $"a {typeof(T).Name} column is empty");

    private static string Required(string? value, RewardRow row) => value ?? throw Corrupt(row, "a text column is empty");

    private static InvalidOperationException Corrupt(RewardRow row, string what)
        => new($"The stored reward '{row.RewardId}' of programme '{row.ProgramId}' cannot be read: {what}. Save the catalogue again.");
}
