using NodaTime;

namespace Loyalty.Core.Coalition;

/// <summary>
/// The drawing rule every partner store applies, so that all stores draw the same way: ordinary
/// blocks purchased by the earn's instant and not expired at it, oldest purchase first (ties by
/// id), then reserve blocks the same way; all or nothing.
/// </summary>
public static class PrepaidBlocks
{
    /// <summary>Orders blocks for drawing: ordinary before reserve, then by purchase instant, then by id (ordinal).</summary>
    /// <param name="left">A block.</param>
    /// <param name="right">Another.</param>
    /// <returns>The comparison.</returns>
    public static int Compare(PrepaidPointBlock? left, PrepaidPointBlock? right)
    {
        if (ReferenceEquals(left, right))
        {
            return 0;
        }

        if (left is null || right is null)
        {
            return left is null ? -1 : 1;
        }

        var c = left.IsReserve.CompareTo(right.IsReserve);
        if (c == 0)
        {
            c = left.PurchasedAt.CompareTo(right.PurchasedAt);
        }

        return c != 0 ? c : string.CompareOrdinal(left.BlockId, right.BlockId);
    }

    /// <summary>Whether a block can be drawn at an instant.</summary>
    /// <param name="block">The block.</param>
    /// <param name="asOf">The instant.</param>
    /// <returns>True when purchased by then and not expired.</returns>
    public static bool IsDrawable(PrepaidPointBlock block, Instant asOf)
    {
        ArgumentNullException.ThrowIfNull(block);
        return block.PurchasedAt <= asOf && (block.ExpiresAt is not { } e || asOf < e);
    }

    /// <summary>Plans a draw of <paramref name="points"/> from <paramref name="blocks"/>.</summary>
    /// <param name="blocks">The partner's blocks, any order.</param>
    /// <param name="drawn">The points already drawn from a block.</param>
    /// <param name="points">The points to draw, more than 0.</param>
    /// <param name="asOf">The earn's instant.</param>
    /// <returns>The parts, or null when the drawable blocks hold fewer points.</returns>
    public static IReadOnlyList<PrepaidDrawPart>? Plan(IEnumerable<PrepaidPointBlock> blocks, Func<PrepaidPointBlock, long> drawn, long points, Instant asOf)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(drawn);
        var parts = new List<PrepaidDrawPart>();
        var left = points;
        foreach (var block in blocks.Where(b => IsDrawable(b, asOf)).Order(Comparer<PrepaidPointBlock>.Create(Compare)))
        {
            var free = block.Points - drawn(block);
            if (free <= 0)
            {
                continue;
            }

            var take = Math.Min(free, left);
            parts.Add(new PrepaidDrawPart(block.BlockId, take));
            left -= take;
            if (left == 0)
            {
                return parts;
            }
        }

        return null;
    }

    /// <summary>Splits a draw's parts into those kept (up to <paramref name="keep"/> points, earliest first) and those given back.</summary>
    /// <param name="parts">The draw's parts.</param>
    /// <param name="keep">The points to keep; at least the draw's points keeps everything.</param>
    /// <returns>The parts kept and the parts given back.</returns>
    public static (IReadOnlyList<PrepaidDrawPart> Kept, IReadOnlyList<PrepaidDrawPart> Given) Shrink(IReadOnlyList<PrepaidDrawPart> parts, long keep)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var kept = new List<PrepaidDrawPart>();
        var given = new List<PrepaidDrawPart>();
        var left = keep;
        foreach (var part in parts)
        {
            var k = Math.Min(part.Points, Math.Max(0, left));
            left -= k;
            if (k > 0)
            {
                kept.Add(part with { Points = k });
            }

            if (part.Points - k > 0)
            {
                given.Add(part with { Points = part.Points - k });
            }
        }

        return (kept, given);
    }

    /// <summary>What the blocks hold at an instant.</summary>
    /// <param name="blocks">The partner's blocks.</param>
    /// <param name="drawn">The points already drawn from a block.</param>
    /// <param name="asOf">The instant.</param>
    /// <returns>The balance.</returns>
    public static PrepaidBalance Balance(IEnumerable<PrepaidPointBlock> blocks, Func<PrepaidPointBlock, long> drawn, Instant asOf)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(drawn);
        long bought = 0, used = 0, available = 0, reserve = 0;
        foreach (var block in blocks.Where(b => b.PurchasedAt <= asOf))
        {
            var d = drawn(block);
            bought += block.Points;
            used += d;
            if (IsDrawable(block, asOf))
            {
                available += block.Points - d;
                reserve += block.IsReserve ? block.Points - d : 0;
            }
        }

        return new PrepaidBalance(bought, used, available, reserve);
    }
}
