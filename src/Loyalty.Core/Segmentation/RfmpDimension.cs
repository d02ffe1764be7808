namespace Loyalty.Core.Segmentation;

/// <summary>The four dimensions the RFMP segmenter scores.</summary>
public enum RfmpDimension
{
    /// <summary>Recency: whole local calendar days between the last purchase and the as-of date (fewer is better, so scores are reversed).</summary>
    Recency = 0,

    /// <summary>Frequency: number of distinct orders in the window.</summary>
    Frequency = 1,

    /// <summary>Monetary: net amount spent in the window.</summary>
    Monetary = 2,

    /// <summary>Product: number of distinct product categories bought in the window.</summary>
    Product = 3,
}
