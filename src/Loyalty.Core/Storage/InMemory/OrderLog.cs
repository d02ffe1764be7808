using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Storage.InMemory;

/// <summary>
/// The in-memory member store's orders as bytes: each <see cref="OrderRecord"/> (the order, its earning
/// explanation, its ids) encoded once into append-only chunks of bytes, and decoded into a new record on
/// each read.
/// </summary>
/// <remarks>
/// <para>Why: an order record kept as objects is about 900 bytes in eight objects (the record, the
/// caller's order and lines, the explanation's result, per-rule entries and allocations, the strings),
/// and the store keeps every order for good. Each object is marked and moved when it leaves generation 0
/// and again when it leaves generation 1, and lands on memory the process has to fault in. Kept here, an
/// order is about a third of those bytes in arrays of bytes the collector never traces (chunks of up to
/// 1 MiB, in the large-object heap once they reach 85,000 bytes, never moved): the collections of a busy
/// shop pay for the order's path, not for every order it ever recorded.</para>
/// <para>Strings that repeat across orders (programme, currency, SKUs, categories, brands, channels,
/// stores, rule ids, rule-set versions, tiers) are kept once in a table and written as numbers. Ids that
/// identify a person or one order (member, order, transaction, fingerprint, coupons) are written in full,
/// so that <see cref="Forget"/> wipes them: an erased member's orders leave no trace in the log.</para>
/// <para>Not thread-safe: the member store calls it under its own lock.</para>
/// </remarks>
internal sealed class OrderLog
{
    private const byte Format = 1;
    private const int FirstChunkSize = 4 << 10;
    private const int MaxChunkSize = 1 << 20;
    private const int IndexBits = 12;
    private const int IndexSize = 1 << IndexBits;
    private const long Forgotten = -1;

    // Flags of a record's header.
    private const int HasTier = 1, OrderIdDiffers = 2, MemberDiffers = 4, EarningOrderDiffers = 8, EarningMemberDiffers = 16, OccurredAtDiffers = 32, IsQuote = 64;

    // Flags of an order line.
    private const int LineHasBrand = 1, LineIsGiftCard = 2;

    private static readonly Instant Epoch = NodaConstants.UnixEpoch;

    private readonly List<byte[]> chunks = [];
    private readonly List<string> strings = [];
    private readonly Dictionary<string, int> stringIds = new(StringComparer.Ordinal);
    private readonly int capacity;
    private long[][] index = new long[4][];
    private int used;
    private int count;
    private byte[] scratch = new byte[512];

    /// <summary>An empty log.</summary>
    /// <param name="capacity">The most records it holds (<see cref="int.MaxValue"/>: positions are <see cref="int"/>s; smaller in tests).</param>
    public OrderLog(int capacity = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.capacity = capacity;
    }

    /// <summary>The records added so far, forgotten ones included.</summary>
    public int Count => count;

    /// <summary>The bytes the log's chunks hold (for tests and profiles).</summary>
    internal long ChunkBytes => chunks.Sum(static c => (long)c.Length);

    /// <summary>The chunks themselves (for tests: what a forgotten record leaves).</summary>
    internal IReadOnlyList<byte[]> Chunks => chunks;

    /// <summary>Encodes <paramref name="record"/> at the end of the log and returns its position.</summary>
    /// <exception cref="InvalidOperationException">The log is full (<see cref="int.MaxValue"/> records).</exception>
    public int Add(OrderRecord record)
    {
        if (count == capacity)
        {
            throw new InvalidOperationException($"The in-memory store holds {capacity} orders, its limit; a store that large needs a database-backed store.");
        }

        var writer = new Writer(this, scratch);
        writer.Record(record);
        scratch = writer.Buffer;
        var length = writer.Length;

        // A record never straddles two chunks: it goes to the last chunk when it fits, else to a new one
        // (twice the last's size up to 1 MiB, or the record's own size when larger).
        var last = chunks.Count - 1;
        if (last < 0 || chunks[last].Length - used < length)
        {
            var size = last < 0 ? FirstChunkSize : Math.Min(MaxChunkSize, chunks[last].Length * 2);
            chunks.Add(new byte[Math.Max(size, length)]);
            last++;
            used = 0;
        }

        scratch.AsSpan(0, length).CopyTo(chunks[last].AsSpan(used));
        var position = count;
        var block = position >> IndexBits;
        if (block == index.Length)
        {
            Array.Resize(ref index, index.Length * 2);
        }

        index[block] ??= new long[IndexSize];
        index[block][position & (IndexSize - 1)] = ((long)last << 32) | (uint)used;
        used += length;
        count = position + 1;
        return position;
    }

