namespace Loyalty.Core.Tiers;

/// <summary>Where qualifying points came from; a ladder chooses which kinds count toward a tier.</summary>
public enum EarnKind
{
    /// <summary>Points earned by a purchase (counted by default).</summary>
    Purchase = 0,

    /// <summary>Points earned by an activity: sign-up, review, survey, referral, custom event.</summary>
    Activity = 1,

    /// <summary>Points granted as a bonus or campaign gift.</summary>
    Bonus = 2,

    /// <summary>Points added or removed by a manual adjustment.</summary>
    Adjustment = 3,
}

/// <summary>The quantity a tier threshold measures over the qualification window.</summary>
public enum QualifyingMetric
{
    /// <summary>Qualifying points: the sum of points of the counted <see cref="EarnKind"/>s, net of reversals.</summary>
    Points = 0,

    /// <summary>Qualifying spend in the programme currency, net of refunds.</summary>
    Spend = 1,

    /// <summary>Number of orders, net of cancelled orders.</summary>
    Orders = 2,
}

/// <summary>How the thresholds of one tier combine.</summary>
public enum ThresholdCombination
{
    /// <summary>Every threshold must be met (the default).</summary>
    AllOf = 0,

    /// <summary>Meeting any one threshold is enough.</summary>
    AnyOf = 1,
}

/// <summary>The kind of <see cref="QualificationWindow"/>.</summary>
public enum QualificationWindowKind
{
    /// <summary>The calendar year in the programme's time zone (the default).</summary>
    CalendarYear = 0,

    /// <summary>The last N months up to the evaluation instant.</summary>
    RollingMonths = 1,

    /// <summary>The membership year starting on each anniversary of the member's enrolment date.</summary>
    AnniversaryYear = 2,

    /// <summary>Everything since the beginning; status never expires.</summary>
    Lifetime = 3,
}

/// <summary>The kind of <see cref="StatusValidity"/>.</summary>
public enum StatusValidityKind
{
    /// <summary>Valid until the end of the period following the one in which the tier was reached (the default).</summary>
    EndOfFollowingPeriod = 0,

    /// <summary>Valid until the end of the period in which the tier was reached.</summary>
    EndOfCurrentPeriod = 1,

    /// <summary>Valid for a fixed number of months after the tier was reached.</summary>
    FixedMonths = 2,
}

/// <summary>What happens to a member who did not requalify when the status validity (and grace) ends.</summary>
public enum DowngradePolicy
{
    /// <summary>Drop one level, or to the computed tier when that is higher (the default).</summary>
    OneLevel = 0,

    /// <summary>Drop to the tier the member's qualifying value supports.</summary>
    ToComputed = 1,

    /// <summary>Never downgrade: a tier once reached is kept and has no end date.</summary>
    Never = 2,
}

/// <summary>What a refund does to an upgrade it undoes.</summary>
public enum RefundPolicy
{
    /// <summary>
    /// A refund that takes the qualifying value of the window back under the current tier's
    /// requirement, in the same window as the qualification the tier rests on, revokes that
    /// upgrade (the default: a returned order never buys status).
    /// </summary>
    RevokeUpgrade = 0,

    /// <summary>The tier reached is kept until its validity ends; the refund only counts at re-evaluation.</summary>
    KeepStatus = 1,
}

/// <summary>Why a member's tier changed.</summary>
public enum TierChangeReason
{
    /// <summary>The qualifying value crossed a higher tier's threshold.</summary>
    Upgraded = 0,

    /// <summary>The status validity ended without requalification.</summary>
    DowngradedAtValidityEnd = 1,

    /// <summary>The grace period ended without requalification.</summary>
    DowngradedAfterGrace = 2,

    /// <summary>A refund took the qualifying value under the requirement of the tier it had just bought.</summary>
    UpgradeRevokedByRefund = 3,

    /// <summary>A manual assignment (for instance an invited VIP) started.</summary>
    ManualAssignmentStarted = 4,

    /// <summary>A manual assignment ended and the automatic tier applies again.</summary>
    ManualAssignmentEnded = 5,
}
