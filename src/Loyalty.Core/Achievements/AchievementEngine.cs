using System.Security.Cryptography;
using System.Text;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Achievements;

/// <summary>
/// Moves a member's achievements forward: pure and deterministic, no I/O, no clock. An order counts towards
/// streaks, spend thresholds and firsts; an activity towards activity and referral counts and the leaderboard
/// tallies; a refund takes back what it undoes and, under <see cref="AchievementRefundPolicy.Revoke"/>, revokes
/// an achievement whose condition no longer holds. Calendar months and years are the programme zone's.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class AchievementEngine
{
    /// <summary>How many months of activity tallies are kept (the current one and the 24 before).</summary>
    public const int TallyMonths = 25;

    /// <summary>The next state after an order, or null when the set counts no order (nothing to write).</summary>
    /// <param name="set">The achievements.</param>
    /// <param name="state">The member's state.</param>
    /// <param name="order">The order.</param>
    /// <param name="zone">The programme's time zone.</param>
    /// <returns>The change, or null.</returns>
    public static AchievementChange? ApplyOrder(AchievementSet set, MemberAchievements state, EarningOrder order, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(zone);
        if (!set.CountsOrders)
        {
            return null;
        }

        var local = order.PlacedAt.InZone(zone);
        var year = local.Year;
        var month = MonthIndex(local.Year, local.Month);
        var definitions = set.Definitions;
        var progress = Aligned(set, state);
        var causedBy = "order:" + order.Id.Value;
        List<AchievementUnlock>? unlocked = null;
        for (var i = 0; i < definitions.Count; i++)
        {
            var definition = definitions[i];
            var p = progress[i];
            bool qualifies;
            switch (definition.Kind)
            {
                case AchievementKind.Streak:
                    p = p with { Months = AddMonth(p.Months, month, 1) };
                    qualifies = LongestRun(p.Months) >= definition.Target;
                    break;
                case AchievementKind.SpendThreshold:
                    if (year < p.Year)
                    {
                        continue;
                    }

                    p = p.Year == year ? p with { Spent = p.Spent + order.NetSubtotal } : p with { Year = year, Spent = order.NetSubtotal };
                    qualifies = p.Spent >= definition.Amount;
                    break;
                case AchievementKind.FirstInCategory:
                    if (!HasCategory(order, definition.Category!))
                    {
                        continue;
                    }

                    p = Counted(p, definition, year);
                    if (p is null)
                    {
                        continue;
                    }

                    qualifies = true;
                    break;
                default:
                    continue;
            }

            progress[i] = p;
            if (qualifies)
            {
                Unlock(state, definition, year, order.PlacedAt, causedBy, zone, ref unlocked);
            }
        }

        return Next(state, progress, unlocked, null, state.Tallies);
    }

    /// <summary>The next state after an activity: its tally, and the counts of the achievements that count it.</summary>
    /// <param name="set">The achievements.</param>
    /// <param name="state">The member's state.</param>
    /// <param name="activityId">The activity's id.</param>
    /// <param name="activity">The activity.</param>
    /// <param name="zone">The programme's time zone.</param>
    /// <returns>The change.</returns>
    public static AchievementChange ApplyActivity(AchievementSet set, MemberAchievements state, ActivityId activityId, ActivityInput activity, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(activity);
        ArgumentNullException.ThrowIfNull(zone);
        var local = activity.OccurredAt.InZone(zone);
        var year = local.Year;
        var month = MonthIndex(local.Year, local.Month);
        var definitions = set.Definitions;
        var progress = Aligned(set, state);
        var causedBy = "activity:" + activityId.Value;
        List<AchievementUnlock>? unlocked = null;
        for (var i = 0; i < definitions.Count; i++)
        {
            var definition = definitions[i];
            var counts = definition.Kind switch
            {
                AchievementKind.ActivityCount => definition.Activity == activity.Kind && string.Equals(definition.EventName, activity.EventName, StringComparison.Ordinal),
                AchievementKind.ReferralCount => activity.Kind == ActivityKind.ReferralCompleted,
                _ => false,
            };
            if (!counts || Counted(progress[i], definition, year) is not { } p)
            {
                continue;
            }

            progress[i] = p;
            if (p.Count >= definition.Target)
            {
                Unlock(state, definition, year, activity.OccurredAt, causedBy, zone, ref unlocked);
            }
        }

        return Next(state, progress, unlocked, null, Tally(state.Tallies, activity.Kind, activity.EventName, month));
    }

    /// <summary>
    /// The next state after a refund: a spend threshold loses the amount refunded (in the order's year); a
    /// fully refunded order no longer counts for its month's streak or for its categories' firsts. Under
    /// <see cref="AchievementRefundPolicy.Revoke"/>, an achievement whose condition no longer holds is revoked.
    /// </summary>
    /// <param name="set">The achievements.</param>
    /// <param name="state">The member's state.</param>
    /// <param name="order">The refunded order.</param>
    /// <param name="refunded">The amount this refund gave back.</param>
    /// <param name="fullyRefunded">Whether the order's refunds now cover all of it (this one included).</param>
    /// <param name="refundedAt">When, recorded on a revocation.</param>
    /// <param name="zone">The programme's time zone.</param>
    /// <returns>The change, or null when nothing changed.</returns>
    public static AchievementChange? ApplyRefund(AchievementSet set, MemberAchievements state, EarningOrder order, decimal refunded, bool fullyRefunded, Instant refundedAt, DateTimeZone zone)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(zone);
        if (!set.CountsOrders)
        {
            return null;
        }

        var local = order.PlacedAt.InZone(zone);
        var year = local.Year;
        var month = MonthIndex(local.Year, local.Month);
        var definitions = set.Definitions;
        var progress = Aligned(set, state);
        var revoke = set.RefundPolicy == AchievementRefundPolicy.Revoke;
        var changed = false;
        List<AchievementUnlock>? revoked = null;
        for (var i = 0; i < definitions.Count; i++)
        {
            var definition = definitions[i];
            var p = progress[i];
            bool holds;
            switch (definition.Kind)
            {
                case AchievementKind.Streak when fullyRefunded:
                    p = p with { Months = AddMonth(p.Months, month, -1) };
                    holds = LongestRun(p.Months) >= definition.Target;
                    break;
                case AchievementKind.SpendThreshold when p.Year == year && refunded > 0m:
                    p = p with { Spent = p.Spent - refunded };
                    holds = p.Spent >= definition.Amount;
                    break;
                case AchievementKind.FirstInCategory when fullyRefunded && HasCategory(order, definition.Category!) && (definition.Validity == AchievementValidity.Permanent || p.Year == year) && p.Count > 0:
                    p = p with { Count = p.Count - 1 };
                    holds = p.Count > 0;
                    break;
                default:
                    continue;
            }

            progress[i] = p;
            changed = true;
            if (!holds && revoke)
            {
                var key = definition.Validity == AchievementValidity.CalendarYear ? year : 0;
                if (LiveUnlock(state.Unlocks, definition.Id, key) is { } live)
                {
                    (revoked ??= []).Add(live with { RevokedAt = refundedAt });
                }
            }
        }

        return changed ? Next(state, progress, null, revoked, state.Tallies) : null;
    }

    /// <summary>Each achievement of the set as the member sees it at an instant: progress this year for yearly ones and spend thresholds.</summary>
    /// <param name="set">The achievements.</param>
    /// <param name="state">The member's state, or null when nothing was recorded.</param>
    /// <param name="zone">The programme's time zone.</param>
    /// <param name="asOf">The instant.</param>
    /// <returns>One status per definition, in the set's order.</returns>
    public static IReadOnlyList<AchievementStatus> Status(AchievementSet set, MemberAchievements? state, DateTimeZone zone, Instant asOf)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(zone);
        var year = asOf.InZone(zone).Year;
        var progress = state is null ? null : Aligned(set, state);
        var result = new AchievementStatus[set.Definitions.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var d = set.Definitions[i];
            var p = progress?[i] ?? AchievementProgress.Start(d.Id);
            var yearly = d.Validity == AchievementValidity.CalendarYear;
            var current = !yearly || p.Year == year;
            var (value, target) = d.Kind switch
            {
                AchievementKind.Streak => (Math.Min(LongestRun(p.Months), d.Target), d.Target),
                AchievementKind.SpendThreshold => (p.Year == year ? (long)decimal.Floor(Math.Clamp(p.Spent, 0m, d.Amount)) : 0, (long)decimal.Ceiling(d.Amount)),
                AchievementKind.FirstInCategory => (current ? Math.Min(p.Count, 1) : 0, 1L),
                _ => (current ? Math.Min(p.Count, d.Target) : 0, d.Target),
            };
            var live = state is null ? null : LiveUnlock(state.Unlocks, d.Id, yearly ? year : 0);
            result[i] = new AchievementStatus(d.Id, d.Name, d.Kind, value, target, live?.UnlockedAt, live?.ValidUntil);
        }

        return result;
    }

    /// <summary>The ledger transaction of an unlock's bonus: derived from the member, the achievement, its year and how many times it was unlocked before, so a retry credits it once.</summary>
    /// <param name="member">The member.</param>
    /// <param name="achievementId">The achievement.</param>
    /// <param name="year">The unlock's year (0 for a permanent achievement).</param>
    /// <param name="previousUnlocks">How many unlocks of the same achievement and year came before (revoked ones).</param>
    /// <returns>The transaction id.</returns>
    public static TransactionId BonusTransaction(MemberId member, string achievementId, int year, int previousUnlocks)
    {
        var text = $"achievement:{achievementId}:{year}:{previousUnlocks}:{member.Value}";
        return TransactionId.From(text.Length <= Identifier.MaxLength
            ? text
            : "achievement:#" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant());
    }

    /// <summary>Year × 12 + month − 1.</summary>
    internal static int MonthIndex(int year, int month) => (year * 12) + month - 1;

    private static AchievementProgress? Counted(AchievementProgress p, AchievementDefinition definition, int year)
    {
        if (definition.Validity != AchievementValidity.CalendarYear)
        {
            return p with { Count = p.Count + 1 };
        }

        if (year < p.Year)
        {
            return null; // A late record of a past year no longer counts for this year's badge.
        }

        return p.Year == year ? p with { Count = p.Count + 1 } : p with { Year = year, Count = 1 };
    }

    private static void Unlock(MemberAchievements state, AchievementDefinition definition, int year, Instant at, string causedBy, DateTimeZone zone, ref List<AchievementUnlock>? unlocked)
    {
        var yearly = definition.Validity == AchievementValidity.CalendarYear;
        var key = yearly ? year : 0;
        if (LiveUnlock(state.Unlocks, definition.Id, key) is not null || (unlocked?.Exists(u => u.AchievementId == definition.Id && u.Year == key) ?? false))
        {
            return;
        }

        var previous = 0;
        foreach (var u in state.Unlocks)
        {
            if (u.Year == key && string.Equals(u.AchievementId, definition.Id, StringComparison.Ordinal))
            {
                previous++;
            }
        }

        var bonus = definition.BonusPoints > 0 ? BonusTransaction(state.MemberId, definition.Id, key, previous) : (TransactionId?)null;
        var validUntil = yearly ? new LocalDate(year + 1, 1, 1).AtStartOfDayInZone(zone).ToInstant() : (Instant?)null;
        (unlocked ??= []).Add(new AchievementUnlock(definition.Id, key, at, causedBy, definition.BonusPoints, bonus, validUntil));
    }

    private static AchievementUnlock? LiveUnlock(IReadOnlyList<AchievementUnlock> unlocks, string id, int year)
    {
        for (var i = unlocks.Count - 1; i >= 0; i--)
        {
            var u = unlocks[i];
            if (u.Year == year && u.RevokedAt is null && string.Equals(u.AchievementId, id, StringComparison.Ordinal))
            {
                return u;
            }
        }

        return null;
    }

    private static AchievementChange Next(MemberAchievements state, AchievementProgress[] progress, List<AchievementUnlock>? unlocked, List<AchievementUnlock>? revoked, IReadOnlyList<ActivityTally> tallies)
    {
        IReadOnlyList<AchievementUnlock> unlocks = state.Unlocks;
        if (revoked is not null)
        {
            var list = unlocks.ToList();
            foreach (var r in revoked)
            {
                var at = list.FindLastIndex(u => u.AchievementId == r.AchievementId && u.Year == r.Year && u.RevokedAt is null);
                list[at] = r;
            }

            unlocks = list;
        }

        if (unlocked is not null)
        {
            unlocks = [.. unlocks, .. unlocked];
        }

        var next = state with { Progress = progress, Unlocks = unlocks, Tallies = tallies, Version = state.Version + 1 };
        return new AchievementChange(next, (IReadOnlyList<AchievementUnlock>?)unlocked ?? [], (IReadOnlyList<AchievementUnlock>?)revoked ?? []);
    }

    /// <summary>The state's progress aligned on the set's definitions (a copy to change): by position when the set is unchanged, by id otherwise.</summary>
    private static AchievementProgress[] Aligned(AchievementSet set, MemberAchievements state)
    {
        var definitions = set.Definitions;
        var kept = state.Progress;
        var result = new AchievementProgress[definitions.Count];
        Dictionary<string, AchievementProgress>? byId = null;
        for (var i = 0; i < result.Length; i++)
        {
            var id = definitions[i].Id;
            if (i < kept.Count && string.Equals(kept[i].AchievementId, id, StringComparison.Ordinal))
            {
                result[i] = kept[i];
                continue;
            }

            byId ??= kept.ToDictionary(p => p.AchievementId, StringComparer.Ordinal);
            result[i] = byId.TryGetValue(id, out var found) ? found : AchievementProgress.Start(id);
        }

        return result;
    }

    private static bool HasCategory(EarningOrder order, string category)
    {
        foreach (var line in order.Lines)
        {
            foreach (var c in line.Categories)
            {
                if (string.Equals(c, category, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static IReadOnlyList<MonthOrders> AddMonth(IReadOnlyList<MonthOrders> months, int month, int delta)
    {
        var list = new List<MonthOrders>(months.Count + 1);
        var placed = false;
        foreach (var m in months)
        {
            if (!placed && m.Month >= month)
            {
                placed = true;
                if (m.Month == month)
                {
                    if (m.Orders + delta > 0)
                    {
                        list.Add(m with { Orders = m.Orders + delta });
                    }

                    continue;
                }

                if (delta > 0)
                {
                    list.Add(new MonthOrders(month, delta));
                }
            }

            list.Add(m);
        }

        if (!placed && delta > 0)
        {
            list.Add(new MonthOrders(month, delta));
        }

        return list;
    }

    internal static long LongestRun(IReadOnlyList<MonthOrders> months)
    {
        long best = 0, run = 0;
        var previous = int.MinValue;
        foreach (var m in months)
        {
            run = m.Month == previous + 1 ? run + 1 : 1;
            best = Math.Max(best, run);
            previous = m.Month;
        }

        return best;
    }

    private static IReadOnlyList<ActivityTally> Tally(IReadOnlyList<ActivityTally> tallies, ActivityKind kind, string? eventName, int month)
    {
        var list = new List<ActivityTally>(tallies.Count + 1);
        var latest = month;
        foreach (var t in tallies)
        {
            latest = Math.Max(latest, t.Month);
        }

        var found = false;
        foreach (var t in tallies)
        {
            if (t.Month <= latest - TallyMonths)
            {
                continue;
            }

            if (t.Kind == kind && t.Month == month && string.Equals(t.EventName, eventName, StringComparison.Ordinal))
            {
                list.Add(t with { Count = t.Count + 1 });
                found = true;
            }
            else
            {
                list.Add(t);
            }
        }

        if (!found && month > latest - TallyMonths)
        {
            list.Add(new ActivityTally(kind, eventName, month, 1));
        }

        return list;
    }
}
