using Loyalty.Core.Internal;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Earning;

/// <summary>Units of one order line given back.</summary>
/// <param name="LineIndex">The line's position in <see cref="EarningOrder.Lines"/> (0-based).</param>
/// <param name="Quantity">The units refunded; greater than 0.</param>
public readonly record struct LineRefund(int LineIndex, int Quantity);

/// <summary>A refund of part or all of an order: either lines and quantities, or an amount of money.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class OrderRefund
{
    private OrderRefund(IReadOnlyList<LineRefund> lines, decimal amount)
    {
        Lines = lines;
        Amount = amount;
    }

    /// <summary>The lines and quantities refunded (empty for an amount refund).</summary>
    public IReadOnlyList<LineRefund> Lines { get; }

    /// <summary>The amount refunded, in the order's currency (0 for a line refund).</summary>
    public decimal Amount { get; }

    /// <summary>A refund of units of some lines.</summary>
    /// <param name="lines">The lines and quantities; at least one.</param>
    /// <returns>The refund.</returns>
    /// <exception cref="ArgumentException">No line is given, or a quantity is not positive.</exception>
    public static OrderRefund ForLines(params LineRefund[] lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        if (lines.Length == 0)
        {
            throw new ArgumentException("lines must hold at least one line refund.", nameof(lines));
        }

        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Quantity <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(lines), lines[i].Quantity, $"lines[{i}].Quantity must be greater than 0 (was {lines[i].Quantity}).");
            }

            if (lines[i].LineIndex < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(lines), lines[i].LineIndex, $"lines[{i}].LineIndex must be 0 or greater (was {lines[i].LineIndex}).");
            }
        }

        return new OrderRefund(lines.ToArray(), 0m);
    }

    /// <summary>A refund of an amount of the order's merchandise (a goodwill gesture, a partial credit).</summary>
    /// <param name="amount">The amount, greater than 0 and at most <see cref="EarningLimits.MaxAmount"/>, in the order's currency.</param>
    /// <returns>The refund.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is not positive or above <see cref="EarningLimits.MaxAmount"/>.</exception>
    public static OrderRefund ForAmount(decimal amount) => amount switch
    {
        <= 0m => throw new ArgumentOutOfRangeException(nameof(amount), amount, $"amount must be greater than 0 (was {amount})."),
        > EarningLimits.MaxAmount => throw new ArgumentOutOfRangeException(nameof(amount), amount, $"amount must be at most {EarningLimits.MaxAmount} (was {amount}); amounts are in units of the currency (euros, not cents)."),
        _ => new OrderRefund([], amount),
    };
}

/// <summary>Points a refund takes back from one rule's award.</summary>
/// <param name="RuleId">The rule.</param>
/// <param name="Points">The points to take back (0 or more).</param>
public readonly record struct RuleRefund(RuleId RuleId, Points Points);

/// <summary>The points a refund takes back, per rule, computed from the recorded result.</summary>
/// <param name="Total">The points to take back in all.</param>
/// <param name="Rules">One entry per rule that awarded points on the order.</param>
/// <param name="IsFullRefund">True when, with this refund, the whole order has been refunded.</param>
public sealed record RefundResult(Points Total, IReadOnlyList<RuleRefund> Rules, bool IsFullRefund);

/// <summary>Cumulative refund arithmetic: take-back after all refunds minus take-back before this one.</summary>
internal static class RefundCalculator
{
    public static RefundResult Compute(EarningOrder order, EarningResult recorded, IReadOnlyList<OrderRefund> previousRefunds, OrderRefund refund)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(previousRefunds);
        ArgumentNullException.ThrowIfNull(refund);
        if (recorded.OrderId != order.Id || recorded.LineCount != order.Lines.Count)
        {
            throw new ArgumentException($"recorded is the result of order \"{recorded.OrderId}\" with {recorded.LineCount} lines, not of order \"{order.Id}\" with {order.Lines.Count} lines.", nameof(recorded));
        }

        if (recorded.IsQuote)
        {
            throw new ArgumentException("recorded is a quote; refunds are computed from the result recorded for the order.", nameof(recorded));
        }

        var before = new State(order.Lines.Count);
        for (var i = 0; i < previousRefunds.Count; i++)
        {
            before.Add(order, previousRefunds[i] ?? throw new ArgumentException($"previousRefunds[{i}] must not be null.", nameof(previousRefunds)), nameof(previousRefunds));
        }

        var after = before.Clone();
        after.Add(order, refund, nameof(refund));

        var entries = new List<RuleRefund>();
        long total = 0;
        foreach (var rule in recorded.Rules)
        {
            if (!rule.Fired)
            {
                continue;
            }

            var take = TakeBack(order, recorded, rule, after) - TakeBack(order, recorded, rule, before);
            entries.Add(new RuleRefund(rule.RuleId, Points.FromInt64(take)));
            total += take;
        }

