using Loyalty.Core.Storage.InMemory;

namespace Loyalty.Core.Tests.Storage.InMemory;

public class RecordArenaTests
{
    [Fact]
    public void Positions_are_handed_out_in_order_and_read_back_across_chunks()
    {
        var arena = new RecordArena<string>();
        var positions = Enumerable.Range(0, 70_000).Select(i => arena.Add("r" + i)).ToArray();
        positions.Should().Equal(Enumerable.Range(0, 70_000));
        arena[0].Should().Be("r0");
        arena[4_095].Should().Be("r4095");
        arena[4_096].Should().Be("r4096");
        arena[69_999].Should().Be("r69999");
    }

    [Fact]
    public void A_forgotten_position_refuses_to_be_read_and_leaves_the_others()
    {
        var arena = new RecordArena<string>();
        arena.Add("kept");
        var gone = arena.Add("gone");
        arena.Forget(gone);
        arena[0].Should().Be("kept");
        var read = () => arena[gone];
        read.Should().Throw<InvalidOperationException>().WithMessage("The record at position 1 was forgotten (its member or account was rewritten).");
        arena.Add("next").Should().Be(2);
    }

    [Fact]
    public void A_full_arena_refuses_the_next_record_and_keeps_the_others()
    {
        var arena = new RecordArena<string>(capacity: 2);
        arena.Add("a");
        arena.Add("b");
        var add = () => arena.Add("c");
        add.Should().Throw<InvalidOperationException>().WithMessage("The in-memory store holds 2 records of type String, its limit; a store that large needs a database-backed store.");
        arena[1].Should().Be("b");
        var none = () => new RecordArena<string>(capacity: 0);
        none.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("capacity");
    }

    [Fact]
    public async Task Concurrent_appends_get_distinct_positions_that_read_back_their_own_record()
    {
        var arena = new RecordArena<string>();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
            Enumerable.Range(0, 20_000).Select(i => ($"w{w}-{i}", arena.Add($"w{w}-{i}"))).ToArray())).ToArray();
        var all = (await Task.WhenAll(writers)).SelectMany(x => x).ToArray();
        all.Select(x => x.Item2).Should().OnlyHaveUniqueItems().And.HaveCount(80_000);
        all.Should().OnlyContain(x => arena[x.Item2] == x.Item1);
    }
}
