using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;

namespace Loyalty.Core.Programs;

/// <summary>
/// What one maintenance run covers and how it walks it: a partition of the members (so several
/// workers split one night without overlap), the page size, the horizon of expiry warnings, and
/// where to resume.
/// </summary>
/// <remarks>
/// <para>Immutable. Validated when the run starts: a bad value throws an
/// <see cref="ArgumentException"/> naming the property and its valid range.</para>
/// <para>A night split <c>n</c> ways is <c>n</c> runs with the same instant and partitions
/// <c>0</c> to <c>n − 1</c> of <c>n</c> (<see cref="ForPartition"/>), on one machine or many: each
/// member is maintained by exactly one of them. Re-running a page, a partition or the whole night
/// changes nothing twice.</para>
/// </remarks>
public sealed record MaintenanceScope
{
    /// <summary>The default page size, 500 members.</summary>
    public const int DefaultPageSize = 500;

    /// <summary>The largest page size, 10,000 members.</summary>
    public const int MaxPageSize = 10_000;

    /// <summary>The whole programme, in pages of <see cref="DefaultPageSize"/>, warning of expiry 30 days ahead.</summary>
    public static MaintenanceScope Whole { get; } = new();

    /// <summary>Partition <paramref name="index"/> of <paramref name="count"/> (see <see cref="MemberPartition"/>), other settings at their defaults.</summary>
    /// <param name="index">The partition's number, 0 to <paramref name="count"/> − 1.</param>
    /// <param name="count">The number of partitions (workers), 1 to <see cref="MemberPartition.MaxCount"/>.</param>
    /// <returns>The scope.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> or <paramref name="index"/> is out of range.</exception>
    public static MaintenanceScope ForPartition(int index, int count) => new() { Partition = MemberPartition.Of(index, count) };

    /// <summary>The members covered: <see cref="MemberPartition.All"/> (the default) or one partition of several.</summary>
    public MemberPartition Partition { get; init; }

    /// <summary>Members read, maintained and reported per page: 1 to <see cref="MaxPageSize"/>, <see cref="DefaultPageSize"/> by default.</summary>
    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>The horizon of the expiry warnings, 1 to 3,660 days; 30 by default.</summary>
    public int ExpiryWarningDays { get; init; } = 30;

    /// <summary>
    /// Start after this member (the <see cref="MaintenanceProgress.LastMemberId"/> of the last page a
    /// stopped run reported), or null (the default) to start at the beginning of the partition.
    /// </summary>
    public MemberId? ResumeAfter { get; init; }

    internal void Validate()
    {
        if (PageSize < 1 || PageSize > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException("scope", PageSize, $"scope.PageSize must be between 1 and {MaxPageSize} (was {PageSize}).");
        }

        if (ExpiryWarningDays < 1 || ExpiryWarningDays > 3660)
        {
            throw new ArgumentOutOfRangeException("scope", ExpiryWarningDays, $"scope.ExpiryWarningDays must be between 1 and 3660 (was {ExpiryWarningDays}).");
        }

        if (ResumeAfter is { IsDefault: true })
        {
            throw new ArgumentException("scope.ResumeAfter must not be default(MemberId); pass null to start at the beginning of the partition.", "scope");
        }
    }
}

/// <summary>Progress of a maintenance run, reported once per page (see <see cref="LoyaltyProgram.RunMaintenanceAsync(NodaTime.Instant, MaintenanceScope, IProgress{MaintenanceProgress}?, CancellationToken)"/>).</summary>
/// <remarks>Immutable. Counts are cumulative since the start of the run.</remarks>
public sealed record MaintenanceProgress
{
    /// <summary>The partition the run covers.</summary>
    public required MemberPartition Partition { get; init; }

    /// <summary>The number of the page just finished, from 1.</summary>
    public required int Page { get; init; }

    /// <summary>The members read in this page.</summary>
    public required int MembersInPage { get; init; }

    /// <summary>The members read so far.</summary>
    public required long MembersRead { get; init; }

    /// <summary>The members maintained so far (read and enrolled by the run's instant).</summary>
    public required long MembersExamined { get; init; }

    /// <summary>The last member of the page: pass it as <see cref="MaintenanceScope.ResumeAfter"/> to resume after this page.</summary>
    public required MemberId LastMemberId { get; init; }

    /// <summary>The points expired so far.</summary>
    public required Points PointsExpired { get; init; }

    /// <summary>The tier changes so far.</summary>
    public required int TierChanges { get; init; }
}
