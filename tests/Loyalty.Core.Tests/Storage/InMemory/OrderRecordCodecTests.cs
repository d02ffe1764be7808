using System.Globalization;
using System.Text;
using FluentAssertions;
using FsCheck.Xunit;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Tests.Storage.InMemory;

/// <summary>
/// The in-memory member store keeps its orders as bytes (<see cref="ByteArena{T}"/> with <see cref="OrderRecordCodec"/>):
/// every field of a record, every decimal's scale, every string (whatever its characters) and every instant to the
/// nanosecond reads back as written; a forgotten record is wiped.
/// </summary>
public sealed class OrderRecordCodecTests
{
    private static readonly string[] Texts = ["a", "SKU-42", "chaussures", "été", "鞋", "👟 run", "x\uD800y", "", " padded "];
    private static readonly string[] Ids = ["o-1", "m42", "ORDER/2026/03/0001", "Zoë", "顧客-7", "🛒cart"];

    [Property(MaxTest = 300)]
    public void A_record_reads_back_as_written(int seed)
    {
        var random = new Random(seed);
        var log = Log();
        var records = Enumerable.Range(0, 1 + random.Next(4)).Select(_ => RandomRecord(random)).ToArray();
        var positions = records.Select(log.Add).ToArray();

        for (var i = 0; i < records.Length; i++)
        {
            var read = log[positions[i]];
            Describe(read).Should().Be(Describe(records[i]));
            read.Should().BeEquivalentTo(records[i], RecordEquivalence.ByContent);
        }
    }

    [Fact]
    public void Records_read_back_across_chunks_and_a_record_larger_than_a_chunk_gets_its_own()
    {
        var random = new Random(7);
        var log = Log();
        var records = new List<OrderRecord>();
        for (var i = 0; i < 3_000; i++)
        {
            records.Add(RandomRecord(random));
        }

        // About 2 MiB of coupon codes: larger than the largest chunk (1 MiB).
        var huge = Record(OrderId.From("huge"), MemberId.From("m1"), coupons: Enumerable.Range(0, 8).Select(i => new string((char)('a' + i), 256 * 1024)).ToArray());
        records.Insert(1_500, huge);
        var positions = records.Select(log.Add).ToList();

        log.Count.Should().Be(3_001);
        for (var i = 0; i < records.Count; i++)
        {
            Describe(log[positions[i]]).Should().Be(Describe(records[i]), "record {0} was written so", i);
        }

        log.ChunkBytes.Should().BeGreaterThan(2L * 1024 * 1024);
    }

    [Fact]
    public void A_forgotten_record_is_wiped_and_its_neighbours_still_read()
    {
        var log = Log();
        var before = Record(OrderId.From("o-1"), MemberId.From("alice"));
        var erased = Record(OrderId.From("o-2"), MemberId.From("bob-the-erased"), coupons: ["BOB-SECRET"]);
        var after = Record(OrderId.From("o-3"), MemberId.From("carol"));
        log.Add(before);
        var position = log.Add(erased);
        log.Add(after);
        var bytes = ChunkText(log);
        bytes.Should().Contain("bob-the-erased").And.Contain("BOB-SECRET");

        log.Forget(position);

        ChunkText(log).Should().NotContain("bob-the-erased").And.NotContain("BOB-SECRET").And.Contain("alice").And.Contain("carol");
        var read = () => log[position];
        read.Should().Throw<InvalidOperationException>().WithMessage("The record at position 1 was forgotten (its member or account was rewritten).");
        Describe(log[0]).Should().Be(Describe(before));
        Describe(log[2]).Should().Be(Describe(after));
    }

    [Fact]
    public void A_full_log_says_so_and_keeps_what_it_holds()
    {
        var log = new ByteArena<OrderRecord>(OrderRecordCodec.Instance, capacity: 2);
        log.Add(Record(OrderId.From("o-1"), MemberId.From("m1")));
        log.Add(Record(OrderId.From("o-2"), MemberId.From("m1")));

        var add = () => log.Add(Record(OrderId.From("o-3"), MemberId.From("m1")));

        add.Should().Throw<InvalidOperationException>().WithMessage("The in-memory store holds 2 records of type OrderRecord, its limit; a store that large needs a database-backed store.");
        log.Count.Should().Be(2);
        log[1].OrderId.Should().Be(OrderId.From("o-2"));
    }

    [Fact]
    public void A_position_never_handed_out_is_refused()
    {
        var log = Log();
        log.Add(Record(OrderId.From("o-1"), MemberId.From("m1")));

        var read = () => log[1];

        read.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("position");
    }

    [Fact]
    public void A_shop_order_takes_a_fraction_of_its_objects_bytes()
    {
        // Three lines, two categories, four rules: what the store kept as about 900 bytes in eight objects.
        var log = Log();
        for (var i = 0; i < 10_000; i++)
        {
            log.Add(Record(OrderId.From("o-" + i), MemberId.From("m" + (i % 500))));
        }

        (log.RecordBytes / 10_000.0).Should().BeLessThan(200);
    }

