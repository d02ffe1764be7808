using System.Globalization;
using System.Text.Json;
using Loyalty.Core.Earning;
using Loyalty.Core.Engagement;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using NodaTime;
using NodaTime.Text;

namespace Loyalty.Core.DataRights;

/// <summary>The records of the core stores in the export's JSON shape (see docs/data-rights.md and the schema).</summary>
internal static class ExportJson
{
    public static void Instant(Utf8JsonWriter w, string name, Instant? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, InstantPattern.ExtendedIso.Format(v));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    public static void Text(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    public static void Member(MemberDataExport e, MemberRecord m)
    {
        var w = e.Writer;
        w.WriteStartObject();
        w.WriteString("memberId", m.MemberId.Value);
        Instant(w, "enrolledAt", m.EnrolledAt);
        Text(w, "birthDate", m.BirthDate is { } b ? LocalDatePattern.Iso.Format(b) : null);
        w.WriteString("referralCode", m.ReferralCode.Value);
        w.WriteBoolean("referredByAnotherMember", m.ReferredBy is not null);
        Text(w, "referralCompletedByOrder", m.ReferralCompletedBy?.Value);
        w.WritePropertyName("tierStatus");
        TierStatus(w, m.TierStatus);
        Instant(w, "lastMaintainedAt", m.LastMaintainedAt);
        w.WriteEndObject();
    }

    public static void TierStatus(Utf8JsonWriter w, TierStatus? s)
    {
        if (s is null)
        {
            w.WriteNullValue();
            return;
        }

        w.WriteStartObject();
        w.WriteString("tier", s.Tier.Value);
        Instant(w, "since", s.Since);
        Instant(w, "validUntil", s.ValidUntil);
        w.WriteString("automaticTier", s.AutomaticTier.Value);
        Instant(w, "automaticSince", s.AutomaticSince);
        Instant(w, "evaluatedAt", s.EvaluatedAt);
        w.WriteEndObject();
    }

    public static void Referee(MemberDataExport e, MemberRecord referee)
    {
        var w = e.Writer;
        // Another member's id is that member's personal data: the export says a referral exists, not who.
        w.WriteStartObject();
        Instant(w, "enrolledAt", referee.EnrolledAt);
        w.WriteBoolean("completed", referee.ReferralCompletedBy is not null);
        w.WriteEndObject();
    }

    public static void Order(MemberDataExport e, OrderRecord r)
    {
        var w = e.Writer;
        var o = r.Order;
        w.WriteStartObject();
        w.WriteString("orderId", o.Id.Value);
        Instant(w, "placedAt", o.PlacedAt);
        w.WriteString("currency", o.Currency.Code);
        w.WriteStartArray("lines");
        foreach (var l in o.Lines)
        {
            w.WriteStartObject();
            w.WriteString("sku", l.Sku);
            w.WriteNumber("quantity", l.Quantity);
            w.WriteNumber("unitPrice", l.UnitPrice);
            w.WriteNumber("discount", l.Discount);
            w.WriteStartArray("categories");
            foreach (var c in l.Categories)
            {
                w.WriteStringValue(c);
            }

            w.WriteEndArray();
            Text(w, "brand", l.Brand);
            w.WriteBoolean("isGiftCard", l.IsGiftCard);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("shipping", o.Shipping);
        w.WriteNumber("tax", o.Tax);
        w.WriteNumber("paidWithPoints", o.PaidWithPoints);
        Text(w, "channel", o.Channel);
        Text(w, "store", o.Store?.Value);
        w.WriteStartArray("coupons");
        foreach (var c in o.Coupons)
        {
            w.WriteStringValue(c);
        }

        w.WriteEndArray();
        Text(w, "tierAtOrder", r.Tier?.Value);
        w.WritePropertyName("earning");
        Earning(w, r.Earning);
        w.WriteString("transactionId", r.TransactionId.Value);
        Instant(w, "recordedAt", r.RecordedAt);
        w.WriteEndObject();
    }

    public static void Earning(Utf8JsonWriter w, EarningResult e)
    {
        w.WriteStartObject();
        w.WriteString("ruleSetVersion", e.RuleSetVersion);
        if (e.MerchantRuleSetVersion is { } merchantVersion)
        {
            w.WriteString("merchantRuleSetVersion", merchantVersion);
        }

        w.WriteNumber("points", e.Total.Value);
        w.WriteStartArray("rules");
        foreach (var rule in e.Rules)
        {
            w.WriteStartObject();
            w.WriteString("ruleId", rule.RuleId.Value);
            w.WriteString("outcome", rule.Outcome.ToString());
            w.WriteNumber("points", rule.Awarded.Value);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void Refund(MemberDataExport e, RefundRecord r)
    {
        var w = e.Writer;
        w.WriteStartObject();
        w.WriteString("refundId", r.RefundId.Value);
        w.WriteString("orderId", r.OrderId.Value);
        Instant(w, "refundedAt", r.RefundedAt);
        w.WriteNumber("amount", r.Amount.Amount);
        w.WriteString("currency", r.Amount.Currency.Code);
        w.WriteStartArray("lines");
        foreach (var l in r.Refund.Lines)
        {
            w.WriteStartObject();
            w.WriteNumber("lineIndex", l.LineIndex);
            w.WriteNumber("quantity", l.Quantity);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("pointsReversed", r.Result.Total.Value);
        Text(w, "transactionId", r.TransactionId is { } tx ? e.Id(tx.Value) : null);
        Instant(w, "recordedAt", r.RecordedAt);
        w.WriteEndObject();
    }

    public static void Activity(MemberDataExport e, ActivityRecord r)
    {
        var w = e.Writer;
        w.WriteStartObject();
        w.WriteString("activityId", e.Id(r.ActivityId.Value));
        w.WriteString("kind", r.Activity.Kind.ToString());
        Instant(w, "occurredAt", r.Activity.OccurredAt);
        Text(w, "eventName", r.Activity.EventName);
        w.WriteNumber("points", r.Earning.Total.Value);
        Text(w, "transactionId", r.TransactionId is { } tx ? e.Id(tx.Value) : null);
        Instant(w, "recordedAt", r.RecordedAt);
        w.WriteEndObject();
    }

    public static void Transaction(MemberDataExport e, LedgerTransactionRecord t)
    {
        var w = e.Writer;
        w.WriteStartObject();
        w.WriteString("transactionId", e.Id(t.Id.Value));
        w.WriteNumber("version", t.Version);
        w.WriteString("kind", t.Kind.ToString());
        Instant(w, "recordedAt", t.RecordedAt);
        Instant(w, "effectiveAt", t.EffectiveAt);
        w.WriteNumber("amount", t.Amount);
        Text(w, "relatedId", t.RelatedId is { } related ? e.Id(related.Value) : null);
        Instant(w, "availableAt", t.AvailableAt);
        Instant(w, "expiresAt", t.ExpiresAt);
        Text(w, "reason", t.Reason);
        Text(w, "actor", t.Actor);
        w.WriteNumber("applied", t.Applied);
        w.WriteNumber("debtChange", t.DebtChange);
        w.WriteNumber("writtenOff", t.WrittenOff);
        w.WriteStartArray("movements");
        foreach (var m in t.Movements)
        {
            w.WriteStartObject();
            w.WriteString("lotId", e.Id(m.LotId.Value));
            w.WriteNumber("delta", m.Delta);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void Lot(MemberDataExport e, LedgerLotRecord l)
    {
        var w = e.Writer;
        w.WriteStartObject();
        w.WriteString("lotId", e.Id(l.LotId.Value));
        w.WriteNumber("originalAmount", l.OriginalAmount);
        w.WriteNumber("remaining", l.Remaining);
        Instant(w, "createdAt", l.CreatedAt);
        Instant(w, "availableAt", l.AvailableAt);
        Instant(w, "expiresAt", l.ExpiresAt);
        w.WriteEndObject();
    }

    public static void Hold(MemberDataExport e, LedgerHoldRecord h)
    {
        var w = e.Writer;
        w.WriteStartObject();
        w.WriteString("holdId", h.HoldId.Value);
        w.WriteNumber("amount", h.Amount);
        Instant(w, "createdAt", h.CreatedAt);
        Instant(w, "expiresAt", h.ExpiresAt);
        w.WriteString("status", h.Status.ToString());
        w.WriteNumber("captured", h.Captured);
        Text(w, "closedBy", h.ClosedBy?.Value);
        w.WriteEndObject();
    }

    public static void Head(Utf8JsonWriter w, LedgerAccountHead? h)
    {
        if (h is null)
        {
            w.WriteNullValue();
            return;
        }

        w.WriteStartObject();
        w.WriteNumber("version", h.Version);
        Instant(w, "updatedAt", h.UpdatedAt);
        w.WriteNumber("available", h.AvailableSnapshot);
        w.WriteNumber("pending", h.PendingSnapshot);
        w.WriteNumber("held", h.HeldSnapshot);
        w.WriteNumber("debt", h.Debt);
        w.WriteNumber("earned", h.Earned);
        w.WriteNumber("redeemed", h.Redeemed);
        w.WriteNumber("expired", h.Expired);
        w.WriteNumber("reversed", h.Reversed);
        w.WriteNumber("adjusted", h.Adjusted);
        w.WriteNumber("writtenOff", h.WrittenOff);
        Instant(w, "lastActivityAt", h.LastActivityAt);
        w.WriteEndObject();
    }

    public static void Redemption(MemberDataExport e, RewardRedemption r)
    {
        var w = e.Writer;
        w.WriteStartObject();
        w.WriteString("redemptionId", r.Id.Value);
        w.WriteString("rewardId", r.RewardId.Value);
        w.WriteString("rewardName", r.RewardName);
        w.WriteString("kind", r.Kind.ToString());
        w.WriteString("benefit", r.Benefit);
        w.WriteNumber("pointsSpent", r.PointsSpent.Value);
        w.WriteString("code", r.Code);
        Instant(w, "redeemedAt", r.RedeemedAt);
        w.WriteString("transactionId", r.LedgerTransactionId.Value);
        w.WriteString("status", r.Status.ToString());
        Instant(w, "cancelledAt", r.CancelledAt);
        w.WriteEndObject();
    }

    public static void Reservation(MemberDataExport e, CampaignReservation r)
    {
        var w = e.Writer;
        w.WriteStartObject();
        w.WriteString("ruleId", r.RuleId.Value);
        w.WriteString("transactionId", e.Id(r.Key.Value));
        w.WriteNumber("points", r.Points.Value);
        w.WriteEndObject();
    }

    public static void Consent(MemberDataExport e, ConsentRecord c)
    {
        var w = e.Writer;
        w.WriteStartObject();
        w.WriteString("channel", c.Channel.ToString());
        w.WriteString("status", c.Status.ToString());
        Instant(w, "at", c.At);
        w.WriteString("source", c.Source);
        w.WriteEndObject();
    }

    public static void Contact(MemberDataExport e, ContactRecord c)
    {
        var w = e.Writer;
        w.WriteStartObject();
        w.WriteString("messageId", c.MessageId);
        w.WriteString("channel", c.Channel.ToString());
        w.WriteString("category", c.Category.ToString());
        w.WriteString("messageType", c.MessageType);
        Instant(w, "sentAt", c.SentAt);
        w.WriteEndObject();
    }

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
