using System.Globalization;

namespace Loyalty.Core.Segmentation;

/// <summary>
/// Names the cells of the R×F score grid. Entries are tried in order and the first whose
/// ranges contain a cell names it.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. A map is checked when it is created: every cell of the
/// <see cref="ScoreCount"/>×<see cref="ScoreCount"/> grid must be named, and every entry must
/// name at least one cell that no earlier entry already names; otherwise creation fails with
/// a message listing the cells or entries at fault.
/// </remarks>
public sealed class SegmentMap
{
    private readonly byte[] cellToSegment;
    private readonly byte[] cellToRule;
    private readonly SegmentRule[] rules;
    private readonly string[] segments;

    private SegmentMap(int scoreCount, SegmentRule[] rules, byte[] cellToSegment, byte[] cellToRule, string[] segments)
    {
        ScoreCount = scoreCount;
        this.rules = rules;
        this.cellToSegment = cellToSegment;
        this.cellToRule = cellToRule;
        this.segments = segments;
    }

    /// <summary>
    /// The default 5×5 map with eleven segments (rows are R scores, columns F scores 1..5):
    /// <code>
    /// R5: New | Potential Loyalists ×2 | Champions ×2
    /// R4: Promising | Potential Loyalists ×2 | Loyal ×2
    /// R3: About to Sleep ×2 | Need Attention | Loyal ×2
    /// R2: Hibernating ×2 | At Risk ×2 | Can't Lose Them
    /// R1: Lost ×2 | At Risk ×2 | Can't Lose Them
    /// </code>
    /// R1F1 and R1F2 (oldest purchase, one or two scores of frequency) are <c>Lost</c>; the widely
    /// copied ten-segment grid (<see cref="Classic"/>) names them <c>Hibernating</c> instead.
    /// </summary>
    public static SegmentMap Default { get; } = Create(5,
    [
        new(RfmpSegments.Champions, 5, 5, 4, 5),
        new(RfmpSegments.Loyal, 3, 4, 4, 5),
        new(RfmpSegments.PotentialLoyalists, 4, 5, 2, 3),
        new(RfmpSegments.New, 5, 5, 1, 1),
        new(RfmpSegments.Promising, 4, 4, 1, 1),
        new(RfmpSegments.NeedAttention, 3, 3, 3, 3),
        new(RfmpSegments.AboutToSleep, 3, 3, 1, 2),
        new(RfmpSegments.CantLoseThem, 1, 2, 5, 5),
        new(RfmpSegments.AtRisk, 1, 2, 3, 4),
        new(RfmpSegments.Hibernating, 2, 2, 1, 2),
        new(RfmpSegments.Lost, 1, 1, 1, 2),
    ]);

    /// <summary>
    /// The widely copied ten-segment 5×5 grid, without a <c>Lost</c> segment: the same as
    /// <see cref="Default"/> except that R1F1 and R1F2 are <c>Hibernating</c> (the whole R1–2 × F1–2 block):
    /// <code>
    /// R5: New | Potential Loyalists ×2 | Champions ×2
    /// R4: Promising | Potential Loyalists ×2 | Loyal ×2
    /// R3: About to Sleep ×2 | Need Attention | Loyal ×2
    /// R2: Hibernating ×2 | At Risk ×2 | Can't Lose Them
    /// R1: Hibernating ×2 | At Risk ×2 | Can't Lose Them
    /// </code>
    /// </summary>
    public static SegmentMap Classic { get; } = Create(5,
    [
        new(RfmpSegments.Champions, 5, 5, 4, 5),
        new(RfmpSegments.Loyal, 3, 4, 4, 5),
        new(RfmpSegments.PotentialLoyalists, 4, 5, 2, 3),
        new(RfmpSegments.New, 5, 5, 1, 1),
        new(RfmpSegments.Promising, 4, 4, 1, 1),
        new(RfmpSegments.NeedAttention, 3, 3, 3, 3),
        new(RfmpSegments.AboutToSleep, 3, 3, 1, 2),
        new(RfmpSegments.CantLoseThem, 1, 2, 5, 5),
        new(RfmpSegments.AtRisk, 1, 2, 3, 4),
        new(RfmpSegments.Hibernating, 1, 2, 1, 2),
    ]);

    /// <summary>The number of scores per dimension (the grid is <c>ScoreCount × ScoreCount</c>).</summary>
    public int ScoreCount { get; }

    /// <summary>The entries, in matching order.</summary>
    public IReadOnlyList<SegmentRule> Rules => rules;

    /// <summary>The distinct segment names, in the order they first appear in <see cref="Rules"/>.</summary>
    public IReadOnlyList<string> Segments => segments;

