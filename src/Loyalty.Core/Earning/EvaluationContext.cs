using NodaTime;

namespace Loyalty.Core.Earning;

/// <summary>What conditions and rules read during one evaluation; computed once per evaluation.</summary>
internal readonly struct EvaluationContext
{
    public EvaluationContext(EarningOrder? order, ActivityInput? activity, MemberContext member, LocalDateTime local)
    {
        Order = order;
        Activity = activity;
        Member = member;
        Local = local;
        if (order is not null)
        {
            MerchandiseSubtotal = order.MerchandiseSubtotal;
            var total = order.NetSubtotal + order.Shipping + order.Tax;
            PaidInMoneyFactor = order.PaidWithPoints == 0m ? 1m : total == 0m ? 0m : (total - order.PaidWithPoints) / total;
        }
        else
        {
            MerchandiseSubtotal = 0m;
            PaidInMoneyFactor = 0m;
        }
    }

    public EarningOrder? Order { get; }

    public ActivityInput? Activity { get; }

    public MemberContext Member { get; }

    public LocalDateTime Local { get; }

    /// <summary>Σ line net amounts, gift cards excluded.</summary>
    public decimal MerchandiseSubtotal { get; }

    /// <summary>The share of the order paid in money rather than points: (total − paid with points) / total.</summary>
    public decimal PaidInMoneyFactor { get; }
}