        return new RefundResult(Points.FromInt64(total), entries, after.IsFull(order));
    }

    private static long TakeBack(EarningOrder order, EarningResult recorded, RuleEvaluation rule, State state)
    {
        var allocation = rule.Allocation.Span;
        var full = state.IsFull(order);
        switch (rule.Reversal)
        {
            case ReversalPolicy.None:
                return 0;
            case ReversalPolicy.OnFullRefund:
                return full ? rule.Awarded.Value : 0;
            case ReversalPolicy.BelowThreshold:
                var threshold = recorded.Thresholds.FirstOrDefault(t => t.RuleId == rule.RuleId)?.Threshold;
                return full || threshold is not { } value || state.MerchandiseAfter(order) < Fraction.From(value) ? rule.Awarded.Value : 0;
        }

        if (full)
        {
            return rule.Awarded.Value;
        }

        // The exact refunded share of each line's points (q/Q from line refunds plus A/N from
        // amount refunds, capped at the line's points) is summed as an exact fraction and floored
        // once, so that spreading an amount over several lines or several refunds never loses or
        // gains a point to intermediate rounding. The sum only grows as refunds accumulate, so
        // taking after − before is never negative.
        var exact = Fraction.Zero;
        var lines = order.Lines;
        var net = order.NetSubtotal;
        var amountShare = net == 0m ? Fraction.Zero : Fraction.From(state.Amount) / Fraction.From(net);
        for (var i = 0; i < lines.Count; i++)
        {
            if (allocation[i] == 0)
            {
                continue;
            }

            var points = Fraction.From(allocation[i]);
            var share = Fraction.Ratio(state.Quantities[i], lines[i].Quantity) + amountShare;
            exact += share >= Fraction.One ? points : points * share;
        }

        var orderLevel = allocation[lines.Count];
        if (orderLevel != 0 && net != 0m)
        {
            var points = Fraction.From(orderLevel);
            exact += Fraction.Min(points, points * state.RefundedValue(order) / Fraction.From(net));
        }

        return (long)exact.Floor();
    }

    private sealed class State
    {
        public State(int lines) => Quantities = new int[lines];

        public int[] Quantities { get; private init; }

        public decimal Amount { get; private set; }

        public State Clone() => new(0) { Quantities = (int[])Quantities.Clone(), Amount = Amount };

        public void Add(EarningOrder order, OrderRefund refund, string paramName)
        {
            foreach (var line in refund.Lines)
            {
                if (line.LineIndex >= order.Lines.Count)
                {
                    throw new ArgumentException($"Line {line.LineIndex} does not exist; the order has {order.Lines.Count} lines (0 to {order.Lines.Count - 1}).", paramName);
                }

                var ordered = order.Lines[line.LineIndex].Quantity;
                var refunded = (long)Quantities[line.LineIndex] + line.Quantity;
                if (refunded > ordered)
                {
                    throw new ArgumentException($"Line {line.LineIndex} would have {refunded} units refunded but only {ordered} were ordered.", paramName);
                }

                Quantities[line.LineIndex] = (int)refunded;
            }

            Amount += refund.Amount;
            if (RefundedValue(order) > Fraction.From(order.NetSubtotal))
            {
                throw new ArgumentException($"The refunds would total {ApproximateValue(order, Amount)}, more than the order's net subtotal {order.NetSubtotal}.", paramName);
            }
        }

        public bool IsFull(EarningOrder order)
        {
            var allLines = true;
            for (var i = 0; i < Quantities.Length; i++)
            {
                allLines &= Quantities[i] == order.Lines[i].Quantity;
            }

            return allLines || (order.NetSubtotal > 0m && RefundedValue(order) >= Fraction.From(order.NetSubtotal));
        }

        /// <summary>The merchandise (gift cards excluded) left after the refunds, exactly.</summary>
        public Fraction MerchandiseAfter(EarningOrder order)
        {
            var remaining = Fraction.Zero;
            for (var i = 0; i < Quantities.Length; i++)
            {
                var line = order.Lines[i];
                if (!line.IsGiftCard)
                {
                    remaining += LineValue(line, line.Quantity - Quantities[i]);
                }
            }

            return remaining - Fraction.From(Amount);
        }

        /// <summary>The money refunded so far, exactly: the amounts plus each line's refunded share of its net amount.</summary>
        public Fraction RefundedValue(EarningOrder order)
        {
            var value = Fraction.From(Amount);
            for (var i = 0; i < Quantities.Length; i++)
            {
                value += LineValue(order.Lines[i], Quantities[i]);
            }

            return value;
        }

        private static Fraction LineValue(OrderLine line, int quantity) =>
            quantity == 0 ? Fraction.Zero : Fraction.From(line.NetAmount) * Fraction.Ratio(quantity, line.Quantity);

        /// <summary>The refunded value rounded to decimal precision, for messages only.</summary>
        private decimal ApproximateValue(EarningOrder order, decimal amount)
        {
            var value = amount;
            for (var i = 0; i < Quantities.Length; i++)
            {
                var line = order.Lines[i];
                value += Quantities[i] == line.Quantity ? line.NetAmount : line.NetAmount * Quantities[i] / line.Quantity;
            }

            return value;
        }
    }
}