    /// <summary>A new record decoded from the one at <paramref name="position"/> (one <see cref="Add"/> returned, not forgotten).</summary>
    /// <exception cref="InvalidOperationException">The record was forgotten.</exception>
    public OrderRecord this[int position]
    {
        get
        {
            var at = Locate(position);
            var reader = new Reader(this, chunks[(int)(at >> 32)], (int)at);
            return reader.Record();
        }
    }

    /// <summary>Wipes the record at <paramref name="position"/> (its member was erased or moved): its bytes are zeroed.</summary>
    public void Forget(int position)
    {
        var at = Locate(position);
        var chunk = chunks[(int)(at >> 32)];
        var start = (int)at;
        var length = new Reader(this, chunk, start).Skip();
        Array.Clear(chunk, start, length);
        index[position >> IndexBits][position & (IndexSize - 1)] = Forgotten;
    }

    private long Locate(int position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, count);
        var at = index[position >> IndexBits][position & (IndexSize - 1)];
        return at == Forgotten
            ? throw new InvalidOperationException($"The record at position {position} was forgotten (its member or account was rewritten).")
            : at;
    }

    private int Intern(string value)
    {
        if (!stringIds.TryGetValue(value, out var id))
        {
            id = strings.Count;
            strings.Add(value);
            stringIds.Add(value, id);
        }

        return id;
    }

    /// <summary>Writes a record into a growing buffer: variable-length integers, decimals by their parts, strings as ASCII or UTF-16 or by their number in the table.</summary>
    private ref struct Writer(OrderLog log, byte[] buffer)
    {
        private int length;

        public readonly byte[] Buffer => buffer;

        public readonly int Length => length;

        public void Record(OrderRecord record)
        {
            var order = record.Order;
            var earning = record.Earning;
            var flags = (record.Tier is null ? 0 : HasTier)
                | (order.Id == record.OrderId ? 0 : OrderIdDiffers)
                | (order.Member == record.MemberId ? 0 : MemberDiffers)
                | (earning.OrderId == record.OrderId ? 0 : EarningOrderDiffers)
                | (earning.Member == record.MemberId ? 0 : EarningMemberDiffers)
                | (earning.OccurredAt == order.PlacedAt ? 0 : OccurredAtDiffers)
                | (earning.IsQuote ? IsQuote : 0);

            // The record's length comes first (so that Forget and Skip need not decode it), written when known.
            Byte(0);
            Byte(0);
            Byte(0);
            Byte(0);
            Byte(Format);
            Varint((uint)flags);
            Interned(record.ProgramId.IsDefault ? null : record.ProgramId.Value);
            Text(record.MemberId.IsDefault ? null : record.MemberId.Value);
            Text(record.OrderId.IsDefault ? null : record.OrderId.Value);
            Text(record.Fingerprint);
            if (record.Tier is { } tier)
            {
                Interned(tier.IsDefault ? null : tier.Value);
            }

            Text(record.TransactionId.IsDefault ? null : record.TransactionId.Value);
            At(record.RecordedAt);

            // The order.
            if ((flags & OrderIdDiffers) != 0)
            {
                Text(order.Id.Value);
            }

            if ((flags & MemberDiffers) != 0)
            {
                Text(order.Member.Value);
            }

            At(order.PlacedAt);
            Interned(order.Currency.Code);
            Varint((uint)order.Lines.Count);
            foreach (var line in order.Lines)
            {
                Varint((uint)((line.Brand is null ? 0 : LineHasBrand) | (line.IsGiftCard ? LineIsGiftCard : 0)));
                Interned(line.Sku);
                Varint((uint)line.Quantity);
                Amount(line.UnitPrice);
                Amount(line.Discount);
                Varint((uint)line.Categories.Count);
                foreach (var category in line.Categories)
                {
                    Interned(category);
                }

                if (line.Brand is { } brand)
                {
                    Interned(brand);
                }
            }

            Amount(order.Shipping);
            Amount(order.Tax);
            Amount(order.PaidWithPoints);
            Interned(order.Channel);
            Interned(order.Store is { IsDefault: false } store ? store.Value : null);
            Varint((uint)order.Coupons.Count);
            foreach (var coupon in order.Coupons)
            {
                Text(coupon);
            }

            // The earning explanation.
            if ((flags & EarningOrderDiffers) != 0)
            {
                Text(earning.OrderId is { IsDefault: false } earningOrder ? earningOrder.Value : null);
            }

            if ((flags & EarningMemberDiffers) != 0)
            {
                Text(earning.Member.IsDefault ? null : earning.Member.Value);
            }

            if ((flags & OccurredAtDiffers) != 0)
            {
                At(earning.OccurredAt);
            }

            Interned(earning.RuleSetVersion);
            Interned(earning.MerchantRuleSetVersion);
            Signed(earning.Total.Value);
            Varint((uint)earning.LineCount);
            Varint((uint)earning.Rules.Count);
            for (var i = 0; i < earning.Rules.Count; i++)
            {
                var rule = earning.Rules[i];
                Interned(rule.RuleId.IsDefault ? null : rule.RuleId.Value);
                Varint((uint)rule.Outcome);
                Varint((uint)rule.Reversal);
                Amount(rule.Desired);
                Signed(rule.Rounded.Value);
                Signed(rule.Awarded.Value);
                var allocation = rule.Allocation.Span;
                Varint((uint)allocation.Length);
                foreach (var points in allocation)
                {
                    Signed(points);
                }
            }

            Varint((uint)earning.UsageDeltas.Count);
            foreach (var delta in earning.UsageDeltas)
            {
                Interned(delta.RuleId.IsDefault ? null : delta.RuleId.Value);
                if (delta.Period is { } period)
                {
                    Varint(1 + (uint)period.Unit);
                    Day(period.Start);
                }
                else
                {
                    Varint(0);
                }

                Signed(delta.Points.Value);
                Signed(delta.Count);
            }

            Varint((uint)earning.Thresholds.Count);
            foreach (var threshold in earning.Thresholds)
            {
                Interned(threshold.RuleId.IsDefault ? null : threshold.RuleId.Value);
                Amount(threshold.Threshold);
            }

            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(buffer, length);
        }

        private void Byte(byte value)
        {
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            buffer[length++] = value;
        }

        private void Varint(ulong value)
        {
            while (value >= 0x80)
            {
                Byte((byte)(value | 0x80));
                value >>= 7;
            }

            Byte((byte)value);
        }

        private void Signed(long value) => Varint((ulong)((value << 1) ^ (value >> 63)));

        private void Amount(decimal value)
        {
            // Sign and scale in one byte, then the 96-bit integer by its three parts (the upper two only when
            // not zero): 89.90m takes three bytes and keeps its scale.
            Span<int> bits = stackalloc int[4];
            System.Decimal.GetBits(value, bits);
            var scale = (bits[3] >> 16) & 0xFF;
            var wide = bits[1] != 0 || bits[2] != 0;
            Byte((byte)(scale | (bits[3] < 0 ? 0x80 : 0) | (wide ? 0x40 : 0)));
            Varint((uint)bits[0]);
            if (wide)
            {
                Varint((uint)bits[1]);
                Varint((uint)bits[2]);
            }
        }

        private void At(Instant value)
        {
            var since = value - Epoch;
            Signed(since.Days);
            Varint((ulong)since.NanosecondOfDay);
        }

        private void Day(LocalDate value)
        {
            Signed(value.Year);
            Varint((uint)value.Month);
            Varint((uint)value.Day);
            Interned(value.Calendar == CalendarSystem.Iso ? null : value.Calendar.Id);
        }

        /// <summary>
        /// A string after a header (0 for null, else its length in chars, doubled, plus 1 when in UTF-16, plus 1):
        /// one byte per char when all are ASCII, else its UTF-16 code units as they are, so that any string
        /// reads back unchanged (an unpaired surrogate would not survive UTF-8).
        /// </summary>
        private void Text(string? value)
        {
            if (value is null)
            {
                Varint(0);
                return;
            }

            var ascii = System.Text.Ascii.IsValid(value);
            Varint(((ulong)(uint)value.Length << 1) + (ascii ? 1UL : 2UL));
            var bytes = ascii ? value.Length : value.Length * 2;
            while (buffer.Length - length < bytes)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            if (ascii)
            {
                System.Text.Encoding.ASCII.GetBytes(value, buffer.AsSpan(length));
            }
            else
            {
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(value.AsSpan()).CopyTo(buffer.AsSpan(length));
            }

            length += bytes;
        }

        /// <summary>A string by its number in the log's table + 1 (0 for null).</summary>
        private void Interned(string? value) => Varint(value is null ? 0 : (uint)log.Intern(value) + 1);
    }

    /// <summary>Reads a record back from its chunk.</summary>
    private ref struct Reader(OrderLog log, byte[] chunk, int start)
    {
        private readonly int first = start;
        private int at = start;

        /// <summary>The record's length in bytes, without decoding it.</summary>
        public readonly int Skip() => System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(chunk.AsSpan(first));

        public OrderRecord Record()
        {
            at += 4;
            if (chunk[at++] != Format)
            {
                throw new InvalidOperationException($"The order log holds a record of format {chunk[at - 1]} at byte {first}; this build reads format {Format}.");
            }

            var flags = (int)Varint();
            var programId = Interned() is { } program ? ProgramId.From(program) : default;
            var memberId = Text() is { } member ? MemberId.From(member) : default;
            var orderId = Text() is { } id ? OrderId.From(id) : default;
            var fingerprint = Text()!;
            TierId? tier = (flags & HasTier) == 0 ? null : Interned() is { } tierId ? TierId.From(tierId) : default(TierId);
            var transactionId = Text() is { } transaction ? TransactionId.From(transaction) : default;
            var recordedAt = At();

            var orderOrderId = (flags & OrderIdDiffers) != 0 ? OrderId.From(Text()!) : orderId;
            var orderMember = (flags & MemberDiffers) != 0 ? MemberId.From(Text()!) : memberId;
            var placedAt = At();
            var currency = Currency.FromCode(Interned()!);
            var lines = new OrderLine[(int)Varint()];
            for (var i = 0; i < lines.Length; i++)
            {
                var lineFlags = (int)Varint();
                var sku = Interned()!;
                var quantity = (int)Varint();
                var unitPrice = Amount();
                var discount = Amount();
                var categories = (int)Varint() is var n and > 0 ? new string[n] : [];
                for (var c = 0; c < categories.Length; c++)
                {
                    categories[c] = Interned()!;
                }

                var brand = (lineFlags & LineHasBrand) != 0 ? Interned() : null;
                lines[i] = new OrderLine(sku, quantity, unitPrice, discount, categories, brand, (lineFlags & LineIsGiftCard) != 0);
            }

            var shipping = Amount();
            var tax = Amount();
            var paidWithPoints = Amount();
            var channel = Interned();
            var store = Interned() is { } merchant ? MerchantId.From(merchant) : (MerchantId?)null;
            var coupons = (int)Varint() is var couponCount and > 0 ? new string[couponCount] : null;
            for (var c = 0; c < (coupons?.Length ?? 0); c++)
            {
                coupons![c] = Text()!;
            }

            var order = new EarningOrder(orderOrderId, orderMember, placedAt, currency, lines, shipping, tax, paidWithPoints, channel, store, coupons);

            OrderId? earningOrder = orderId;
            if ((flags & EarningOrderDiffers) != 0)
            {
                earningOrder = Text() is { } other ? OrderId.From(other) : null;
            }

            var earningMember = memberId;
            if ((flags & EarningMemberDiffers) != 0)
            {
                earningMember = Text() is { } other ? MemberId.From(other) : default;
            }

            var occurredAt = (flags & OccurredAtDiffers) != 0 ? At() : placedAt;
            var version = Interned()!;
            var merchantVersion = Interned();
            var total = Points.FromInt64(Signed());
            var lineCount = (int)Varint();
            var rules = new RuleEvaluation[(int)Varint()];
            for (var i = 0; i < rules.Length; i++)
            {
                var ruleId = Interned() is { } rule ? RuleId.From(rule) : default;
                var outcome = (RuleOutcome)Varint();
                var reversal = (ReversalPolicy)Varint();
                var desired = Amount();
                var rounded = Points.FromInt64(Signed());
                var awarded = Points.FromInt64(Signed());
                // An empty allocation is the default memory, as the engine makes it (equal to it, not only as long).
                var allocated = (int)Varint();
                var allocation = allocated > 0 ? new long[allocated] : null;
                for (var k = 0; k < allocated; k++)
                {
                    allocation![k] = Signed();
                }

                rules[i] = new RuleEvaluation(ruleId, outcome, reversal, desired, rounded, awarded, allocation);
            }

            var deltas = (int)Varint() is var d and > 0 ? new RuleUsageDelta[d] : [];
            for (var i = 0; i < deltas.Length; i++)
            {
                var ruleId = Interned() is { } rule ? RuleId.From(rule) : default;
                var unit = Varint();
                UsagePeriod? period = unit == 0 ? null : new UsagePeriod((CapPeriod)(unit - 1), Day());
                deltas[i] = new RuleUsageDelta(ruleId, period, Points.FromInt64(Signed()), (int)Signed());
            }

            var thresholds = (int)Varint() is var t and > 0 ? new ThresholdTerm[t] : [];
            for (var i = 0; i < thresholds.Length; i++)
            {
                var ruleId = Interned() is { } rule ? RuleId.From(rule) : default;
                thresholds[i] = new ThresholdTerm(ruleId, Amount());
            }

            var earning = new EarningResult(earningOrder, earningMember, version, occurredAt, (flags & IsQuote) != 0, total, lineCount, rules, deltas, thresholds)
            {
                MerchantRuleSetVersion = merchantVersion,
            };

            return new OrderRecord
            {
                ProgramId = programId,
                MemberId = memberId,
                OrderId = orderId,
                Fingerprint = fingerprint,
                Order = order,
                Earning = earning,
                Tier = tier,
                TransactionId = transactionId,
                RecordedAt = recordedAt,
            };
        }

        private ulong Varint()
        {
            ulong value = 0;
            var shift = 0;
            while (true)
            {
                var b = chunk[at++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }

                shift += 7;
            }
        }

        private long Signed()
        {
            var raw = Varint();
            return (long)(raw >> 1) ^ -(long)(raw & 1);
        }

        private decimal Amount()
        {
            var head = chunk[at++];
            var lo = (int)(uint)Varint();
            int mid = 0, hi = 0;
            if ((head & 0x40) != 0)
            {
                mid = (int)(uint)Varint();
                hi = (int)(uint)Varint();
            }

            return new decimal(lo, mid, hi, (head & 0x80) != 0, (byte)(head & 0x1F));
        }

        private Instant At()
        {
            var days = (int)Signed();
            var nanos = (long)Varint();
            return Epoch + Duration.FromDays(days) + Duration.FromNanoseconds(nanos);
        }

        private LocalDate Day()
        {
            var year = (int)Signed();
            var month = (int)Varint();
            var day = (int)Varint();
            var calendar = Interned() is { } id ? CalendarSystem.ForId(id) : CalendarSystem.Iso;
            return new LocalDate(year, month, day, calendar);
        }

        private string? Text()
        {
            var header = Varint();
            if (header == 0)
            {
                return null;
            }

            var chars = (int)((header - 1) >> 1);
            string value;
            if (((header - 1) & 1) == 0)
            {
                value = System.Text.Encoding.ASCII.GetString(chunk, at, chars);
                at += chars;
            }
            else
            {
                value = new string(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, char>(chunk.AsSpan(at, chars * 2)));
                at += chars * 2;
            }

            return value;
        }

        private string? Interned() => (int)Varint() is var n and > 0 ? log.strings[n - 1] : null;
    }
}
