using System.Globalization;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Households;

/// <summary>Whose points a pooled redemption spends first.</summary>
/// <remarks>The numeric values are stable.</remarks>
public enum HouseholdSpendingOrder
{
    /// <summary>The owner's available points first, then each other member's in the order they joined.</summary>
    OwnerFirst = 1,

    /// <summary>Every member pays in proportion to their available points (largest remainders round up, earliest joiner first on a tie).</summary>
    Proportional = 2,
}

/// <summary>One member of a household.</summary>
/// <param name="MemberId">The member.</param>
/// <param name="JoinedAt">When they joined.</param>
public sealed record HouseholdMember(MemberId MemberId, Instant JoinedAt);

/// <summary>
/// A household (family pool): members who keep their own earnings, balances and tiers but whose
/// available points a pooled redemption may spend together. Also the persisted record.
/// </summary>
/// <remarks>Immutable. A member belongs to at most one household of a programme.</remarks>
public sealed record Household
{
    /// <summary>The programme.</summary>
    public required ProgramId ProgramId { get; init; }

    /// <summary>The household's id.</summary>
    public required HouseholdId Id { get; init; }

    /// <summary>The member who created it (the first member).</summary>
    public required MemberId Owner { get; init; }

    /// <summary>When it was created.</summary>
    public required Instant CreatedAt { get; init; }

    /// <summary>The members, in the order they joined (the owner first).</summary>
    public required IReadOnlyList<HouseholdMember> Members { get; init; }

    /// <summary>Whether <paramref name="memberId"/> belongs to the household.</summary>
    /// <param name="memberId">The member.</param>
    /// <returns>True when a member.</returns>
    public bool Contains(MemberId memberId) => Members.Any(m => m.MemberId == memberId);

    /// <summary>The household in one line, e.g. <c>martin: alice (owner), bob</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Id}: " + string.Join(", ", Members.Select(m => m.MemberId == Owner ? $"{m.MemberId} (owner)" : m.MemberId.ToString()));
}

/// <summary>One member's share of a pooled redemption.</summary>
/// <param name="MemberId">The member.</param>
/// <param name="Points">The points the member paid.</param>
public sealed record HouseholdContribution(MemberId MemberId, Points Points);

/// <summary>The limits and spending order of households.</summary>
/// <remarks>A mutable options class bound from configuration (section <see cref="SectionName"/>); <see cref="Validate"/> lists every problem.</remarks>
public sealed class HouseholdOptions
{
    /// <summary>The configuration section these options bind from: <c>Loyalty:Households</c>.</summary>
    public const string SectionName = "Loyalty:Households";

    /// <summary>The most members a household may have, owner included, 2 to 50. Default 6.</summary>
    public int MaxMembers { get; set; } = 6;

    /// <summary>Whose points a pooled redemption spends first. Default <see cref="HouseholdSpendingOrder.OwnerFirst"/>.</summary>
    public HouseholdSpendingOrder SpendingOrder { get; set; } = HouseholdSpendingOrder.OwnerFirst;

    /// <summary>
    /// Whether the members of a household qualify for tiers together: when true, the tier the programme
    /// evaluates and holds for a member sharing a household (earning multipliers, reward access, quotes,
    /// the member summary, the status stored after each order, refund and activity, maintenance) counts
    /// their own qualifying history plus each other member's recorded from the later of their two joining
    /// instants on, and joining or leaving re-evaluates the members' tiers at once;
    /// <c>HouseholdService.EvaluatePooledTierAsync</c> answers the same evaluation for any past instant.
    /// Default false: tier qualification stays per member and that call is refused.
    /// </summary>
    public bool PooledTierQualification { get; set; }

    /// <summary>Every problem with the options, each naming its configuration path and how to fix it; empty when valid.</summary>
    /// <returns>The problems.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxMembers is < 2 or > 50)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{SectionName}:MaxMembers must be 2 to 50 (was {MaxMembers})."));
        }

        if (!Enum.IsDefined(SpendingOrder))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{SectionName}:SpendingOrder must be OwnerFirst or Proportional (was {(int)SpendingOrder})."));
        }

        return errors;
    }
}
