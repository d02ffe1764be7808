using Loyalty.Core.Primitives;
using Loyalty.Core.Segmentation;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Engagement;

/// <summary>
/// What one planning run covers and how it walks it, as for maintenance: a partition of the members
/// (so several workers split the run without overlap), the page size, and where to resume.
/// </summary>
/// <remarks>Immutable. Validated when the run starts: a bad value throws an <see cref="ArgumentException"/> naming the property and its valid range.</remarks>
public sealed record EngagementScope
{
    /// <summary>The default page size, 500 members.</summary>
    public const int DefaultPageSize = 500;

    /// <summary>The largest page size, 10,000 members.</summary>
    public const int MaxPageSize = 10_000;

    /// <summary>The whole programme, in pages of <see cref="DefaultPageSize"/>.</summary>
    public static EngagementScope Whole { get; } = new();

    /// <summary>Partition <paramref name="index"/> of <paramref name="count"/> (see <see cref="MemberPartition"/>).</summary>
    /// <param name="index">The partition's number, 0 to <paramref name="count"/> − 1.</param>
    /// <param name="count">The number of partitions, 1 to <see cref="MemberPartition.MaxCount"/>.</param>
    /// <returns>The scope.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> or <paramref name="index"/> is out of range.</exception>
    public static EngagementScope ForPartition(int index, int count) => new() { Partition = MemberPartition.Of(index, count) };

    /// <summary>The members covered: <see cref="MemberPartition.All"/> (the default) or one partition of several.</summary>
    public MemberPartition Partition { get; init; }

    /// <summary>Members read and planned per page: 1 to <see cref="MaxPageSize"/>, <see cref="DefaultPageSize"/> by default.</summary>
    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>Start after this member (the <see cref="EngagementPage.LastMemberId"/> of the last page a stopped run planned), or null from the start of the partition.</summary>
    public MemberId? ResumeAfter { get; init; }

    internal void Validate()
    {
        if (PageSize < 1 || PageSize > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException("scope", PageSize, $"scope.PageSize must be between 1 and {MaxPageSize} (was {PageSize}).");
        }

        if (ResumeAfter is { IsDefault: true })
        {
            throw new ArgumentException("scope.ResumeAfter must not be default(MemberId); pass null to start at the beginning of the partition.", "scope");
        }
    }
}

/// <summary>One page of a planning run.</summary>
/// <param name="Number">The page's number, from 1.</param>
/// <param name="LastMemberId">The page's last member: pass it as <see cref="EngagementScope.ResumeAfter"/> to resume after this page.</param>
/// <param name="Plan">The plan of the page's members.</param>
public sealed record EngagementPage(int Number, MemberId LastMemberId, EngagementPlan Plan);

/// <summary>
/// The members' segments for the win-back trigger: the current segment of each member and, for those who
/// moved since the previous segmentation, the date they were first seen in it.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class EngagementSegments
{
    private readonly Dictionary<MemberId, (string Segment, LocalDate? EnteredOn)> segments;

    private EngagementSegments(Dictionary<MemberId, (string, LocalDate?)> segments) => this.segments = segments;

    /// <summary>No segment known.</summary>
    public static EngagementSegments None { get; } = new([]);

    /// <summary>
    /// The segments of <paramref name="current"/>; a member in another segment in <paramref name="previous"/>
    /// entered its current one on <paramref name="current"/>'s as-of date. A member absent from the previous
    /// result (a new customer) did not move.
    /// </summary>
    /// <param name="current">The latest segmentation.</param>
    /// <param name="previous">The one before, or null (no one moved).</param>
    /// <returns>The segments.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="current"/> is null.</exception>
    public static EngagementSegments FromResults(RfmpResult current, RfmpResult? previous)
    {
        ArgumentNullException.ThrowIfNull(current);
        var before = previous?.Customers.ToDictionary(c => c.Customer, c => c.Segment) ?? [];
        var map = new Dictionary<MemberId, (string, LocalDate?)>(current.Customers.Count);
        foreach (var customer in current.Customers)
        {
            var moved = before.TryGetValue(customer.Customer, out var was) && !string.Equals(was, customer.Segment, StringComparison.Ordinal);
            map[customer.Customer] = (customer.Segment, moved ? current.AsOfDate : null);
        }

        return new EngagementSegments(map);
    }

    /// <summary>Segments given member by member: the segment and the date the member entered it (null when not known to have moved).</summary>
    /// <param name="segments">The members' segments.</param>
    /// <returns>The segments.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="segments"/> is null.</exception>
    public static EngagementSegments Create(IEnumerable<(MemberId Member, string Segment, LocalDate? EnteredOn)> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        return new EngagementSegments(segments.ToDictionary(s => s.Member, s => (s.Segment, s.EnteredOn)));
    }

    /// <summary>A member's segment and entry date.</summary>
    /// <param name="memberId">The member.</param>
    /// <returns>The segment (null when unknown) and the entry date.</returns>
    public (string? Segment, LocalDate? EnteredOn) Of(MemberId memberId) =>
        segments.TryGetValue(memberId, out var found) ? found : (null, null);
}
