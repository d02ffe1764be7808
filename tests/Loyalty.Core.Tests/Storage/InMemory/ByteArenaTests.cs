using System.Globalization;
using Loyalty.Core.Storage.InMemory;

namespace Loyalty.Core.Tests.Storage.InMemory;

/// <summary>
/// The byte arena's own mechanics, with a small codec of strings <c>name:key</c>: positions under concurrent
/// appends, and range reads by key that decode only what they return, whatever the order keys come in.
/// </summary>
public sealed class ByteArenaTests
{
    [Fact]
    public async Task Concurrent_appends_get_distinct_positions_that_read_back_their_own_record()
    {
        var arena = new ByteArena<string>(new KeyedText(), keyed: true);
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
            Enumerable.Range(0, 20_000).Select(i => ($"w{w}-{i}:{i}", arena.Add($"w{w}-{i}:{i}"))).ToArray())).ToArray();

        var all = (await Task.WhenAll(writers)).SelectMany(x => x).ToArray();

        all.Select(x => x.Item2).Should().OnlyHaveUniqueItems().And.HaveCount(80_000);
        all.Should().OnlyContain(x => arena[x.Item2] == x.Item1);
    }

    [Fact]
    public void A_range_read_decodes_only_the_records_it_returns_and_skips_forgotten_ones()
    {
        var codec = new KeyedText();
        var arena = new ByteArena<string>(codec, keyed: true);
        for (var i = 0; i < 30_000; i++)
        {
            arena.Add($"r{i}:{i}");
        }

        arena.Forget(9_003);
        codec.Reads = 0;

        arena.WithKeyIn(9_000, 9_010).Should().Equal(Enumerable.Range(9_000, 10).Where(i => i != 9_003).Select(i => $"r{i}:{i}"));
        codec.Reads.Should().Be(9, "a record outside the range, or forgotten, is skipped by its header");
        arena.WithKeyIn(40_000, 50_000).Should().BeEmpty();
        arena.WithKeyIn(5, 5).Should().BeEmpty();
        codec.Reads.Should().Be(9);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_range_read_finds_what_a_filter_of_every_record_finds_when_keys_come_out_of_order(int seed)
    {
        var random = new Random(seed);
        var records = new List<(string Record, long Key)>();
        var arena = new ByteArena<string>(new KeyedText(), keyed: true);
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
            var record = $"r{i}:{key}";
            records.Add((record, key));
            arena.Add(record);
        }

        for (var q = 0; q < 200; q++)
        {
            var from = random.NextInt64(-10, clock + 10);
            var to = from + random.NextInt64(0, q % 2 == 0 ? 200 : 20_000);
            arena.WithKeyIn(from, to).Should().Equal(records.Where(r => r.Key >= from && r.Key < to).Select(r => r.Record), $"the range [{from}, {to}) of seed {seed}");
        }
    }

    [Fact]
    public void A_cancelled_range_read_stops()
    {
        var arena = new ByteArena<string>(new KeyedText(), keyed: true);
        arena.Add("a:1");
        using var source = new CancellationTokenSource();
        source.Cancel();

        var cancelled = () => arena.WithKeyIn(0, 10, source.Token).ToList();

        cancelled.Should().Throw<OperationCanceledException>();
        arena.WithKeyIn(1, 2).Should().Equal("a:1");
    }

    /// <summary>Strings <c>name:key</c>, keyed by the number after the colon; counts its reads.</summary>
    private sealed class KeyedText : RecordCodec<string>
    {
        public int Reads { get; set; }

        public override void Write(ref RecordWriter writer, string record) => writer.Text(record);

        public override string Read(ref RecordReader reader)
        {
            Reads++;
            return reader.Text()!;
        }

        public override long KeyOf(string record) => long.Parse(record[(record.IndexOf(':', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
    }
}