    private static ByteArena<OrderRecord> Log() => new(OrderRecordCodec.Instance);

    private static OrderRecord Record(OrderId id, MemberId member, string[]? coupons = null)
    {
        var at = Instant.FromUtc(2026, 3, 2, 10, 0);
        var order = new EarningOrder(id, member, at, Currency.EUR, [new OrderLine("SHOE-42", 1, 89.90m, categories: ["shoes"]), new OrderLine("SOCK", 3, 4.50m, categories: ["clothing"]), new OrderLine("CAP", 1, 19m, categories: ["clothing"])], coupons: coupons);
        var rules = new[]
        {
            new RuleEvaluation(RuleId.From("base"), RuleOutcome.Fired, ReversalPolicy.Proportional, 122.40m, Points.FromInt64(122), Points.FromInt64(122), new long[] { 90, 13, 19, 0 }),
            new RuleEvaluation(RuleId.From("shoes"), RuleOutcome.Fired, ReversalPolicy.Proportional, 89.90m, Points.FromInt64(90), Points.FromInt64(90), new long[] { 90, 0, 0, 0 }),
            new RuleEvaluation(RuleId.From("tier"), RuleOutcome.NothingToEarn, ReversalPolicy.Proportional, 0m, Points.Zero, Points.Zero, default),
            new RuleEvaluation(RuleId.From("basket-100"), RuleOutcome.Fired, ReversalPolicy.BelowThreshold, 50m, Points.FromInt64(50), Points.FromInt64(50), new long[] { 0, 0, 0, 50 }),
        };
        var earning = new EarningResult(id, member, "v1", at, false, Points.FromInt64(262), 3, rules, [], [new ThresholdTerm(RuleId.From("basket-100"), 100m)]);
        return new OrderRecord
        {
            ProgramId = ProgramId.From("default"),
            MemberId = member,
            OrderId = id,
            Fingerprint = "3q2+7w==",
            Order = order,
            Earning = earning,
            Tier = TierId.From("bronze"),
            TransactionId = TransactionId.From("order:" + id.Value),
            RecordedAt = at,
        };
    }

    private static OrderRecord RandomRecord(Random random)
    {
        string Pick(string[] values) => values[random.Next(values.Length)];
        string? Maybe(string[] values) => random.Next(3) == 0 ? null : Pick(values);
        var id = OrderId.From(Pick(Ids) + random.Next(1000));
        var member = MemberId.From(Pick(Ids));
        var lines = Enumerable.Range(0, 1 + random.Next(4)).Select(_ =>
        {
            var quantity = 1 + random.Next(20);
            var price = new decimal(random.Next(0, 1_000_000), 0, 0, false, (byte)random.Next(0, 5));
            var discount = random.Next(3) == 0 ? 0m : Math.Round(price * quantity / (2 + random.Next(5)), random.Next(0, 4));
            var categories = Enumerable.Range(0, random.Next(3)).Select(_ => Pick(Texts) + "cat").ToArray();
            return new OrderLine(Pick(Texts) + "sku", quantity, price, discount, categories, Maybe(Texts), random.Next(4) == 0);
        }).ToArray();
        var placedAt = RandomValues.Instant(random);
        var order = new EarningOrder(
            random.Next(8) == 0 ? OrderId.From("other-order") : id,
            random.Next(8) == 0 ? MemberId.From("other-member") : member,
            placedAt,
            Currency.FromCode(random.Next(2) == 0 ? "EUR" : "JPY"),
            lines,
            shipping: new decimal(random.Next(0, 5000), 0, 0, false, 2),
            tax: random.Next(2) == 0 ? 0m : 1.000m,
            paidWithPoints: random.Next(2) == 0 ? 0m : 0.5m,
            channel: Maybe(Texts),
            store: random.Next(3) == 0 ? MerchantId.From(Pick(Ids)) : null,
            coupons: random.Next(3) == 0 ? null : Enumerable.Range(0, random.Next(3)).Select(_ => Pick(Texts)).ToArray());
        var rules = Enumerable.Range(0, random.Next(6)).Select(i => new RuleEvaluation(
            RuleId.From("r" + i + Pick(Ids)),
            (RuleOutcome)random.Next(10),
            (ReversalPolicy)random.Next(4),
            RandomValues.Decimal(random),
            Points.FromInt64(RandomValues.Long(random)),
            Points.FromInt64(RandomValues.Long(random)),
            random.Next(3) == 0 ? default : Enumerable.Range(0, random.Next(6)).Select(_ => RandomValues.Long(random)).ToArray())).ToArray();
        var deltas = Enumerable.Range(0, random.Next(3)).Select(_ => new RuleUsageDelta(
            RuleId.From(Pick(Ids)),
            random.Next(3) == 0 ? null : new UsagePeriod((CapPeriod)random.Next(4), random.Next(4) == 0 ? new LocalDate(1 + random.Next(2999), 1 + random.Next(12), 1 + random.Next(28), CalendarSystem.Julian) : new LocalDate(-50 + random.Next(3000), 1 + random.Next(12), 1 + random.Next(28))),
            Points.FromInt64(RandomValues.Long(random)),
            random.Next(int.MinValue, int.MaxValue))).ToArray();
        var thresholds = Enumerable.Range(0, random.Next(3)).Select(_ => new ThresholdTerm(RuleId.From(Pick(Ids)), RandomValues.Decimal(random))).ToArray();
        OrderId? earningOrder = random.Next(6) switch { 0 => null, 1 => OrderId.From("elsewhere"), _ => id };
        var earning = new EarningResult(earningOrder, random.Next(8) == 0 ? MemberId.From("other") : member, Pick(Texts) + "v", random.Next(5) == 0 ? RandomValues.Instant(random) : placedAt, random.Next(6) == 0, Points.FromInt64(RandomValues.Long(random)), lines.Length, rules, deltas, thresholds)
        {
            MerchantRuleSetVersion = Maybe(Texts),
        };
        return new OrderRecord
        {
            ProgramId = random.Next(10) == 0 ? default : ProgramId.From(Pick(Ids)),
            MemberId = member,
            OrderId = id,
            Fingerprint = Pick(Texts) + random.Next(),
            Order = order,
            Earning = earning,
            Tier = random.Next(3) switch { 0 => null, 1 => default(TierId), _ => TierId.From(Pick(Ids)) },
            TransactionId = TransactionId.From("order:" + id.Value),
            RecordedAt = RandomValues.Instant(random),
        };
    }

