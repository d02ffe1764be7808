using NodaTime;

namespace Loyalty.Core.Segmentation;

/// <summary>
/// The churn of one month with a horizon of N months (<see cref="RetentionReport.ChurnHorizonMonths"/>):
/// of the customers who bought in the N months before this one, how many have now gone N months
/// without a purchase. With N = 1: of the customers who bought in the previous month, how many did not buy in this one.
/// </summary>
/// <remarks>Immutable.</remarks>
/// <param name="Month">The month (local).</param>
/// <param name="ActiveBefore">Customers who bought at least once in the N months before <paramref name="Month"/>.</param>
/// <param name="Retained">Of those, customers who bought in the N months ending with <paramref name="Month"/>.</param>
/// <param name="Churned">ActiveBefore minus Retained.</param>
/// <param name="Rate">Churned divided by ActiveBefore (0 when nobody was active before).</param>
/// <param name="IsPartial">True for the as-of month when the as-of date is not its last day: the month is not over and the rate can still fall.</param>
public sealed record ChurnPeriod(YearMonth Month, int ActiveBefore, int Retained, int Churned, decimal Rate, bool IsPartial);
