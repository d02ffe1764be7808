using Loyalty.Core.Segmentation;

namespace Loyalty.Core.Tests.Segmentation;

public class SegmentMapTests
{
    [Fact]
    public void The_default_map_names_all_25_cells_with_the_eleven_segments()
    {
        var map = SegmentMap.Default;

        map.ScoreCount.Should().Be(5);
        map.Segments.Should().BeEquivalentTo(
            "Champions", "Loyal", "Potential Loyalists", "New", "Promising", "Need Attention",
            "About to Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost");
        var grid = Enumerable.Range(1, 5).Reverse()
            .Select(r => string.Join(" | ", Enumerable.Range(1, 5).Select(f => map.SegmentOf(r, f))))
            .ToArray();
        grid.Should().Equal(
            "New | Potential Loyalists | Potential Loyalists | Champions | Champions",
            "Promising | Potential Loyalists | Potential Loyalists | Loyal | Loyal",
            "About to Sleep | About to Sleep | Need Attention | Loyal | Loyal",
            "Hibernating | Hibernating | At Risk | At Risk | Can't Lose Them",
            "Lost | Lost | At Risk | At Risk | Can't Lose Them");
    }

    [Fact]
    public void First_matching_entry_wins()
    {
        var map = SegmentMap.Create(2, [new("Best", 2, 2, 2, 2), new("Others", 1, 2, 1, 2)]);

        map.SegmentOf(2, 2).Should().Be("Best");
        map.SegmentOf(1, 2).Should().Be("Others");
        map.Rules[0].ToString().Should().Be("Best: R 2, F 2");
        map.Rules[1].ToString().Should().Be("Others: R 1–2, F 1–2");
    }

    [Fact]
    public void A_map_leaving_cells_unnamed_is_refused_naming_them()
    {
        var act = () => SegmentMap.Create(3, [new("Top", 3, 3, 1, 3), new("Middle", 2, 2, 2, 3)]);

        act.Should().Throw<ArgumentException>().WithParameterName("rules").WithMessage(
            "The 3×3 segment map is invalid: cells not named by any entry: R1F1, R1F2, R1F3, R2F1; add entries that cover them. (Parameter 'rules')");
    }

    [Fact]
    public void A_map_with_unreachable_entries_is_refused_naming_them()
    {
        var act = () => SegmentMap.Create(2,
        [
            new("Everyone", 1, 2, 1, 2),
            new("Champions", 2, 2, 2, 2),
            new("Lost", 1, 1, 1, 1),
        ]);

        act.Should().Throw<ArgumentException>().WithMessage(
            "The 2×2 segment map is invalid: unreachable entries (every cell they cover is named by an earlier entry): entry 2 (Champions: R 2, F 2), entry 3 (Lost: R 1, F 1); remove or reorder them. (Parameter 'rules')");
    }

    [Fact]
    public void Uncovered_cells_and_unreachable_entries_are_reported_together()
    {
        var act = () => SegmentMap.Create(2, [new("A", 2, 2, 1, 2), new("B", 2, 2, 2, 2)]);

        act.Should().Throw<ArgumentException>().WithMessage(
            "The 2×2 segment map is invalid: cells not named by any entry: R1F1, R1F2; add entries that cover them; unreachable entries (every cell they cover is named by an earlier entry): entry 2 (B: R 2, F 2); remove or reorder them. (Parameter 'rules')");
    }

    [Fact]
    public void Bad_entries_and_sizes_are_refused()
    {
        FluentActions.Invoking(() => SegmentMap.Create(5, [new("Wide", 0, 5, 1, 5)])).Should().Throw<ArgumentException>().WithMessage(
            "Segment map entry 1 (Wide: R 0–5, F 1–5) has a score range outside 1..5 or with min above max; use ranges within 1..5. (Parameter 'rules')");
        FluentActions.Invoking(() => SegmentMap.Create(2, [new(" ", 1, 2, 1, 2)])).Should().Throw<ArgumentException>().WithMessage(
            "Segment map entry 1 has no segment name; give every entry a name. (Parameter 'rules')");
        FluentActions.Invoking(() => SegmentMap.Create(2, [null!])).Should().Throw<ArgumentNullException>().WithMessage(
            "Segment map entry 1 is null. (Parameter 'rules')");
        FluentActions.Invoking(() => SegmentMap.Create(11, [])).Should().Throw<ArgumentOutOfRangeException>().WithMessage(
            "scoreCount must be between 2 and 10 inclusive (was 11). (Parameter 'scoreCount')\nActual value was 11.");
        FluentActions.Invoking(() => SegmentMap.Default.SegmentOf(6, 1)).Should().Throw<ArgumentOutOfRangeException>().WithMessage(
            "recencyScore must be between 1 and 5 inclusive (was 6). (Parameter 'recencyScore')\nActual value was 6.");
        FluentActions.Invoking(() => SegmentMap.Default.SegmentOf(1, 0)).Should().Throw<ArgumentOutOfRangeException>().WithMessage(
            "frequencyScore must be between 1 and 5 inclusive (was 0). (Parameter 'frequencyScore')\nActual value was 0.");
    }

