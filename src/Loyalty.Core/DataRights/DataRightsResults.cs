using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.DataRights;

/// <summary>The outcome of a data-rights request; stable codes to branch on.</summary>
public enum DataRightsStatus
{
    /// <summary>Done.</summary>
    Completed = 1,

    /// <summary>Nothing was done: no store holds anything under the member id (never enrolled, or already erased or rectified away).</summary>
    UnknownMember = 2,

    /// <summary>Nothing was done: the request id was already handled; the result is the recorded one.</summary>
    AlreadyCompleted = 3,

    /// <summary>Nothing was done: the new id of a rectification is already used by a member.</summary>
    TargetInUse = 4,

    /// <summary>Nothing was done: the member a merge moves points to is not enrolled.</summary>
    TargetUnknown = 5,

    /// <summary>Nothing was done: the request names the same member twice.</summary>
    SameMember = 6,

    /// <summary>Nothing was done: the request id was already used for another request (another action or member).</summary>
    RequestIdInUse = 7,

    /// <summary>Nothing was kept: the member's data kept changing under the request (concurrent writes); retry.</summary>
    Conflict = 8,

    /// <summary>Nothing was done: the member id was erased earlier (it carries an erasure marker, see <see cref="DataRightsOptions.ErasureMarkerKey"/>).</summary>
    AlreadyErased = 9,
}

/// <summary>Who asks for a data-rights request and under which id (the idempotency and audit key, e.g. the shop's ticket number).</summary>
/// <param name="RequestId">1 to 100 characters, no control character; unique per request in the programme.</param>
/// <param name="RequestedBy">Who asked: an operator, a service, <c>member</c>; 1 to 200 characters.</param>
public sealed record DataRightsRequest(string RequestId, string RequestedBy)
{
    /// <summary>The longest request id.</summary>
    public const int MaxRequestIdLength = 100;

    /// <summary>The longest requester.</summary>
    public const int MaxRequestedByLength = 200;

    internal void Validate(string paramName)
    {
        Check(RequestId, nameof(RequestId), MaxRequestIdLength, paramName);
        Check(RequestedBy, nameof(RequestedBy), MaxRequestedByLength, paramName);
    }

    private static void Check(string? value, string name, int max, string paramName)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"The request's {name} must not be empty; give e.g. the shop's ticket number and who asked.", paramName);
        }

        if (value.Length > max)
        {
            throw new ArgumentException($"The request's {name} must be at most {max} characters (was {value.Length}).", paramName);
        }

        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException($"The request's {name} must not contain control characters (found U+{(int)c:X4}).", paramName);
            }
        }
    }
}

/// <summary>The result of a data-rights request.</summary>
/// <remarks>Immutable.</remarks>
public sealed record DataRightsResult
{
    /// <summary>The outcome.</summary>
    public required DataRightsStatus Status { get; init; }

    /// <summary>A sentence for logs and operators: what was done, or why not and what to do.</summary>
    public required string Message { get; init; }

    /// <summary>True when <see cref="Status"/> is <see cref="DataRightsStatus.Completed"/> or <see cref="DataRightsStatus.AlreadyCompleted"/>.</summary>
    public bool Succeeded => Status is DataRightsStatus.Completed or DataRightsStatus.AlreadyCompleted;

    /// <summary>Records exported or rewritten, per store section (empty when nothing was done).</summary>
    public IReadOnlyDictionary<string, int> Sections { get; init; } = new Dictionary<string, int>();

    /// <summary>The points moved by a merge; zero otherwise.</summary>
    public Points PointsMoved { get; init; }

    /// <summary>The audit entry of the request (the earlier one for <see cref="DataRightsStatus.AlreadyCompleted"/>), or null when nothing was recorded.</summary>
    public DataRightsAuditEntry? Audit { get; init; }
}

/// <summary>A member past the retention limit.</summary>
/// <param name="MemberId">The member.</param>
/// <param name="LastActiveAt">The member's last purchase, own activity, redemption or enrolment.</param>
public sealed record InactiveMember(MemberId MemberId, Instant LastActiveAt);

/// <summary>A page of the retention listing.</summary>
/// <param name="Cutoff">Members last active before this instant are listed: the retention period before the as-of instant, in the programme's time zone.</param>
/// <param name="Members">The inactive members of the page, in page order.</param>
/// <param name="ContinueAfter">Pass as <c>after</c> for the next page, or null at the end.</param>
/// <param name="Examined">The members examined for this page (erased members, kept under their pseudonyms, are skipped and not counted).</param>
public sealed record RetentionPage(Instant Cutoff, IReadOnlyList<InactiveMember> Members, MemberId? ContinueAfter, int Examined);

/// <summary>What a retention run erased.</summary>
/// <param name="Cutoff">The retention cut-off used.</param>
/// <param name="Examined">The members examined.</param>
/// <param name="Erased">The members erased.</param>
/// <param name="Failed">The members whose erasure ended in conflict (left for the next run).</param>
public sealed record RetentionRunResult(Instant Cutoff, int Examined, int Erased, int Failed);
