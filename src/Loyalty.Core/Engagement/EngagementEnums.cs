namespace Loyalty.Core.Engagement;

/// <summary>A way of reaching a member. Consent and contact-pressure caps are per channel.</summary>
public enum EngagementChannel
{
    /// <summary>E-mail.</summary>
    Email = 1,

    /// <summary>SMS (text message).</summary>
    Sms = 2,

    /// <summary>Push notification of the shop's app.</summary>
    Push = 3,
}

/// <summary>Whether a message is marketing (needs consent, counts against caps, waits out quiet hours) or transactional.</summary>
public enum MessageCategory
{
    /// <summary>A marketing message: sent only with the member's consent on the channel, counted and capped by the contact-pressure rules, moved out of quiet hours.</summary>
    Marketing = 1,

    /// <summary>A transactional message (a receipt, a points statement the member asked for): exempt from caps and quiet hours, never counted.</summary>
    Transactional = 2,
}

/// <summary>What made the planner consider a message.</summary>
public enum EngagementTrigger
{
    /// <summary>Points expire within the configured number of days.</summary>
    PointsExpiring = 1,

    /// <summary>The member is within the configured distance of the next tier.</summary>
    CloseToNextTier = 2,

    /// <summary>The member will drop a tier at the end of the status validity unless they requalify.</summary>
    DowngradeWarning = 3,

    /// <summary>The member is late for their next purchase by their own cycle (a relaunch), but not so late that they count as lapsed.</summary>
    PurchaseOverdue = 4,

    /// <summary>The member moved into a chosen segment (At Risk, Can't Lose Them…), or is so late by their own cycle that a relaunch no longer fits.</summary>
    WinBack = 5,

    /// <summary>The member's birthday.</summary>
    Birthday = 6,

    /// <summary>A step of the welcome series after enrolment.</summary>
    Welcome = 7,

    /// <summary>A (rewarded) survey or review invitation after an order.</summary>
    ReviewInvitation = 8,

    /// <summary>The member's balance now pays for a reward.</summary>
    AffordableReward = 9,

    /// <summary>A message the shop asked for (see <see cref="RequestedMessage"/>), usually transactional.</summary>
    Requested = 10,
}

/// <summary>A member's consent on a channel.</summary>
public enum ConsentStatus
{
    /// <summary>The member agreed to receive marketing messages on the channel.</summary>
    Granted = 1,

    /// <summary>The member opted out (or never agreed): no marketing message on the channel.</summary>
    Withdrawn = 2,
}

/// <summary>Why a candidate message is not in the plan.</summary>
public enum HoldReason
{
    /// <summary>The member has no consent on any of the trigger's channels.</summary>
    NoConsent = 1,

    /// <summary>A contact-pressure rule is already full with messages sent, until the message is no longer worth sending.</summary>
    Capped = 2,

    /// <summary>Messages of higher weight planned in the same run take the room a contact-pressure rule leaves.</summary>
    Superseded = 3,

    /// <summary>The message (same id) was already sent.</summary>
    AlreadySent = 4,
}

/// <summary>How a planned message was moved from the instant its trigger wanted.</summary>
[Flags]
public enum PlanAdjustments
{
    /// <summary>Sent when the trigger wanted.</summary>
    None = 0,

    /// <summary>Moved out of quiet hours to the next allowed instant.</summary>
    MovedByQuietHours = 1,

    /// <summary>Deferred by a contact-pressure rule to the first instant its window allows.</summary>
    DeferredByCap = 2,
}
