using Loyalty.Core.Internal;

namespace Loyalty.Core.Tiers;

/// <summary>How long a tier holds once reached or requalified.</summary>
/// <remarks>
/// Immutable and thread-safe. <c>default(StatusValidity)</c> is <see cref="EndOfFollowingPeriod"/>:
/// Gold reached in March 2025 with calendar-year qualification holds until 31 December 2026.
/// For a rolling window of N months a "period" is N months from the qualifying instant.
/// </remarks>
public readonly record struct StatusValidity
{
    /// <summary>The longest fixed validity accepted: 120 months.</summary>
    public const int MaxMonths = 120;

    private StatusValidity(StatusValidityKind kind, int months)
    {
        Kind = kind;
        Months = months;
    }

    /// <summary>The kind of validity.</summary>
    public StatusValidityKind Kind { get; }

    /// <summary>The number of months of a fixed validity; 0 for other kinds.</summary>
    public int Months { get; }

    /// <summary>Until the end of the period following the qualifying one (the default).</summary>
    public static StatusValidity EndOfFollowingPeriod => new(StatusValidityKind.EndOfFollowingPeriod, 0);

    /// <summary>Until the end of the qualifying period itself.</summary>
    public static StatusValidity EndOfCurrentPeriod => new(StatusValidityKind.EndOfCurrentPeriod, 0);

    /// <summary>For a fixed number of months after the qualifying instant (in the programme's zone).</summary>
    /// <param name="months">Between 1 and <see cref="MaxMonths"/>.</param>
    /// <returns>The validity.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="months"/> is outside 1..120.</exception>
    public static StatusValidity FixedMonths(int months) =>
        new(StatusValidityKind.FixedMonths, Preconditions.CheckInRange(months, 1, MaxMonths));

    /// <summary>A readable form.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => Kind == StatusValidityKind.FixedMonths ? $"FixedMonths({Months})" : Kind.ToString();
}
