namespace Loyalty.Core.Segmentation;

/// <summary>The names of the eleven segments of <see cref="SegmentMap.Default"/>.</summary>
public static class RfmpSegments
{
    /// <summary>Bought recently and often: R 5, F 4–5.</summary>
    public const string Champions = "Champions";

    /// <summary>Buy often and still recently: R 3–4, F 4–5.</summary>
    public const string Loyal = "Loyal";

    /// <summary>Recent buyers with a few orders: R 4–5, F 2–3.</summary>
    public const string PotentialLoyalists = "Potential Loyalists";

    /// <summary>First order very recently: R 5, F 1.</summary>
    public const string New = "New";

    /// <summary>Recent single order: R 4, F 1.</summary>
    public const string Promising = "Promising";

    /// <summary>Middle recency and frequency: R 3, F 3.</summary>
    public const string NeedAttention = "Need Attention";

    /// <summary>Middle recency, few orders: R 3, F 1–2.</summary>
    public const string AboutToSleep = "About to Sleep";

    /// <summary>Bought often but not for a long time: R 1–2, F 3–4.</summary>
    public const string AtRisk = "At Risk";

    /// <summary>The most frequent buyers, gone quiet: R 1–2, F 5.</summary>
    public const string CantLoseThem = "Can't Lose Them";

    /// <summary>Few orders, long ago: R 2, F 1–2.</summary>
    public const string Hibernating = "Hibernating";

    /// <summary>Few orders, longest ago: R 1, F 1–2.</summary>
    public const string Lost = "Lost";
}
