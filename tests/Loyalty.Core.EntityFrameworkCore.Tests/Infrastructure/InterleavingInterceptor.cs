using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;

/// <summary>
/// Awaits a callback after each EF Core command of its context has run (the statement's snapshot is
/// taken, its reader not yet read), so that a test can land another writer's change between two
/// statements of one store operation.
/// </summary>
public sealed class InterleavingInterceptor(Func<Task> interleave) : DbCommandInterceptor
{
    public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result, CancellationToken cancellationToken = default)
    {
        await interleave();
        return result;
    }

    public override async ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        await interleave();
        return result;
    }

    public override async ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        await interleave();
        return result;
    }
}