    [Fact]
    public void The_classic_grid_differs_from_the_default_only_in_R1F1_and_R1F2()
    {
        var classic = SegmentMap.Classic;
        var different = new List<string>();
        for (var r = 1; r <= 5; r++)
        {
            for (var f = 1; f <= 5; f++)
            {
                if (classic.SegmentOf(r, f) != SegmentMap.Default.SegmentOf(r, f))
                {
                    different.Add($"R{r}F{f}: {SegmentMap.Default.SegmentOf(r, f)} -> {classic.SegmentOf(r, f)}");
                }
            }
        }

        different.Should().Equal("R1F1: Lost -> Hibernating", "R1F2: Lost -> Hibernating");
        classic.Segments.Should().HaveCount(10).And.NotContain(RfmpSegments.Lost);
        SegmentMap.Default.SegmentOf(1, 2).Should().Be(RfmpSegments.Lost);
    }

    [Fact]
    public void RuleOf_gives_the_first_entry_containing_the_cell()
    {
        var map = SegmentMap.Create(2, [new("Top", 2, 2, 2, 2), new("Rest", 1, 2, 1, 2)]);

        map.RuleOf(2, 2).Should().Be(new SegmentRule("Top", 2, 2, 2, 2));
        map.RuleOf(1, 2).Should().BeSameAs(map.Rules[1]);
        SegmentMap.Default.RuleOf(1, 2).Should().Be(new SegmentRule(RfmpSegments.Lost, 1, 1, 1, 2));

        var act = () => map.RuleOf(3, 1);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("recencyScore must be between 1 and 2 inclusive (was 3).*");
    }

    [Theory]
    [InlineData(1, 5, 0, 5, "Bad: R 1–5, F 0–5")]
    [InlineData(1, 6, 1, 5, "Bad: R 1–6, F 1–5")]
    [InlineData(1, 5, 1, 6, "Bad: R 1–5, F 1–6")]
    [InlineData(3, 2, 1, 5, "Bad: R 3–2, F 1–5")]
    [InlineData(1, 5, 4, 3, "Bad: R 1–5, F 4–3")]
    public void Entries_reaching_outside_the_grid_or_upside_down_are_refused(int minR, int maxR, int minF, int maxF, string shown)
    {
        var act = () => SegmentMap.Create(5, [new("Bad", minR, maxR, minF, maxF)]);

        act.Should().Throw<ArgumentException>().WithParameterName("rules").WithMessage(
            $"Segment map entry 1 ({shown}) has a score range outside 1..5 or with min above max; use ranges within 1..5. (Parameter 'rules')");
    }

    [Fact]
    public void Grids_of_two_to_ten_scores_are_accepted_and_every_edge_cell_answers()
    {
        var small = SegmentMap.Create(2, [new("All", 1, 2, 1, 2)]);
        var large = SegmentMap.Create(10, [new("Top", 10, 10, 10, 10), new("Rest", 1, 10, 1, 10)]);

        small.SegmentOf(1, 1).Should().Be("All");
        small.SegmentOf(2, 2).Should().Be("All");
        large.SegmentOf(10, 10).Should().Be("Top");
        large.SegmentOf(10, 9).Should().Be("Rest");
        large.SegmentOf(9, 10).Should().Be("Rest");
        large.SegmentOf(1, 1).Should().Be("Rest");
        large.Segments.Should().Equal("Top", "Rest");
        FluentActions.Invoking(() => SegmentMap.Create(1, [new("All", 1, 1, 1, 1)])).Should().Throw<ArgumentOutOfRangeException>()
            .WithParameterName("scoreCount");
        FluentActions.Invoking(() => small.SegmentOf(0, 1)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("recencyScore");
        FluentActions.Invoking(() => small.SegmentOf(1, 3)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("frequencyScore");
    }

    [Fact]
    public void Entries_sharing_a_name_make_one_segment()
    {
        var map = SegmentMap.Create(2, [new("Good", 2, 2, 1, 2), new("Weak", 1, 1, 1, 1), new("Good", 1, 1, 2, 2)]);

        map.Segments.Should().Equal("Good", "Weak");
        map.SegmentOf(1, 2).Should().Be("Good");
        map.RuleOf(1, 2).Should().BeSameAs(map.Rules[2]);
        map.SegmentOf(1, 1).Should().Be("Weak");
    }

    [Fact]
    public void A_null_list_of_entries_is_refused_naming_the_argument()
    {
        FluentActions.Invoking(() => SegmentMap.Create(5, null!)).Should().Throw<ArgumentNullException>().WithParameterName("rules");
    }

    [Fact]
    public void Unnamed_cells_in_the_top_row_and_the_last_column_are_reported()
    {
        var act = () => SegmentMap.Create(3, [new("Low", 1, 2, 1, 2)]);

        act.Should().Throw<ArgumentException>().WithMessage(
            "The 3×3 segment map is invalid: cells not named by any entry: R1F3, R2F3, R3F1, R3F2, R3F3; add entries that cover them. (Parameter 'rules')");
    }
}
