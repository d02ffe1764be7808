namespace Loyalty.Core.Analytics;

/// <summary>Which purchase model a <see cref="LifetimeValueAnalysis"/> fits.</summary>
public enum PurchaseModelKind
{
    /// <summary>BG/NBD (<see cref="BgNbdModel"/>): fast to fit, the usual choice.</summary>
    BgNbd = 0,

    /// <summary>Pareto/NBD (<see cref="ParetoNbdModel"/>): drop-out at any time rather than only just after a purchase.</summary>
    ParetoNbd = 1,
}
