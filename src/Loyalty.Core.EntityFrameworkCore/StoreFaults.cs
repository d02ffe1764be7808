using System.Data.Common;
using Loyalty.Core.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Loyalty.Core.EntityFrameworkCore;

/// <summary>
/// Tells a store fault from anything else and whether a retry may help, from the provider's own
/// classification: every EF Core store turns what this recognises into a <see cref="LoyaltyStoreException"/>.
/// </summary>
/// <remarks>
/// <para>A fault reaches the stores in one of these shapes:</para>
/// <list type="bullet">
/// <item>the provider's <see cref="DbException"/> (Npgsql's <c>NpgsqlException</c> or <c>PostgresException</c>,
/// SQLite's <c>SqliteException</c>…): transient when <see cref="DbException.IsTransient"/> says so
/// (Npgsql classifies dropped connections, <c>57P01</c> admin shutdown, serialization failures…) or, for
/// SQLite, whose exception does not classify itself, when the result code is <c>SQLITE_BUSY</c> (5) or
/// <c>SQLITE_LOCKED</c> (6);</item>
/// <item>a <see cref="TimeoutException"/>: transient;</item>
/// <item>the execution strategy's wrappers: the <see cref="InvalidOperationException"/> a non-retrying
/// strategy throws around a fault it deems transient ("…likely due to a transient failure"), the
/// <see cref="RetryLimitExceededException"/> of a retrying strategy that gave up, and EF Core's
/// <see cref="DbUpdateException"/>: classified by the provider's exception inside them (a strategy gives up
/// only on transient faults, so a retry-limit exception without one is transient).</item>
/// </list>
/// <para>Anything else (a bug, an argument, a cancellation) is not a store fault and passes through.</para>
/// </remarks>
internal static class StoreFaults
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    /// <summary>Whether <paramref name="exception"/> is a store fault; when it is, <paramref name="transient"/> says whether a retry may help.</summary>
    public static bool TryClassify(Exception exception, out bool transient)
    {
        switch (exception)
        {
            case OperationCanceledException:
                transient = false;
                return false;
            case DbException db:
                transient = db.IsTransient || IsSqliteBusy(db);
                return true;
            case TimeoutException:
                transient = true;
                return true;
            case RetryLimitExceededException retry:
                if (retry.InnerException is null || !TryClassify(retry.InnerException, out transient))
                {
                    transient = true;
                }

                return true;
            case DbUpdateException or InvalidOperationException when exception.InnerException is { } inner:
                return TryClassify(inner, out transient);
            default:
                transient = false;
                return false;
        }
    }

    /// <summary>Whether <paramref name="exception"/> is a store fault (see <see cref="TryClassify"/>).</summary>
    public static bool IsFault(Exception exception) => TryClassify(exception, out _);

    /// <summary>The library's exception for a fault met while the <paramref name="store"/> tried to <paramref name="what"/>.</summary>
    public static LoyaltyStoreException Wrap(string store, string what, Exception exception)
    {
        if (exception is LoyaltyStoreException already)
        {
            return already;
        }

        TryClassify(exception, out var transient);
        return new LoyaltyStoreException($"The {store} could not {what}: {exception.GetBaseException().Message}", transient, exception);
    }

    // The package references no provider: SQLite's result code is read by name, on the fault path only.
    private static bool IsSqliteBusy(DbException exception)
        => exception.GetType().FullName == "Microsoft.Data.Sqlite.SqliteException"
            && exception.GetType().GetProperty("SqliteErrorCode")?.GetValue(exception) is int code
            && (code & 0xFF) is SqliteBusy or SqliteLocked;
}
