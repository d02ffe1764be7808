using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;

namespace Loyalty.Core.Tests.Storage;

public sealed class MemberPartitionTests
{
    [Property(MaxTest = 300 / PropertyRuns.Divisor)]
    public Property Every_member_is_in_exactly_one_partition_of_any_count(NonEmptyString id, PositiveInt countArb)
    {
        var text = new string(id.Get.Where(c => !char.IsControl(c)).ToArray()).Trim();
        if (text.Length is 0 or > 128)
        {
            text = "member";
        }

        var member = MemberId.From(text);
        var count = 1 + (countArb.Get % 300);
        var holders = Enumerable.Range(0, count).Where(i => MemberPartition.Of(i, count).Contains(member)).ToArray();
        return (holders.Length == 1).Label($"{member} is in partitions [{string.Join(", ", holders)}] of {count}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(65_536)]
    public void The_partitions_of_a_count_are_contiguous_key_ranges_covering_every_key(int count)
    {
        MemberPartition.Of(0, count).FirstKey.Should().Be(0u);
        MemberPartition.Of(count - 1, count).LastKey.Should().Be(uint.MaxValue);
        for (var i = 1; i < Math.Min(count, 1000); i++)
        {
            ((ulong)MemberPartition.Of(i - 1, count).LastKey + 1).Should().Be(MemberPartition.Of(i, count).FirstKey);
        }
    }

    [Fact]
    public void The_key_is_fnv1a_64_over_utf8_mixed_by_fmix64_upper_half()
    {
        // FNV-1a 64 published test vectors (Fowler, Noll, Vo; http://www.isthe.com/chongo/tech/comp/fnv/): "" → cbf29ce484222325, "a" → af63dc4c8601ec8c, "foobar" → 85944171f73967e8.
        Fnv1a64("").Should().Be(0xcbf29ce484222325UL);
        Fnv1a64("a").Should().Be(0xaf63dc4c8601ec8cUL);
        Fnv1a64("foobar").Should().Be(0x85944171f73967e8UL);
        foreach (var id in new[] { "a", "alice", "m-000001", "Zoë", "客户-42", new string('x', 128) })
        {
            MemberPartition.KeyOf(MemberId.From(id)).Should().Be((uint)(Fmix64(Fnv1a64(id)) >> 32), id);
        }
    }

    [Fact]
    public void The_key_never_changes_between_versions_processes_or_platforms()
    {
        // Stored in relational stores and shared by workers on several machines: pinned.
        new[] { "alice", "m000001", "42" }.Select(id => MemberPartition.KeyOf(MemberId.From(id))).Should().Equal(889_704_519u, 3_499_017_028u, 2_164_988_266u);
    }

    [Fact]
    public void Sequential_shop_ids_spread_evenly_over_the_partitions()
    {
        var counts = new int[4];
        for (var i = 1; i <= 10_000; i++)
        {
            var member = MemberId.From("m" + i.ToString("D6", CultureInfo.InvariantCulture));
            counts[Enumerable.Range(0, 4).Single(p => MemberPartition.Of(p, 4).Contains(member))]++;
        }

        counts.Should().AllSatisfy(c => c.Should().BeInRange(2_300, 2_700));
    }

    [Fact]
    public void Default_is_the_whole_programme()
    {
        default(MemberPartition).Should().Be(MemberPartition.All);
        MemberPartition.All.Should().Be(MemberPartition.Of(0, 1));
        MemberPartition.All.Count.Should().Be(1);
        MemberPartition.All.Index.Should().Be(0);
        MemberPartition.All.Contains(MemberId.From("anyone")).Should().BeTrue();
        MemberPartition.Of(2, 8).ToString().Should().Be("2/8");
        (MemberPartition.Of(2, 8) == MemberPartition.Of(2, 8)).Should().BeTrue();
        (MemberPartition.Of(2, 8) != MemberPartition.Of(2, 9)).Should().BeTrue();
    }

    [Theory]
    [InlineData(0, 0, "count", "The partition count must be between 1 and 65536 (was 0).")]
    [InlineData(0, 65_537, "count", "The partition count must be between 1 and 65536 (was 65537).")]
    [InlineData(3, 3, "index", "The partition index must be between 0 and 2 for 3 partitions (was 3); partitions are numbered from 0.")]
    [InlineData(-1, 3, "index", "The partition index must be between 0 and 2 for 3 partitions (was -1); partitions are numbered from 0.")]
    public void Out_of_range_partitions_are_refused(int index, int count, string parameter, string message)
    {
        var make = () => MemberPartition.Of(index, count);

        var thrown = make.Should().Throw<ArgumentOutOfRangeException>().Which;
        thrown.ParamName.Should().Be(parameter);
        thrown.Message.Should().StartWith(message);
    }

    [Fact]
    public void A_default_member_has_no_key()
    {
        var key = () => MemberPartition.KeyOf(default(MemberId));

        key.Should().Throw<ArgumentException>().WithMessage("MemberId must not be default; create one with MemberId.From(...).*");
    }

    private static ulong Fnv1a64(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }

        return hash;
    }

    // MurmurHash3 fmix64 (Appleby, MurmurHash3.cpp).
    private static ulong Fmix64(ulong k)
    {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdUL;
        k ^= k >> 33;
        k *= 0xc4ceb9fe1a85ec53UL;
        k ^= k >> 33;
        return k;
    }
}
