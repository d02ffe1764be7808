using NodaTime;

namespace Loyalty.Core.Segmentation;

/// <summary>Cohort retention and monthly churn, computed from purchases in the programme's zone.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class RetentionReport
{
    internal RetentionReport(YearMonth asOfMonth, CohortRow[] cohorts, ChurnPeriod[] churn)
    {
        AsOfMonth = asOfMonth;
        Cohorts = cohorts;
        Churn = churn;
    }

    /// <summary>The month of the as-of instant (the last column; partial unless the as-of instant is the month's end).</summary>
    public YearMonth AsOfMonth { get; }

    /// <summary>One row per first-purchase month, oldest first.</summary>
    public IReadOnlyList<CohortRow> Cohorts { get; }

    /// <summary>One entry per month from the second month with purchases up to the as-of month, oldest first.</summary>
    public IReadOnlyList<ChurnPeriod> Churn { get; }
}
