using System.Globalization;
using Loyalty.Core.Coalition;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.DependencyInjection;

namespace Loyalty.Core.Programs;

/// <summary>
/// How much an order, refund or activity at each merchant counts towards tier qualification
/// (<see cref="SettlementOptions.QualificationWeights"/>): spend and points are multiplied by the
/// merchant's weight (points rounded half away from zero), order counts are not. A merchant with no
/// weight, and the programme's own shop, count at 1. One instance per programme; the weights are set
/// once when the programme is built.
/// </summary>
internal sealed class QualificationWeights
{
    /// <summary>The largest weight accepted.</summary>
    public const decimal MaxWeight = 10m;

    private IReadOnlyDictionary<MerchantId, decimal> weights = new Dictionary<MerchantId, decimal>();

    /// <summary>Whether every merchant counts at 1.</summary>
    public bool IsUniform => weights.Count == 0;

    /// <summary>The weights the coalition's options give (none without a coalition).</summary>
    public static IReadOnlyDictionary<MerchantId, decimal>? Configured(IServiceProvider services) =>
        services.GetService<QualificationWeightSource>()?.Read() is { Count: > 0 } w ? Validate(w, "SettlementOptions.QualificationWeights") : null;

    /// <summary>Checks every weight is 0 to <see cref="MaxWeight"/> and returns a copy.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A weight is out of range, or a key is default.</exception>
    public static IReadOnlyDictionary<MerchantId, decimal> Validate(IEnumerable<KeyValuePair<MerchantId, decimal>> weights, string paramName)
    {
        var copy = new Dictionary<MerchantId, decimal>();
        foreach (var (merchant, weight) in weights)
        {
            if (merchant.IsDefault)
            {
                throw new ArgumentOutOfRangeException(paramName, "A qualification weight is keyed by default(MerchantId); key each weight by a partner's id.");
            }

            if (weight < 0m || weight > MaxWeight)
            {
                throw new ArgumentOutOfRangeException(paramName, weight, $"The qualification weight of merchant '{merchant}' must be 0 to {MaxWeight.ToString(CultureInfo.InvariantCulture)} (was {weight.ToString(CultureInfo.InvariantCulture)}); 0.5 counts its orders at 50 %, 1 at full value.");
            }

            copy[merchant] = weight;
        }

        return copy;
    }

    /// <summary>Sets the weights (validated).</summary>
    public void Set(IReadOnlyDictionary<MerchantId, decimal> validated) => weights = validated;

    /// <summary>The weight of a merchant (1 when none is set, and for the programme's own shop).</summary>
    public decimal Of(MerchantId? merchant) => merchant is { } m && weights.TryGetValue(m, out var w) ? w : 1m;

    /// <summary>The qualification entry of an order.</summary>
    public QualificationEntry Order(OrderRecord order, Currency currency)
    {
        var w = Of(order.Order.Store);
        return QualificationEntry.FromOrder(order.Order.PlacedAt, Money.FromDecimal(order.Order.NetSubtotal * w, currency), Weigh(order.Earning.Total, w));
    }

    /// <summary>The qualification entry of a refund of an order placed at <paramref name="merchant"/>.</summary>
    public QualificationEntry Refund(RefundRecord refund, MerchantId? merchant)
    {
        var w = Of(merchant);
        var amount = w == 1m ? refund.Amount : Money.FromDecimal(refund.Amount.Amount * w, refund.Amount.Currency);
        return QualificationEntry.FromRefund(refund.RefundedAt, amount, Weigh(refund.Result.Total, w), refund.Result.IsFullRefund);
    }

    /// <summary>The qualification entry of an activity, or null when it earned nothing.</summary>
    public QualificationEntry? Activity(ActivityRecord activity) =>
        activity.Earning.Total.IsPositive
            ? QualificationEntry.FromPoints(activity.Activity.OccurredAt, Weigh(activity.Earning.Total, Of(activity.Activity.Merchant)), EarnKind.Activity)
            : null;

    /// <summary>The merchant of every order of a history, for its refunds.</summary>
    public Func<OrderId, MerchantId?> MerchantsOf(MemberHistory history)
    {
        // The map and its lambda are built in a method of their own: a closure's captured variables are
        // allocated on entry to their scope, so the uniform case (the usual one) would pay for them too.
        return IsUniform ? static _ => null : ByOrder(history);

        static Func<OrderId, MerchantId?> ByOrder(MemberHistory history)
        {
            var map = new Dictionary<OrderId, MerchantId?>(history.Orders.Count);
            foreach (var order in history.Orders)
            {
                map[order.OrderId] = order.Order.Store;
            }

            return id => map.TryGetValue(id, out var m) ? m : null;
        }
    }

    private static Points Weigh(Points points, decimal weight) =>
        weight == 1m ? points : Points.FromInt64((long)decimal.Round(points.Value * weight, 0, MidpointRounding.AwayFromZero));
}

/// <summary>
/// Where the programme reads the per-merchant qualification weights from: registered by the coalition
/// (<see cref="SettlementOptions.QualificationWeights"/>), so the programme itself never depends on the coalition.
/// </summary>
/// <param name="read">Reads the configured weights.</param>
internal sealed class QualificationWeightSource(Func<ICollection<KeyValuePair<MerchantId, decimal>>> read)
{
    /// <summary>Reads the configured weights.</summary>
    /// <returns>The weights by merchant.</returns>
    public ICollection<KeyValuePair<MerchantId, decimal>> Read() => read();
}