    /// <summary>Every field of a record, decimals with their scale, strings with their code units.</summary>
    private static string Describe(OrderRecord r)
    {
        var s = new StringBuilder();
        void Add(object? value) => s.Append(value switch
        {
            null => "<null>",
            decimal d => d.ToString(CultureInfo.InvariantCulture),
            string text => string.Join(",", text.Select(c => (int)c)),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        }).Append('|');

        Add(r.ProgramId.IsDefault ? null : r.ProgramId.Value);
        Add(r.MemberId.Value);
        Add(r.OrderId.Value);
        Add(r.Fingerprint);
        Add(r.Tier is { } tier ? tier.IsDefault ? "default tier" : tier.Value : null);
        Add(r.TransactionId.Value);
        Add(r.RecordedAt);
        var o = r.Order;
        Add(o.Id.Value);
        Add(o.Member.Value);
        Add(o.PlacedAt);
        Add(o.Currency.Code);
        foreach (var line in o.Lines)
        {
            Add(line.Sku);
            Add(line.Quantity);
            Add(line.UnitPrice);
            Add(line.Discount);
            Add(string.Join(";", line.Categories.Select(c => string.Join(",", c.Select(ch => (int)ch)))));
            Add(line.Brand);
            Add(line.IsGiftCard);
            Add(line.NetAmount);
        }

        Add(o.Shipping);
        Add(o.Tax);
        Add(o.PaidWithPoints);
        Add(o.Channel);
        Add(o.Store?.Value);
        Add(string.Join(";", o.Coupons.Select(c => string.Join(",", c.Select(ch => (int)ch)))));
        Add(o.NetSubtotal);
        Add(o.MerchandiseSubtotal);
        var e = r.Earning;
        Add(e.OrderId?.Value);
        Add(e.Member.Value);
        Add(e.RuleSetVersion);
        Add(e.MerchantRuleSetVersion);
        Add(e.OccurredAt);
        Add(e.IsQuote);
        Add(e.Total.Value);
        Add(e.LineCount);
        foreach (var rule in e.Rules)
        {
            Add(rule.RuleId.Value);
            Add(rule.Outcome);
            Add(rule.Reversal);
            Add(rule.Desired);
            Add(rule.Rounded.Value);
            Add(rule.Awarded.Value);
            Add(string.Join(",", rule.Allocation.ToArray()));
        }

        foreach (var delta in e.UsageDeltas)
        {
            Add(delta.RuleId.Value);
            Add(delta.Period is { } p ? $"{p.Unit} {p.Start.Year}-{p.Start.Month}-{p.Start.Day} {p.Start.Calendar.Id}" : null);
            Add(delta.Points.Value);
            Add(delta.Count);
        }

        foreach (var threshold in e.Thresholds)
        {
            Add(threshold.RuleId.Value);
            Add(threshold.Threshold);
        }

        return s.ToString();
    }

    /// <summary>The log's bytes as Latin-1 text (the ASCII strings it holds show as they are).</summary>
    private static string ChunkText(ByteArena<OrderRecord> log)
    {
        return string.Concat(log.CopyChunks().Select(c => Encoding.Latin1.GetString(c)));
    }
}
