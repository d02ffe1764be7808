using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Earning;

/// <summary>The kinds of member activity that can earn points.</summary>
public enum ActivityKind
{
    /// <summary>The member joined the programme.</summary>
    SignUp = 0,

    /// <summary>The member wrote a product review.</summary>
    Review = 1,

    /// <summary>The member answered a survey.</summary>
    Survey = 2,

    /// <summary>The member's birthday.</summary>
    Birthday = 3,

    /// <summary>Someone the member referred completed their first purchase.</summary>
    ReferralCompleted = 4,

    /// <summary>A shop-defined event, named by <see cref="ActivityInput.EventName"/>.</summary>
    Custom = 5,
}

/// <summary>A member activity to evaluate against the activity rules.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class ActivityInput
{
    /// <summary>Creates an activity.</summary>
    /// <param name="kind">The kind of activity.</param>
    /// <param name="member">The member.</param>
    /// <param name="occurredAt">When it happened; picks the calendar period for limits.</param>
    /// <param name="eventName">For <see cref="ActivityKind.Custom"/>, the event's name (required); otherwise null.</param>
    /// <exception cref="ArgumentException">An argument is invalid; the message says which and why.</exception>
    public ActivityInput(ActivityKind kind, MemberId member, Instant occurredAt, string? eventName = null)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, $"kind must be one of {string.Join(", ", Enum.GetNames<ActivityKind>())} (was {(int)kind}).");
        }

        Preconditions.CheckNotDefault(member.IsDefault, nameof(MemberId), nameof(member));
        if (kind == ActivityKind.Custom && string.IsNullOrWhiteSpace(eventName))
        {
            throw new ArgumentException("eventName is required for a Custom activity; give the event's name, e.g. \"newsletter-signup\".", nameof(eventName));
        }

        if (kind != ActivityKind.Custom && eventName is not null)
        {
            throw new ArgumentException($"eventName is only for Custom activities (kind was {kind}); pass null.", nameof(eventName));
        }

        Kind = kind;
        Member = member;
        OccurredAt = occurredAt;
        EventName = eventName;
    }

    /// <summary>The kind of activity.</summary>
    public ActivityKind Kind { get; }

    /// <summary>The member.</summary>
    public MemberId Member { get; }

    /// <summary>When it happened.</summary>
    public Instant OccurredAt { get; }

    /// <summary>The custom event's name, or null.</summary>
    public string? EventName { get; }

    /// <summary>The merchant where the activity happened (a coalition partner), or null for the programme's own shop; recorded on the activity's points.</summary>
    /// <exception cref="ArgumentException">The value is <c>default(MerchantId)</c>.</exception>
    public MerchantId? Merchant
    {
        get;
        init
        {
            if (value is { IsDefault: true })
            {
                throw new ArgumentException("Merchant must be a merchant id or null for the programme's own shop, not default(MerchantId).", nameof(Merchant));
            }

            field = value;
        }
    }
}
