using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Analytics;

/// <summary>Everything <see cref="LifetimeValueAnalysis.Run"/> needs besides the purchases.</summary>
/// <remarks>Immutable (init-only); checked when the analysis runs, with errors naming the property to fix.</remarks>
public sealed record LifetimeValueAnalysisOptions
{
    /// <summary>The programme's time zone: purchases are counted per local calendar day of this zone.</summary>
    public required DateTimeZone TimeZone { get; init; }

    /// <summary>The programme's currency; a purchase in another currency is refused.</summary>
    public required Currency Currency { get; init; }

    /// <summary>The last day of the calibration period (inclusive), usually the last day of the data; values are predicted from the day after.</summary>
    public required LocalDate CalibrationEnd { get; init; }

    /// <summary>The last day of a hold-out period (inclusive) whose purchases are reported next to the predictions; null (the default) for none.</summary>
    public LocalDate? HoldoutEnd { get; init; }

    /// <summary>The time unit of the models (default <see cref="TimeUnit.Weeks"/>).</summary>
    public TimeUnit Unit { get; init; } = TimeUnit.Weeks;

    /// <summary>The purchase model to fit (default <see cref="PurchaseModelKind.BgNbd"/>).</summary>
    public PurchaseModelKind Model { get; init; } = PurchaseModelKind.BgNbd;

    /// <summary>How both models are fitted (default <see cref="FitOptions.Default"/>).</summary>
    public FitOptions Fit { get; init; } = FitOptions.Default;

    /// <summary>Horizon, discount rate and margin (default <see cref="LifetimeValueOptions.Default"/>).</summary>
    public LifetimeValueOptions Value { get; init; } = LifetimeValueOptions.Default;

    /// <summary>Whether to segment the same purchases with the RFMP segmenter (default options, as of the end of the calibration period) and sum the values per segment (default true).</summary>
    public bool SegmentByRfmp { get; init; } = true;
}
