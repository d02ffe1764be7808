using NodaTime;

namespace Loyalty.Core.Segmentation;

/// <summary>One cohort of the retention table: the customers whose first purchase fell in <see cref="Cohort"/>.</summary>
/// <remarks>Immutable. Element <c>m</c> of <see cref="Active"/> and <see cref="Retention"/> is the month <c>m</c> months after the cohort month (0 = the cohort month itself).</remarks>
/// <param name="Cohort">The month of the first purchase (local).</param>
/// <param name="Customers">Customers in the cohort.</param>
/// <param name="Active">Customers of the cohort who bought at least once in each month after the cohort month, up to the as-of month.</param>
/// <param name="Retention">Active divided by Customers, per month (element 0 is always 1).</param>
public sealed record CohortRow(YearMonth Cohort, int Customers, IReadOnlyList<int> Active, IReadOnlyList<decimal> Retention);