    /// <summary>Creates and checks a map.</summary>
    /// <param name="scoreCount">Scores per dimension, 2 to 10.</param>
    /// <param name="rules">The entries, tried in order.</param>
    /// <returns>The map.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="rules"/> or an entry is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="scoreCount"/> is outside 2..10.</exception>
    /// <exception cref="ArgumentException">An entry has a blank name or a range outside 1..<paramref name="scoreCount"/>, a cell is not named, or an entry is unreachable.</exception>
    public static SegmentMap Create(int scoreCount, IEnumerable<SegmentRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (scoreCount is < RfmpOptions.MinScoreCount or > RfmpOptions.MaxScoreCount)
        {
            throw new ArgumentOutOfRangeException(nameof(scoreCount), scoreCount,
                string.Create(CultureInfo.InvariantCulture, $"scoreCount must be between {RfmpOptions.MinScoreCount} and {RfmpOptions.MaxScoreCount} inclusive (was {scoreCount})."));
        }

        var list = rules.ToArray();
        for (var i = 0; i < list.Length; i++)
        {
            var rule = list[i] ?? throw new ArgumentNullException(nameof(rules), string.Create(CultureInfo.InvariantCulture, $"Segment map entry {i + 1} is null."));
            if (string.IsNullOrWhiteSpace(rule.Segment))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Segment map entry {i + 1} has no segment name; give every entry a name."), nameof(rules));
            }

            if (!ValidRange(rule.MinRecency, rule.MaxRecency, scoreCount) || !ValidRange(rule.MinFrequency, rule.MaxFrequency, scoreCount))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Segment map entry {i + 1} ({rule}) has a score range outside 1..{scoreCount} or with min above max; use ranges within 1..{scoreCount}."),
                    nameof(rules));
            }
        }

        var names = new List<string>();
        var cells = new byte[scoreCount * scoreCount];
        var cellRules = new byte[cells.Length];
        var taken = new bool[cells.Length];
        var unreachable = new List<string>();
        for (var i = 0; i < list.Length; i++)
        {
            var rule = list[i];
            var nameIndex = names.IndexOf(rule.Segment);
            if (nameIndex < 0)
            {
                nameIndex = names.Count;
                names.Add(rule.Segment);
            }

            var reachable = false;
            for (var r = rule.MinRecency; r <= rule.MaxRecency; r++)
            {
                for (var f = rule.MinFrequency; f <= rule.MaxFrequency; f++)
                {
                    var cell = ((r - 1) * scoreCount) + (f - 1);
                    if (!taken[cell])
                    {
                        taken[cell] = true;
                        cells[cell] = (byte)nameIndex;
                        cellRules[cell] = (byte)i;
                        reachable = true;
                    }
                }
            }

            if (!reachable)
            {
                unreachable.Add(string.Create(CultureInfo.InvariantCulture, $"entry {i + 1} ({rule})"));
            }
        }

        var uncovered = new List<string>();
        for (var r = 1; r <= scoreCount; r++)
        {
            for (var f = 1; f <= scoreCount; f++)
            {
                if (!taken[((r - 1) * scoreCount) + (f - 1)])
                {
                    uncovered.Add(string.Create(CultureInfo.InvariantCulture, $"R{r}F{f}"));
                }
            }
        }

        var problems = new List<string>();
        if (uncovered.Count > 0)
        {
            problems.Add($"cells not named by any entry: {string.Join(", ", uncovered)}; add entries that cover them");
        }

        if (unreachable.Count > 0)
        {
            problems.Add($"unreachable entries (every cell they cover is named by an earlier entry): {string.Join(", ", unreachable)}; remove or reorder them");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The {scoreCount}×{scoreCount} segment map is invalid: {string.Join("; ", problems)}."),
                nameof(rules));
        }

        return new SegmentMap(scoreCount, list, cells, cellRules, names.ToArray());
    }

    /// <summary>The segment of a cell.</summary>
    /// <param name="recencyScore">The R score, 1..<see cref="ScoreCount"/>.</param>
    /// <param name="frequencyScore">The F score, 1..<see cref="ScoreCount"/>.</param>
    /// <returns>The segment name.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A score is outside 1..<see cref="ScoreCount"/>.</exception>
    public string SegmentOf(int recencyScore, int frequencyScore)
    {
        if (recencyScore < 1 || recencyScore > ScoreCount)
        {
            throw new ArgumentOutOfRangeException(nameof(recencyScore), recencyScore,
                string.Create(CultureInfo.InvariantCulture, $"recencyScore must be between 1 and {ScoreCount} inclusive (was {recencyScore})."));
        }

        if (frequencyScore < 1 || frequencyScore > ScoreCount)
        {
            throw new ArgumentOutOfRangeException(nameof(frequencyScore), frequencyScore,
                string.Create(CultureInfo.InvariantCulture, $"frequencyScore must be between 1 and {ScoreCount} inclusive (was {frequencyScore})."));
        }

        return segments[cellToSegment[((recencyScore - 1) * ScoreCount) + (frequencyScore - 1)]];
    }

    /// <summary>The entry that names a cell: the first entry of <see cref="Rules"/> whose ranges contain it.</summary>
    /// <param name="recencyScore">The R score, 1..<see cref="ScoreCount"/>.</param>
    /// <param name="frequencyScore">The F score, 1..<see cref="ScoreCount"/>.</param>
    /// <returns>The matching entry.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A score is outside 1..<see cref="ScoreCount"/>.</exception>
    public SegmentRule RuleOf(int recencyScore, int frequencyScore)
    {
        _ = SegmentOf(recencyScore, frequencyScore);
        return RuleAt(recencyScore, frequencyScore);
    }

    internal SegmentRule RuleAt(int recencyScore, int frequencyScore) =>
        rules[cellToRule[((recencyScore - 1) * ScoreCount) + (frequencyScore - 1)]];

    internal int SegmentIndex(int recencyScore, int frequencyScore) =>
        cellToSegment[((recencyScore - 1) * ScoreCount) + (frequencyScore - 1)];

    internal string SegmentName(int index) => segments[index];

    private static bool ValidRange(int min, int max, int scoreCount) => min >= 1 && max <= scoreCount && min <= max;
}
