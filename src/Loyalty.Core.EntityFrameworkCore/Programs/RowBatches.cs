using System.Data.Common;

namespace Loyalty.Core.EntityFrameworkCore.Programs;

/// <summary>
/// Inserts many rows in commands of a bounded size (a member's whole history rewritten at once can hold
/// thousands of rows, more than a command takes parameters), and splits id lists for <c>IN</c> queries the same way.
/// </summary>
internal static class RowBatches
{
    /// <summary>Rows per command: at most a few thousand parameters on every provider.</summary>
    public const int RowsPerCommand = 200;

    /// <summary>Ids per <c>IN</c> list.</summary>
    public const int IdsPerQuery = 500;

    /// <summary>Inserts <paramref name="rows"/> in <paramref name="transaction"/>, <see cref="RowsPerCommand"/> per command.</summary>
    public static async Task InsertAsync<TRow>(StoreSession session, DbTransaction transaction, IReadOnlyList<TRow> rows, CancellationToken cancellationToken)
        where TRow : class
    {
        for (var start = 0; start < rows.Count; start += RowsPerCommand)
        {
            var end = Math.Min(rows.Count, start + RowsPerCommand);
            var first = start;
            await session.ExecuteAsync(
                transaction,
                w =>
                {
                    for (var i = first; i < end; i++)
                    {
                        w.Insert(rows[i]);
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether <paramref name="query"/> finds anything for some chunk of <paramref name="ids"/>.</summary>
    public static async Task<bool> AnyAsync(IReadOnlyCollection<string> ids, Func<List<string>, CancellationToken, Task<bool>> query, CancellationToken cancellationToken)
    {
        foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(IdsPerQuery))
        {
            if (await query([.. chunk], cancellationToken).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }
}
