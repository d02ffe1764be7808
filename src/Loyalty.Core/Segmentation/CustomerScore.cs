using System.Globalization;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Segmentation;

/// <summary>One customer's RFMP values, scores, segment and badges.</summary>
/// <remarks>Immutable and thread-safe. <c>default(CustomerScore)</c> has no customer and zero scores; the segmenter never returns it.</remarks>
public readonly struct CustomerScore : IEquatable<CustomerScore>
{
    private readonly byte recencyScore;
    private readonly byte frequencyScore;
    private readonly byte monetaryScore;
    private readonly byte productScore;

    internal CustomerScore(MemberId customer, SegmentRule rule, CustomerBadges badges, int recencyDays, int orders, decimal netAmount, int categories,
        int recencyScore, int frequencyScore, int monetaryScore, int productScore)
    {
        Customer = customer;
        Rule = rule;
        Segment = rule.Segment;
        Badges = badges;
        RecencyDays = recencyDays;
        Orders = orders;
        NetAmount = netAmount;
        Categories = categories;
        this.recencyScore = (byte)recencyScore;
        this.frequencyScore = (byte)frequencyScore;
        this.monetaryScore = (byte)monetaryScore;
        this.productScore = (byte)productScore;
    }

    /// <summary>The customer.</summary>
    public MemberId Customer { get; }

    /// <summary>The segment named by the R×F cell (see <see cref="SegmentMap"/>).</summary>
    public string Segment { get; }

    /// <summary>
    /// The segment map entry that matched the customer's R×F cell (the first entry of
    /// <see cref="SegmentMap.Rules"/> whose ranges contain it); its <see cref="SegmentRule.Segment"/> is <see cref="Segment"/>.
    /// </summary>
    public SegmentRule Rule { get; }

    /// <summary>The M and P badges.</summary>
    public CustomerBadges Badges { get; }

    /// <summary>R: local calendar days from the last purchase to the as-of date (0 = bought on the as-of date).</summary>
    public int RecencyDays { get; }

    /// <summary>F: distinct orders in the window.</summary>
    public int Orders { get; }

    /// <summary>M: net amount spent in the window, in the programme's currency.</summary>
    public decimal NetAmount { get; }

    /// <summary>P: distinct product categories bought in the window.</summary>
    public int Categories { get; }

    /// <summary>R score, 1..k; k for the most recent buyers.</summary>
    public int RecencyScore => recencyScore;

    /// <summary>F score, 1..k; k for the most frequent buyers.</summary>
    public int FrequencyScore => frequencyScore;

    /// <summary>M score, 1..k; k for the biggest spenders.</summary>
    public int MonetaryScore => monetaryScore;

    /// <summary>P score, 1..k; k for the broadest buyers.</summary>
    public int ProductScore => productScore;

    /// <summary>The four scores as a code such as <c>5-4-3-1</c> (R-F-M-P).</summary>
    public string Code => string.Create(CultureInfo.InvariantCulture, $"{RecencyScore}-{FrequencyScore}-{MonetaryScore}-{ProductScore}");

    /// <summary>The score of one dimension.</summary>
    /// <param name="dimension">The dimension.</param>
    /// <returns>The score, 1..k.</returns>
    public int ScoreOf(RfmpDimension dimension) => dimension switch
    {
        RfmpDimension.Recency => RecencyScore,
        RfmpDimension.Frequency => FrequencyScore,
        RfmpDimension.Monetary => MonetaryScore,
        RfmpDimension.Product => ProductScore,
        _ => throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be Recency, Frequency, Monetary or Product."),
    };

    /// <summary>Compares two scores field by field.</summary>
    /// <param name="left">The first score.</param>
    /// <param name="right">The second score.</param>
    /// <returns>True when equal.</returns>
    public static bool operator ==(CustomerScore left, CustomerScore right) => left.Equals(right);

    /// <summary>Compares two scores field by field.</summary>
    /// <param name="left">The first score.</param>
    /// <param name="right">The second score.</param>
    /// <returns>True when different.</returns>
    public static bool operator !=(CustomerScore left, CustomerScore right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(CustomerScore other) =>
        Customer == other.Customer && string.Equals(Segment, other.Segment, StringComparison.Ordinal) && Equals(Rule, other.Rule) && Badges == other.Badges
        && RecencyDays == other.RecencyDays && Orders == other.Orders && NetAmount == other.NetAmount && Categories == other.Categories
        && recencyScore == other.recencyScore && frequencyScore == other.frequencyScore
        && monetaryScore == other.monetaryScore && productScore == other.productScore;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CustomerScore other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(Customer, Segment, Badges, RecencyDays, Orders, NetAmount, Categories,
            (recencyScore << 24) | (frequencyScore << 16) | (monetaryScore << 8) | productScore);

    /// <summary>A readable form, e.g. <c>42: Champions 5-5-4-3 (HighValue)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"{Customer}: {Segment} {Code} ({Badges})";
}
