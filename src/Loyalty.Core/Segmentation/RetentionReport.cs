using NodaTime;

namespace Loyalty.Core.Segmentation;

/// <summary>Cohort retention and monthly churn, computed from purchases in the programme's zone.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class RetentionReport
{
    internal RetentionReport(YearMonth asOfMonth, CohortRow[] cohorts, ChurnPeriod[] churn, int churnHorizonMonths)
    {
        ChurnHorizonMonths = churnHorizonMonths;
        AsOfMonth = asOfMonth;
        Cohorts = cohorts;
        Churn = churn;
    }

    /// <summary>The month of the as-of instant (the last column; partial unless the as-of instant is the month's end).</summary>
    public YearMonth AsOfMonth { get; }

    /// <summary>One row per first-purchase month, oldest first.</summary>
    public IReadOnlyList<CohortRow> Cohorts { get; }

    /// <summary>The churn horizon N in months: a customer churns in the month that completes N months without a purchase (1 = month-to-month).</summary>
    public int ChurnHorizonMonths { get; }

    /// <summary>One entry per month from N months after the first month with purchases up to the as-of month, oldest first (from the second month when N is 1).</summary>
    public IReadOnlyList<ChurnPeriod> Churn { get; }
}
