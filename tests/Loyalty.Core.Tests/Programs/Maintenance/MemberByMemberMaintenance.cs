using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.Tests.Programs.Maintenance;

#pragma warning disable CA2007 // Shared with the benchmarks, which run it without a synchronisation context.

/// <summary>
/// The reference: maintenance as the programme ran it member by member before it paged (the whole
/// programme's expiry sweep first, then each member read, its birthday, its account, its expiry
/// schedule, its history replayed through <see cref="TierEvaluator.Evaluate"/> and its record
/// written), on the public store and ledger API. The paged runner must give the same report and
/// leave the same state.
/// </summary>
internal static class MemberByMemberMaintenance
{
    public static async Task<MaintenanceReport> RunAsync(LoyaltyProgram facade, IMemberStore members, ILedgerStore ledgerStore, PointsLedger ledger, Instant asOf, int expiryWarningDays = 30)
    {
        var program = facade.Settings.ProgramId;
        var zone = facade.Settings.TimeZone;
        var currency = facade.Settings.Currency;
        var evaluator = new TierEvaluator(facade.Tiers);
        var expiry = await ledger.ExpireDueAsync(asOf);
        var activated = new List<PointsActivated>();
        var expiring = new List<ExpiryWarning>();
        var changes = new List<MemberTierChange>();
        var warnings = new List<DowngradeWarning>();
        var birthdays = new List<BirthdayGrant>();
        var examined = 0;
        MemberId? after = null;
        while (true)
        {
            var page = await members.ListMembersAsync(program, after, 500);
            foreach (var memberId in page)
            {
                var member = await members.GetMemberAsync(program, memberId);
                if (member is null || member.EnrolledAt > asOf)
                {
                    continue;
                }

                examined++;
                if (member.BirthDate is { } birthDate)
                {
                    var year = asOf.InZone(zone).Year;
                    var birthday = new AnnualDate(birthDate.Month, birthDate.Day).InYear(year);
                    var startsAt = birthday.AtStartOfDayInZone(zone).ToInstant();
                    var activityId = DerivedIds.Birthday(memberId, year);
                    if (startsAt <= asOf && birthday >= member.EnrolledAt.InZone(zone).Date && await members.GetActivityAsync(program, activityId) is null)
                    {
                        var result = await facade.RecordActivityAsync(activityId, new ActivityInput(ActivityKind.Birthday, memberId, startsAt));
                        if (result.Value is { Points.IsPositive: true } receipt)
                        {
                            birthdays.Add(new BirthdayGrant(memberId, birthday, receipt.Points));
                        }
                    }
                }

                var since = member.LastMaintainedAt;
                if (since is null || since < asOf)
                {
                    var account = await ledgerStore.GetAccountAsync(new LedgerAccountKey(program, memberId));
                    var becameAvailable = account.OpenLots
                        .Where(l => l.AvailableAt > l.CreatedAt && l.AvailableAt <= asOf && (since is null || l.AvailableAt > since))
                        .Sum(l => l.Remaining);
                    if (becameAvailable > 0)
                    {
                        activated.Add(new PointsActivated(memberId, Points.FromInt64(becameAvailable)));
                    }
                }

                var schedule = await ledger.GetExpiryScheduleAsOfAsync(memberId, expiryWarningDays, asOf);
                if (schedule.Count > 0)
                {
                    expiring.Add(new ExpiryWarning(memberId, schedule));
                }

                var history = await members.GetHistoryAsync(program, memberId);
                var evaluation = evaluator.Evaluate(TierMemberOf(member, history, currency), asOf);
                var previous = member.TierStatus?.Tier ?? facade.Tiers.EntryTier.Id;
                if (previous != evaluation.Tier.Id)
                {
                    var reason = evaluation.Changes.LastOrDefault(c => c.To == evaluation.Tier.Id).Reason;
                    changes.Add(new MemberTierChange(memberId, previous, evaluation.Tier.Id, reason));
                }

                if (evaluation.DowngradeWarning)
                {
                    warnings.Add(new DowngradeWarning(memberId, evaluation.Tier.Id, evaluation.ProjectedTier.Id, evaluation.ValidUntil ?? evaluation.ProjectedAt, evaluation.RequalificationProgress));
                }

                while (true)
                {
                    var current = (await members.GetMemberAsync(program, memberId))!;
                    var next = current with
                    {
                        TierStatus = current.TierStatus is { } s && s.EvaluatedAt > asOf ? s : evaluation.Status,
                        LastMaintainedAt = current.LastMaintainedAt is { } last && last > asOf ? last : asOf,
                        Version = current.Version + 1,
                    };
                    if (await members.UpdateMemberAsync(next, current.Version))
                    {
                        break;
                    }
                }
            }

            if (page.Count < 500)
            {
                break;
            }

            after = page[^1];
        }

        return new MaintenanceReport
        {
            AsOf = asOf,
            MembersExamined = examined,
            PointsExpired = expiry.PointsExpired,
            ExpiryAccountsSkipped = expiry.AccountsSkipped,
            Activated = activated,
            ExpiringSoon = expiring,
            TierChanges = changes,
            DowngradeWarnings = warnings,
            Birthdays = birthdays,
        };
    }

    private static TierMember TierMemberOf(MemberRecord member, MemberHistory history, Currency currency)
    {
        var entries = new List<QualificationEntry>();
        foreach (var order in history.Orders)
        {
            entries.Add(QualificationEntry.FromOrder(order.Order.PlacedAt, Money.FromDecimal(order.Order.NetSubtotal, currency), order.Earning.Total));
        }

        foreach (var refund in history.Refunds)
        {
            entries.Add(QualificationEntry.FromRefund(refund.RefundedAt, refund.Amount, refund.Result.Total, refund.Result.IsFullRefund));
        }

        foreach (var activity in history.Activities.Where(a => a.Earning.Total.IsPositive))
        {
            entries.Add(QualificationEntry.FromPoints(activity.Activity.OccurredAt, activity.Earning.Total, EarnKind.Activity));
        }

        return new TierMember { MemberId = member.MemberId, EnrolledAt = member.EnrolledAt, History = entries.ToArray() };
    }
}
