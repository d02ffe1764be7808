using System.Globalization;
using Loyalty.Core.Segmentation;
using NodaTime;

namespace Loyalty.Core.Analytics;

/// <summary>
/// The whole customer-lifetime-value analysis in one call: purchases → customer base → purchase
/// model (BG/NBD or Pareto/NBD) and Gamma-Gamma spend model → ranked lifetime values → values per
/// RFMP segment.
/// </summary>
/// <remarks>Immutable and thread-safe once returned.</remarks>
public sealed class LifetimeValueAnalysis
{
    private LifetimeValueAnalysis(CustomerBase customers, PurchaseModel purchaseModel, GammaGammaModel spendModel, LifetimeValueReport report, IReadOnlyList<SegmentValue> segments, IReadOnlyList<string> warnings)
    {
        CustomerBase = customers;
        PurchaseModel = purchaseModel;
        SpendModel = spendModel;
        Report = report;
        Segments = segments;
        Warnings = warnings;
    }

    /// <summary>The customers' summaries.</summary>
    public CustomerBase CustomerBase { get; }

    /// <summary>The fitted purchase model (converged).</summary>
    public PurchaseModel PurchaseModel { get; }

    /// <summary>The fitted spend model (converged).</summary>
    public GammaGammaModel SpendModel { get; }

    /// <summary>The ranked lifetime values.</summary>
    public LifetimeValueReport Report { get; }

    /// <summary>The values summed per RFMP segment, most valuable first (empty when <see cref="LifetimeValueAnalysisOptions.SegmentByRfmp"/> is false).</summary>
    public IReadOnlyList<SegmentValue> Segments { get; }

    /// <summary>What to know before trusting the figures: the customer base's warnings and a failed independence check of the spend model.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Runs the analysis.</summary>
    /// <param name="purchases">The purchases (order lines or orders), in any order.</param>
    /// <param name="options">Zone, currency, periods, models and value options.</param>
    /// <returns>The analysis.</returns>
    /// <exception cref="ArgumentException">The options or a purchase are invalid, or the data cannot identify a model (no repeat buyer, fewer than two repeat buyers with a positive spend).</exception>
    /// <exception cref="InvalidOperationException">A model fit did not converge, or the spend model has an infinite mean; the message says what to try.</exception>
    public static LifetimeValueAnalysis Run(IEnumerable<Purchase> purchases, LifetimeValueAnalysisOptions options)
    {
        ArgumentNullException.ThrowIfNull(purchases);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Fit is null || options.Value is null)
        {
            throw new ArgumentException("LifetimeValueAnalysisOptions.Fit and .Value must not be null; leave them out to use the defaults.", nameof(options));
        }

        options.Fit.Validate();
        options.Value.Validate();
        var list = purchases as IReadOnlyCollection<Purchase> ?? purchases.ToArray();
        var customers = CustomerBase.FromPurchases(list, new CustomerBaseOptions
        {
            TimeZone = options.TimeZone,
            Currency = options.Currency,
            CalibrationEnd = options.CalibrationEnd,
            HoldoutEnd = options.HoldoutEnd,
            Unit = options.Unit,
        });

        PurchaseModel purchaseModel = options.Model == PurchaseModelKind.ParetoNbd
            ? ParetoNbdModel.Fit(customers, options.Fit)
            : BgNbdModel.Fit(customers, options.Fit);
        EnsureConverged(purchaseModel.Name, purchaseModel.Report!);
        var spendModel = GammaGammaModel.Fit(customers, options.Fit);
        EnsureConverged("Gamma-Gamma", spendModel.Report!);
        var report = LifetimeValueReport.Compute(customers, purchaseModel, spendModel, options.Value);

        IReadOnlyList<SegmentValue> segments = [];
        if (options.SegmentByRfmp)
        {
            var asOf = options.CalibrationEnd.PlusDays(1).AtStartOfDayInZone(options.TimeZone).ToInstant() - Duration.Epsilon;
            var rfmp = new RfmpSegmenter(new RfmpOptions { AsOf = asOf, TimeZone = options.TimeZone, Currency = options.Currency }).Segment(list);
            segments = report.BySegment(rfmp);
        }

        var warnings = new List<string>(customers.Warnings);
        if (!spendModel.IndependenceHolds)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"Frequency and mean spend are correlated ({spendModel.FrequencySpendCorrelation:F2} over {spendModel.RepeatBuyers} repeat buyers, beyond ±{GammaGammaModel.CorrelationThreshold}): the Gamma-Gamma model assumes they are independent, so expected spends are biased."));
        }

        return new LifetimeValueAnalysis(customers, purchaseModel, spendModel, report, segments, warnings);
    }

    private static void EnsureConverged(string model, FitReport report)
    {
        if (!report.Converged)
        {
            throw new InvalidOperationException(
                $"The {model} fit did not converge ({report.Message}); set FitOptions.L2Penalty (e.g. 0.01), raise FitOptions.MaxIterations, or use a longer calibration period.");
        }
    }
}
