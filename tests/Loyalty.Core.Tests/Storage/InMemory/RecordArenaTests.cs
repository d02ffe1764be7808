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

    [Fact]
    public void A_key_range_read_skips_the_chunks_whose_keys_all_fall_outside_it()
    {
        var reads = 0;
        var arena = new RecordArena<string>(key: r =>
        {
            reads++;
            return long.Parse(r[1..], System.Globalization.CultureInfo.InvariantCulture);
        });
        for (var i = 0; i < 3 * 4_096; i++)
        {
            arena.Add("r" + i);
        }

        reads = 0;
        var found = arena.WithKeyIn(9_000, 9_010).ToList();
        found.Should().Equal(Enumerable.Range(9_000, 10).Select(i => "r" + i));
        reads.Should().Be(4_096, "only the third chunk (keys 8,192 to 12,287) can hold keys 9,000 to 9,009");
        reads = 0;
        arena.WithKeyIn(20_000, 30_000).Should().BeEmpty();
        arena.WithKeyIn(5, 5).Should().BeEmpty();
        reads.Should().Be(0);
    }

    [Fact]
    public void A_key_range_read_sees_replaced_records_and_skips_forgotten_ones()
    {
        var arena = new RecordArena<string>(key: r => long.Parse(r.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture));
        for (var i = 0; i < 5_000; i++)
        {
            arena.Add($"r{i}:{i}");
        }

        arena.Set(10, "moved:1000000");
        arena.Forget(11);
        arena.WithKeyIn(1_000_000, 1_000_001).Should().Equal("moved:1000000");
        arena.WithKeyIn(9, 13).Should().Equal("r9:9", "r12:12");
        arena.WithKeyIn(4_999, long.MaxValue).Should().Equal(["moved:1000000", "r4999:4999"], "records come in position order");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_key_range_read_finds_what_a_filter_of_every_record_finds_when_keys_come_out_of_order(int seed)
    {
        var random = new Random(seed);
        var records = new List<(string Name, long Key)>();
        var keys = new Dictionary<string, long>();
        var arena = new RecordArena<string>(key: r => keys[r]);
        var clock = 0L;
        for (var i = 0; i < 20_000; i++)
        {
            // Mostly increasing, as recording instants are, with some late and some far-off records.
            clock += random.Next(0, 5);
            var key = random.Next(100) switch
            {
                0 => random.NextInt64(0, clock + 1),
                1 => clock + random.NextInt64(0, 100_000),
                _ => clock - random.Next(0, 50),
            };
            var name = "r" + i;
            keys[name] = key;
            records.Add((name, key));
            arena.Add(name);
        }

        for (var q = 0; q < 200; q++)
        {
            var from = random.NextInt64(-10, clock + 10);
            var to = from + random.NextInt64(0, q % 2 == 0 ? 200 : 20_000);
            arena.WithKeyIn(from, to).Should().Equal(records.Where(r => r.Key >= from && r.Key < to).Select(r => r.Name), $"the range [{from}, {to}) of seed {seed}");
        }
    }

    [Fact]
    public void A_key_range_read_of_an_arena_without_a_key_is_refused_and_a_cancelled_one_stops()
    {
        var plain = new RecordArena<string>();
        var read = () => plain.WithKeyIn(0, 1);
        read.Should().Throw<InvalidOperationException>().WithMessage("This arena keeps no key per record; pass one to its constructor to read a range of keys.");
        var keyed = new RecordArena<string>(key: r => r.Length);
        keyed.Add("a");
        using var source = new CancellationTokenSource();
        source.Cancel();
        var cancelled = () => keyed.WithKeyIn(0, 10, source.Token).ToList();
        cancelled.Should().Throw<OperationCanceledException>();
        keyed.WithKeyIn(1, 2).Should().Equal("a");
    }
}
