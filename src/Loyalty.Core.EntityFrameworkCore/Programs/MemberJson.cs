using System.Buffers;
using System.Text;
using System.Text.Json;
using Loyalty.Core.Earning;
using Loyalty.Core.EntityFrameworkCore.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Tiers;
using NodaTime;
using NodaTime.Text;

namespace Loyalty.Core.EntityFrameworkCore.Programs;

/// <summary>
/// The JSON kept in the member store's text columns: an order's lines, a refund, its result, a tier
/// status, the kept evaluation state. Plain documents (ids as strings, instants as ticks) so that a row
/// reads back exactly; the evaluation state, rewritten with every order, in a compact form.
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

    /// <summary>
    /// The kept evaluation state as a compact JSON document (format 2). Short property names, each
    /// omitted when it holds its default:
    /// <list type="bullet">
    /// <item><c>v</c>: the format, 2 (a document without it is format 1: camel-case names, the checkpoint as an escaped string, one object per entry);</item>
    /// <item><c>h</c>: the history version; <c>n</c>: the order count; <c>f</c>: the first order's placement (Unix ticks);</item>
    /// <item><c>q</c>, <c>qa</c>: the first qualifying order for referrals and its placement; <c>w</c>: the welcome points;</item>
    /// <item><c>u</c>: the cap usage, one array per rule and period: <c>[rule, points, count]</c>, or <c>[rule, unit, start date, points, count]</c> for a period;</item>
    /// <item><c>c</c>: the tier checkpoint as an object (<see cref="WriteStatus"/>);</item>
    /// <item><c>e</c>: the qualification entries by column: <c>t</c> their instants (the first in Unix ticks, then the
    /// ticks since the one before), <c>p</c> points, <c>s</c> spend, <c>o</c> orders, <c>k</c> earn kinds (when one is
    /// not a purchase), <c>f</c> for a sum of several entries the ticks from its earliest to its latest part (when one is a sum).</item>
    /// </list>
    /// </summary>
    public static string? Write(MemberEvaluationState? state)
    {
        if (state is null)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("v", 2);
            w.WriteNumber("h", state.HistoryVersion);
            w.WriteNumber("n", state.OrderCount);
            if (state.FirstOrderAt is { } first)
            {
                w.WriteNumber("f", LedgerMapping.Ticks(first));
            }

            if (state.FirstQualifyingOrder is { } qualifying)
            {
                w.WriteString("q", qualifying.Value);
            }

            if (state.FirstQualifyingOrderPlacedAt is { } qualifyingAt)
            {
                w.WriteNumber("qa", LedgerMapping.Ticks(qualifyingAt));
            }

            if (!state.WelcomePoints.IsZero)
            {
                w.WriteNumber("w", state.WelcomePoints.Value);
            }

            if (state.Usage.Count > 0)
            {
                w.WriteStartArray("u");
                foreach (var u in state.Usage)
                {
                    w.WriteStartArray();
                    w.WriteStringValue(u.RuleId.Value);
                    if (u.Period is { } p)
                    {
                        w.WriteNumberValue((int)p.Unit);
                        w.WriteStringValue(LocalDatePattern.Iso.Format(p.Start));
                    }

                    w.WriteNumberValue(u.Points.Value);
                    w.WriteNumberValue(u.Count);
                    w.WriteEndArray();
                }

                w.WriteEndArray();
            }

            if (state.TierCheckpoint is { } checkpoint)
            {
                w.WritePropertyName("c");
                WriteStatus(w, checkpoint);
            }

            if (state.Qualification.Count > 0)
            {
                WriteEntries(w, state.Qualification);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteEntries(Utf8JsonWriter w, IReadOnlyList<QualificationEntry> entries)
    {
        w.WriteStartObject("e");
        w.WriteStartArray("t");
        var previous = 0L;
        for (var i = 0; i < entries.Count; i++)
        {
            var ticks = LedgerMapping.Ticks(entries[i].At);
            w.WriteNumberValue(i == 0 ? ticks : ticks - previous);
            previous = ticks;
        }

        w.WriteEndArray();
        w.WriteStartArray("p");
        foreach (var e in entries)
        {
            w.WriteNumberValue(e.Points);
        }

        w.WriteEndArray();
        w.WriteStartArray("s");
        foreach (var e in entries)
        {
            w.WriteNumberValue(e.Spend);
        }

        w.WriteEndArray();
        w.WriteStartArray("o");
        foreach (var e in entries)
        {
            w.WriteNumberValue(e.Orders);
        }

        w.WriteEndArray();
        if (entries.Any(e => e.Kind != EarnKind.Purchase))
        {
            w.WriteStartArray("k");
            foreach (var e in entries)
            {
                w.WriteNumberValue((int)e.Kind);
            }

            w.WriteEndArray();
        }

        if (entries.Any(e => e.IsSum))
        {
            w.WriteStartArray("f");
            foreach (var e in entries)
            {
                w.WriteNumberValue(LedgerMapping.Ticks(e.At) - LedgerMapping.Ticks(e.Since));
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>
    /// A tier status as an object: <c>t</c> the tier, <c>s</c> since, <c>v</c> valid until, <c>g</c> grace until,
    /// <c>a</c> and <c>as</c> the automatic tier and since (when they differ from <c>t</c> and <c>s</c>),
    /// <c>av</c> the automatic validity, <c>l</c> the last qualification, <c>b</c> the validity before it,
    /// <c>ft</c> and <c>fv</c> the fallback tier and its validity, <c>e</c> the evaluation instant; instants in
    /// Unix ticks, a missing instant or tier left out.
    /// </summary>
    private static void WriteStatus(Utf8JsonWriter w, TierStatus status)
    {
        w.WriteStartObject();
        w.WriteString("t", status.Tier.Value);
        w.WriteNumber("s", LedgerMapping.Ticks(status.Since));
        WriteInstant(w, "v", status.ValidUntil);
        WriteInstant(w, "g", status.GraceUntil);
        if (status.AutomaticTier != status.Tier)
        {
            w.WriteString("a", status.AutomaticTier.Value);
        }

        if (status.AutomaticSince != status.Since)
        {
            w.WriteNumber("as", LedgerMapping.Ticks(status.AutomaticSince));
        }

        WriteInstant(w, "av", status.AutomaticValidUntil);
        WriteInstant(w, "l", status.LastQualifiedAt);
        WriteInstant(w, "b", status.ValidUntilBeforeLastQualification);
        if (status.FallbackTier is { } fallback)
        {
            w.WriteString("ft", fallback.Value);
        }

        WriteInstant(w, "fv", status.FallbackValidUntil);
        w.WriteNumber("e", LedgerMapping.Ticks(status.EvaluatedAt));
        w.WriteEndObject();
    }

    private static void WriteInstant(Utf8JsonWriter w, string name, Instant? instant)
    {
        if (instant is { } i)
        {
            w.WriteNumber(name, LedgerMapping.Ticks(i));
        }
    }

    public static MemberEvaluationState? ReadEvaluation(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException($"A stored evaluation state is not a JSON object (\"{json}\").");
        }

        if (!root.TryGetProperty("v", out var version))
        {
            return ReadEvaluationVersion1(json);
        }

        if (version.GetInt32() != 2)
        {
            throw new InvalidOperationException($"A stored evaluation state has format {version.GetInt32()}, which this version does not read (it reads formats 1 and 2).");
        }

        return new MemberEvaluationState
        {
            HistoryVersion = root.GetProperty("h").GetInt64(),
            OrderCount = root.GetProperty("n").GetInt32(),
            FirstOrderAt = InstantOrNull(root, "f"),
            FirstQualifyingOrder = root.TryGetProperty("q", out var q) ? OrderId.From(q.GetString()!) : null,
            FirstQualifyingOrderPlacedAt = InstantOrNull(root, "qa"),
            WelcomePoints = root.TryGetProperty("w", out var welcome) ? Points.FromInt64(welcome.GetInt64()) : Points.Zero,
            Usage = root.TryGetProperty("u", out var usage) ? ReadUsage(usage) : [],
            TierCheckpoint = root.TryGetProperty("c", out var checkpoint) ? ReadStatus(checkpoint) : null,
            Qualification = root.TryGetProperty("e", out var entries) ? ReadEntries(entries) : [],
        };
    }

    private static RuleUsageDelta[] ReadUsage(JsonElement usage)
    {
        var result = new RuleUsageDelta[usage.GetArrayLength()];
        var i = 0;
        foreach (var u in usage.EnumerateArray())
        {
            var rule = RuleId.From(u[0].GetString()!);
            result[i++] = u.GetArrayLength() == 5
                ? new RuleUsageDelta(rule, new UsagePeriod((CapPeriod)u[1].GetInt32(), LocalDatePattern.Iso.Parse(u[2].GetString()!).Value), Points.FromInt64(u[3].GetInt64()), u[4].GetInt32())
                : new RuleUsageDelta(rule, null, Points.FromInt64(u[1].GetInt64()), u[2].GetInt32());
        }

        return result;
    }

    private static QualificationEntry[] ReadEntries(JsonElement e)
    {
        var times = e.GetProperty("t");
        var points = e.GetProperty("p");
        var spend = e.GetProperty("s");
        var orders = e.GetProperty("o");
        var kinds = e.TryGetProperty("k", out var k) ? k : default;
        var spans = e.TryGetProperty("f", out var f) ? f : default;
        var count = times.GetArrayLength();
        var result = new QualificationEntry[count];
        var ticks = 0L;
        for (var i = 0; i < count; i++)
        {
            ticks = i == 0 ? times[0].GetInt64() : checked(ticks + times[i].GetInt64());
            var kind = kinds.ValueKind == JsonValueKind.Array ? (EarnKind)kinds[i].GetInt32() : EarnKind.Purchase;
            var span = spans.ValueKind == JsonValueKind.Array ? spans[i].GetInt64() : 0L;
            result[i] = span == 0
                ? QualificationEntry.FromAmounts(LedgerMapping.Instant(ticks), points[i].GetInt64(), kind, spend[i].GetDecimal(), orders[i].GetInt32())
                : QualificationEntry.FromSums(LedgerMapping.Instant(ticks - span), LedgerMapping.Instant(ticks), points[i].GetInt64(), kind, spend[i].GetDecimal(), orders[i].GetInt32());
        }

        return result;
    }

    private static TierStatus ReadStatus(JsonElement c)
    {
        var tier = TierId.From(c.GetProperty("t").GetString()!);
        var since = LedgerMapping.Instant(c.GetProperty("s").GetInt64());
        return new TierStatus
        {
            Tier = tier,
            Since = since,
            ValidUntil = InstantOrNull(c, "v"),
            GraceUntil = InstantOrNull(c, "g"),
            AutomaticTier = c.TryGetProperty("a", out var a) ? TierId.From(a.GetString()!) : tier,
            AutomaticSince = InstantOrNull(c, "as") ?? since,
            AutomaticValidUntil = InstantOrNull(c, "av"),
            LastQualifiedAt = InstantOrNull(c, "l"),
            ValidUntilBeforeLastQualification = InstantOrNull(c, "b"),
            FallbackTier = c.TryGetProperty("ft", out var ft) ? TierId.From(ft.GetString()!) : null,
            FallbackValidUntil = InstantOrNull(c, "fv"),
            EvaluatedAt = LedgerMapping.Instant(c.GetProperty("e").GetInt64()),
        };
    }

    private static Instant? InstantOrNull(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? LedgerMapping.Instant(value.GetInt64()) : null;

    /// <summary>A document of format 1 (written before format 2): read as it was written.</summary>
    private static MemberEvaluationState ReadEvaluationVersion1(string json)
    {
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
