using System.Text.Json;
using Loyalty.Core.Earning;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using NodaTime.Text;

namespace Loyalty.Core.EntityFrameworkCore.Programs;

/// <summary>
/// The JSON kept in the member store's text columns: an order's lines, a refund, its result, a tier
/// status. Plain documents (ids as strings, instants as ticks) so that a row reads back exactly.
/// </summary>
internal static class MemberJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Write(EarningOrder order) => JsonSerializer.Serialize(
        new OrderDocument(
            order.Id.Value,
            order.Member.Value,
            LedgerMapping.Ticks(order.PlacedAt),
            order.Currency.Code,
            order.Lines.Select(l => new LineDocument(l.Sku, l.Quantity, l.UnitPrice, l.Discount, l.Categories.ToArray(), l.Brand, l.IsGiftCard)).ToArray(),
            order.Shipping,
            order.Tax,
            order.PaidWithPoints,
            order.Channel,
            order.Store?.Value,
            order.Coupons.ToArray()),
        Options);

    public static EarningOrder ReadOrder(string json)
    {
        var d = Read<OrderDocument>(json);
        return new EarningOrder(
            OrderId.From(d.Id),
            MemberId.From(d.Member),
            LedgerMapping.Instant(d.PlacedAt),
            Currency.FromCode(d.Currency),
            d.Lines.Select(l => new OrderLine(l.Sku, l.Quantity, l.UnitPrice, l.Discount, l.Categories, l.Brand, l.IsGiftCard)).ToArray(),
            d.Shipping,
            d.Tax,
            d.PaidWithPoints,
            d.Channel,
            d.Store is null ? null : MerchantId.From(d.Store),
            d.Coupons);
    }

    public static string Write(OrderRefund refund) => JsonSerializer.Serialize(
        new RefundDocument(refund.Lines.Select(l => new LineRefundDocument(l.LineIndex, l.Quantity)).ToArray(), refund.Amount),
        Options);

    public static OrderRefund ReadRefund(string json)
    {
        var d = Read<RefundDocument>(json);
        return d.Lines.Length > 0
            ? OrderRefund.ForLines(d.Lines.Select(l => new LineRefund(l.LineIndex, l.Quantity)).ToArray())
            : OrderRefund.ForAmount(d.Amount);
    }

    public static string Write(RefundResult result) => JsonSerializer.Serialize(
        new RefundResultDocument(result.Total.Value, result.Rules.Select(r => new RuleRefundDocument(r.RuleId.Value, r.Points.Value)).ToArray(), result.IsFullRefund),
        Options);

    public static RefundResult ReadRefundResult(string json)
    {
        var d = Read<RefundResultDocument>(json);
        return new RefundResult(
            Points.FromInt64(d.Total),
            d.Rules.Select(r => new RuleRefund(RuleId.From(r.RuleId), Points.FromInt64(r.Points))).ToArray(),
            d.IsFullRefund);
    }

    public static string? Write(TierStatus? status) => status is null ? null : JsonSerializer.Serialize(
        new TierStatusDocument(
            status.Tier.Value,
            LedgerMapping.Ticks(status.Since),
            LedgerMapping.Ticks(status.ValidUntil),
            LedgerMapping.Ticks(status.GraceUntil),
            status.AutomaticTier.Value,
            LedgerMapping.Ticks(status.AutomaticSince),
            LedgerMapping.Ticks(status.AutomaticValidUntil),
            LedgerMapping.Ticks(status.LastQualifiedAt),
            LedgerMapping.Ticks(status.ValidUntilBeforeLastQualification),
            status.FallbackTier?.Value,
            LedgerMapping.Ticks(status.FallbackValidUntil),
            LedgerMapping.Ticks(status.EvaluatedAt)),
        Options);

    public static TierStatus? ReadTierStatus(string? json)
    {
        if (json is null)
        {
            return null;
        }

        var d = Read<TierStatusDocument>(json);
        return new TierStatus
        {
            Tier = TierId.From(d.Tier),
            Since = LedgerMapping.Instant(d.Since),
            ValidUntil = LedgerMapping.Instant(d.ValidUntil),
            GraceUntil = LedgerMapping.Instant(d.GraceUntil),
            AutomaticTier = TierId.From(d.AutomaticTier),
            AutomaticSince = LedgerMapping.Instant(d.AutomaticSince),
            AutomaticValidUntil = LedgerMapping.Instant(d.AutomaticValidUntil),
            LastQualifiedAt = LedgerMapping.Instant(d.LastQualifiedAt),
            ValidUntilBeforeLastQualification = LedgerMapping.Instant(d.ValidUntilBeforeLastQualification),
            FallbackTier = d.FallbackTier is null ? null : TierId.From(d.FallbackTier),
            FallbackValidUntil = LedgerMapping.Instant(d.FallbackValidUntil),
            EvaluatedAt = LedgerMapping.Instant(d.EvaluatedAt),
        };
    }

    public static string? Write(MemberEvaluationState? state) => state is null ? null : JsonSerializer.Serialize(
        new EvaluationDocument(
            state.HistoryVersion,
            state.OrderCount,
            LedgerMapping.Ticks(state.FirstOrderAt),
            state.FirstQualifyingOrder?.Value,
            LedgerMapping.Ticks(state.FirstQualifyingOrderPlacedAt),
            state.WelcomePoints.Value,
            state.Usage.Select(u => new UsageDocument(u.RuleId.Value, u.Period is { } p ? (int)p.Unit : null, u.Period is { } q ? LocalDatePattern.Iso.Format(q.Start) : null, u.Points.Value, u.Count)).ToArray(),
            Write(state.TierCheckpoint),
            state.Qualification.Select(e => new EntryDocument(LedgerMapping.Ticks(e.At), e.Points, (int)e.Kind, e.Spend, e.Orders)).ToArray()),
        Options);

    public static MemberEvaluationState? ReadEvaluation(string? json)
    {
        if (json is null)
        {
            return null;
        }

        var d = Read<EvaluationDocument>(json);
        return new MemberEvaluationState
        {
            HistoryVersion = d.HistoryVersion,
            OrderCount = d.OrderCount,
            FirstOrderAt = LedgerMapping.Instant(d.FirstOrderAt),
            FirstQualifyingOrder = d.FirstQualifyingOrder is null ? null : OrderId.From(d.FirstQualifyingOrder),
            FirstQualifyingOrderPlacedAt = LedgerMapping.Instant(d.FirstQualifyingOrderPlacedAt),
            WelcomePoints = Points.FromInt64(d.WelcomePoints),
            Usage = d.Usage.Select(u => new RuleUsageDelta(
                RuleId.From(u.Rule),
                u.Unit is { } unit ? new UsagePeriod((CapPeriod)unit, LocalDatePattern.Iso.Parse(u.Start!).Value) : null,
                Points.FromInt64(u.Points),
                u.Count)).ToArray(),
            TierCheckpoint = ReadTierStatus(d.Checkpoint),
            Qualification = d.Entries.Select(e => QualificationEntry.FromAmounts(LedgerMapping.Instant(e.At), e.Points, (EarnKind)e.Kind, e.Spend, e.Orders)).ToArray(),
        };
    }

    private static T Read<T>(string json)
        => JsonSerializer.Deserialize<T>(json, Options) ?? throw new InvalidOperationException($"A stored {typeof(T).Name} is empty (\"{json}\").");

    private sealed record OrderDocument(string Id, string Member, long PlacedAt, string Currency, LineDocument[] Lines, decimal Shipping, decimal Tax, decimal PaidWithPoints, string? Channel, string? Store, string[] Coupons);

    private sealed record LineDocument(string Sku, int Quantity, decimal UnitPrice, decimal Discount, string[] Categories, string? Brand, bool IsGiftCard);

    private sealed record RefundDocument(LineRefundDocument[] Lines, decimal Amount);

    private sealed record LineRefundDocument(int LineIndex, int Quantity);

    private sealed record RefundResultDocument(long Total, RuleRefundDocument[] Rules, bool IsFullRefund);

    private sealed record RuleRefundDocument(string RuleId, long Points);

    private sealed record TierStatusDocument(
        string Tier,
        long Since,
        long? ValidUntil,
        long? GraceUntil,
        string AutomaticTier,
        long AutomaticSince,
        long? AutomaticValidUntil,
        long? LastQualifiedAt,
        long? ValidUntilBeforeLastQualification,
        string? FallbackTier,
        long? FallbackValidUntil,
        long EvaluatedAt);

    private sealed record EvaluationDocument(long HistoryVersion, int OrderCount, long? FirstOrderAt, string? FirstQualifyingOrder, long? FirstQualifyingOrderPlacedAt, long WelcomePoints, UsageDocument[] Usage, string? Checkpoint, EntryDocument[] Entries);

    private sealed record UsageDocument(string Rule, int? Unit, string? Start, long Points, int Count);

    private sealed record EntryDocument(long At, long Points, int Kind, decimal Spend, int Orders);
}
