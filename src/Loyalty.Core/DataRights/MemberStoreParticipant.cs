using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Referrals;
using Loyalty.Core.Storage;

namespace Loyalty.Core.DataRights;

/// <summary>
/// The member store's part: the profile (enrolment, birth date, referral code, tier status), the
/// referrals given and received, and every order with its lines, refund and activity.
/// </summary>
/// <remarks>An erasure drops the birth date, replaces the referral code, coupons and event names, and re-keys every record; amounts, instants and earning results are kept.</remarks>
internal sealed class MemberStoreParticipant(IMemberStore store) : IMemberDataParticipant
{
    private IMemberDataStore DataStore => store as IMemberDataStore
        ?? throw new InvalidOperationException($"The member store {store.GetType().Name} does not implement {nameof(IMemberDataStore)}; implement it so that members can be exported, erased and rectified.");

    public string Section => "member";

    public async ValueTask<bool> HoldsDataAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default)
    {
        if (await store.GetMemberAsync(programId, memberId, cancellationToken).ConfigureAwait(false) is not null)
        {
            return true;
        }

        var history = await store.GetHistoryAsync(programId, memberId, cancellationToken).ConfigureAwait(false);
        return history.Orders.Count + history.Refunds.Count + history.Activities.Count > 0;
    }

    public async ValueTask<int> ExportAsync(MemberDataExport export, CancellationToken cancellationToken = default)
    {
        var w = export.Writer;
        var member = await store.GetMemberAsync(export.ProgramId, export.MemberId, cancellationToken).ConfigureAwait(false);
        var history = await store.GetHistoryAsync(export.ProgramId, export.MemberId, cancellationToken).ConfigureAwait(false);
        var referees = await DataStore.ListReferredMembersAsync(export.ProgramId, export.MemberId, cancellationToken).ConfigureAwait(false);
        var count = 0;
        w.WriteStartObject();
        w.WritePropertyName("profile");
        if (member is null)
        {
            w.WriteNullValue();
        }
        else
        {
            ExportJson.Member(export, member);
            count++;
        }

        w.WriteStartArray("referralsGiven");
        foreach (var referee in referees)
        {
            ExportJson.Referee(export, referee);
            count++;
        }

        w.WriteEndArray();
        w.WriteStartArray("orders");
        foreach (var order in history.Orders)
        {
            ExportJson.Order(export, order);
            count++;
        }

        w.WriteEndArray();
        await export.FlushAsync(cancellationToken).ConfigureAwait(false);
        w.WriteStartArray("refunds");
        foreach (var refund in history.Refunds)
        {
            ExportJson.Refund(export, refund);
            count++;
        }

        w.WriteEndArray();
        w.WriteStartArray("activities");
        foreach (var activity in history.Activities)
        {
            ExportJson.Activity(export, activity);
            count++;
        }

        w.WriteEndArray();
        w.WriteEndObject();
        return count;
    }

    public async ValueTask<MemberRewriteOutcome> RewriteAsync(MemberDataRewrite rewrite, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rewrite);
        var member = await store.GetMemberAsync(rewrite.ProgramId, rewrite.From, cancellationToken).ConfigureAwait(false);
        if (member is null)
        {
            return MemberRewriteOutcome.NotFound;
        }

        var history = await store.GetHistoryAsync(rewrite.ProgramId, rewrite.From, cancellationToken).ConfigureAwait(false);
        var evaluation = member.Evaluation;
        var record = member with
        {
            MemberId = rewrite.To,
            BirthDate = rewrite.IsErasure ? null : member.BirthDate,
            ReferralCode = rewrite.IsErasure ? ReferralCode.From("ERASED-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12))) : member.ReferralCode,
            ReferralCompletedBy = member.ReferralCompletedBy is { } completed ? rewrite.Map(completed) : null,
            Evaluation = evaluation is null ? null : evaluation with
            {
                FirstQualifyingOrder = evaluation.FirstQualifyingOrder is { } first ? rewrite.Map(first) : null,
            },
        };

        var orders = history.Orders.Select(o => Order(o, rewrite)).ToArray();
        var refunds = history.Refunds.Select(r => Refund(r, rewrite)).ToArray();
        var activities = history.Activities.Select(a => Activity(a, rewrite)).ToArray();
        var status = await DataStore.RewriteMemberAsync(
            new MemberRewrite
            {
                ProgramId = rewrite.ProgramId,
                From = rewrite.From,
                ExpectedVersion = member.Version,
                ExpectedHistoryVersion = history.Version,
                Member = record,
                Orders = orders,
                Refunds = refunds,
                Activities = activities,
            },
            cancellationToken).ConfigureAwait(false);
        return new MemberRewriteOutcome(status, status == MemberRewriteStatus.Rewritten ? 1 + orders.Length + refunds.Length + activities.Length : 0);
    }

    private static OrderRecord Order(OrderRecord r, MemberDataRewrite rewrite)
    {
        var o = r.Order;
        var order = new EarningOrder(
            rewrite.Map(o.Id),
            rewrite.To,
            o.PlacedAt,
            o.Currency,
            o.Lines,
            o.Shipping,
            o.Tax,
            o.PaidWithPoints,
            o.Channel,
            o.Store,
            rewrite.IsErasure ? o.Coupons.Select(_ => MemberDataRewrite.ErasedText).ToArray() : o.Coupons);
        return r with
        {
            MemberId = rewrite.To,
            OrderId = order.Id,
            Order = order,
            Fingerprint = Fingerprint.Of(order),
            Earning = Earning(r.Earning, order.Id, rewrite),
            TransactionId = rewrite.Map(r.TransactionId),
        };
    }

    private static RefundRecord Refund(RefundRecord r, MemberDataRewrite rewrite)
    {
        var refundId = rewrite.Map(r.RefundId);
        var orderId = rewrite.Map(r.OrderId);
        return r with
        {
            MemberId = rewrite.To,
            RefundId = refundId,
            OrderId = orderId,
            Fingerprint = Fingerprint.Of(new RefundRequest(refundId, orderId, r.Refund), r.RefundedAt),
            TransactionId = r.TransactionId is { } tx ? rewrite.Map(tx) : null,
        };
    }

    private static ActivityRecord Activity(ActivityRecord r, MemberDataRewrite rewrite)
    {
        var id = rewrite.Map(r.ActivityId);
        var input = new ActivityInput(r.Activity.Kind, rewrite.To, r.Activity.OccurredAt, rewrite.Scrub(r.Activity.EventName));
        return r with
        {
            MemberId = rewrite.To,
            ActivityId = id,
            Activity = input,
            Fingerprint = Fingerprint.Of(id, input),
            Earning = Earning(r.Earning, null, rewrite),
            TransactionId = r.TransactionId is { } tx ? rewrite.Map(tx) : null,
        };
    }

    private static EarningResult Earning(EarningResult e, OrderId? orderId, MemberDataRewrite rewrite) =>
        new(orderId ?? e.OrderId, rewrite.To, e.RuleSetVersion, e.OccurredAt, e.IsQuote, e.Total, e.LineCount, e.Rules, e.UsageDeltas, e.Thresholds)
        {
            MerchantRuleSetVersion = e.MerchantRuleSetVersion,
        };
}
