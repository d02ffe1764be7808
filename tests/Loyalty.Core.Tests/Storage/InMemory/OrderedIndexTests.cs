using Loyalty.Core.Storage.InMemory;

namespace Loyalty.Core.Tests.Storage.InMemory;

public class OrderedIndexTests
{
    /// <summary>
    /// Random adds, removes and walks against a sorted list, over enough items (up to 3,000, chunks of at
    /// most 512) that chunks split, empty and are dropped: every answer and every walk must agree.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Adds_removes_and_walks_agree_with_a_sorted_list(int seed)
    {
        var random = new Random(seed);
        var index = new OrderedIndex<int>(Comparer<int>.Default);
        var model = new List<int>();
        for (var step = 0; step < 30_000; step++)
        {
            // Grow for the first half, then shrink: chunks split on the way up and empty on the way down.
            var value = random.Next(3_000);
            var add = step < 15_000 ? random.Next(4) != 0 : random.Next(4) == 0;
            var at = model.BinarySearch(value);
            if (add)
            {
                index.Add(value).Should().Be(at < 0, "Add({0}) at step {1}", value, step);
                if (at < 0)
                {
                    model.Insert(~at, value);
                }
            }
            else
            {
                index.Remove(value).Should().Be(at >= 0, "Remove({0}) at step {1}", value, step);
                if (at >= 0)
                {
                    model.RemoveAt(at);
                }
            }

            index.Count.Should().Be(model.Count);
            if (step % 50 == 0)
            {
                var after = random.Next(-10, 3_010);
                var inclusive = random.Next(2) == 0;
                var take = random.Next(1, 1_200);
                var walked = new List<int>();
                index.Walk(after, inclusive, item =>
                {
                    walked.Add(item);
                    return walked.Count < take ? OrderedIndex<int>.Step.Go : OrderedIndex<int>.Step.Stop;
                });
                walked.Should().Equal(model.Where(x => inclusive ? x >= after : x > after).Take(take), "walk after {0} (inclusive: {1}) at step {2}", after, inclusive, step);
            }
        }
    }

    [Fact]
    public void Items_added_in_order_fill_their_chunks_and_an_insert_into_a_full_one_splits_it()
    {
        // Orders indexed by the instant they were recorded come in that order: each chunk fills to 512 and the
        // next item starts a new one, rather than every chunk being split into two half-empty ones.
        var index = new OrderedIndex<int>(Comparer<int>.Default);
        for (var i = 0; i < 2_048; i++)
        {
            index.Add(i * 2).Should().BeTrue();
        }

        index.ChunkCount.Should().Be(4);
        index.Add(1).Should().BeTrue("an item inside a full chunk");
        index.Add(4_095).Should().BeTrue("an item past the end of the last, full chunk");
        index.ChunkCount.Should().Be(6, "the first chunk split in two, and the last item started a chunk of its own");
        var walked = new List<int>();
        index.Walk(-1, inclusive: false, item =>
        {
            walked.Add(item);
            return OrderedIndex<int>.Step.Go;
        });
        walked.Should().Equal(Enumerable.Range(0, 2_048).Select(i => i * 2).Append(1).Append(4_095).Order());
    }

    [Fact]
    public void A_chunk_emptied_between_others_is_dropped_and_the_index_goes_on()
    {
        // 2,000 items make several chunks of at most 512; removing 1,000 contiguous ones empties at least one between others.
        var index = new OrderedIndex<int>(Comparer<int>.Default);
        for (var i = 0; i < 2_000; i++)
        {
            index.Add(i);
        }

        for (var i = 500; i < 1_500; i++)
        {
            index.Remove(i).Should().BeTrue();
        }

        index.Add(700).Should().BeTrue();
        index.Remove(1_600).Should().BeTrue();
        index.Add(1_600).Should().BeTrue();
        var walked = new List<int>();
        index.Walk(499, inclusive: false, item =>
        {
            walked.Add(item);
            return walked.Count < 3 ? OrderedIndex<int>.Step.Go : OrderedIndex<int>.Step.Stop;
        });

        walked.Should().Equal(700, 1_500, 1_501);
        index.Count.Should().Be(1_001);
    }

    [Fact]
    public void An_empty_index_walks_nothing_and_removes_nothing()
    {
        var index = new OrderedIndex<string>(StringComparer.Ordinal);
        var walked = new List<string>();
        index.Walk(string.Empty, inclusive: true, item =>
        {
            walked.Add(item);
            return OrderedIndex<string>.Step.Go;
        });

        walked.Should().BeEmpty();
        index.Remove("a").Should().BeFalse();
        index.Add("a").Should().BeTrue();
        index.Remove("a").Should().BeTrue();
        index.Count.Should().Be(0);
        index.Add("b").Should().BeTrue("an index emptied by removals takes items again");
        index.Count.Should().Be(1);
    }
}
