namespace Loyalty.Core.Storage;

/// <summary>A member read for a batch run (<see cref="IMemberStore.ReadMemberPageAsync"/>): the profile and everything recorded for the member.</summary>
/// <param name="Member">The member's record.</param>
/// <param name="History">The member's orders, refunds and activities, each in time order, as <see cref="IMemberStore.GetHistoryAsync"/> returns them.</param>
public sealed record MemberPageEntry(MemberRecord Member, MemberHistory History);

/// <summary>One conditional member update of a batch (<see cref="IMemberStore.UpdateMembersAsync"/>).</summary>
/// <param name="Member">The new record, whose version is <paramref name="ExpectedVersion"/> + 1.</param>
/// <param name="ExpectedVersion">The version read.</param>
public readonly record struct MemberUpdate(MemberRecord Member, long ExpectedVersion);
