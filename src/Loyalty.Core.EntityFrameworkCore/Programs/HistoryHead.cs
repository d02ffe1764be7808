using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Loyalty.Core.EntityFrameworkCore.Programs;

/// <summary>
/// The version of a member's history (<see cref="MemberHistoryRow"/>), changed in the transaction
/// that writes an order, refund or activity: compared and set for orders and activities (written
/// only from the version read), incremented for refunds (which check their order's refund count instead).
/// </summary>
internal static class HistoryHead
{
    /// <summary>Reads the version; 0 when the member has no history row.</summary>
    public static async Task<long> ReadAsync(StoreSession session, string program, string member, CancellationToken cancellationToken)
        => await session.Rows<MemberHistoryRow>()
            .Where(h => h.ProgramId == program && h.MemberId == member)
            .Select(h => (long?)h.Version)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false) ?? 0;

    /// <summary>
    /// Moves the version from <paramref name="expected"/> to the next one; false when it is not
    /// <paramref name="expected"/>. From 0 the row is inserted, so a racing first write fails on the key.
    /// </summary>
    public static async Task<bool> AdvanceAsync(StoreSession session, DbTransaction transaction, string program, string member, long expected, CancellationToken cancellationToken)
    {
        var row = new MemberHistoryRow { ProgramId = program, MemberId = member, Version = expected + 1 };
        if (expected == 0)
        {
            await session.ExecuteAsync(transaction, w => w.Insert(row), cancellationToken).ConfigureAwait(false);
            return true;
        }

        return await session.ExecuteAsync(transaction, w => w.Update(row, expected), cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Increments the version whatever it is (inserting the row at version 1 when there is none).</summary>
    public static async Task IncrementAsync(StoreSession session, DbTransaction transaction, string program, string member, CancellationToken cancellationToken)
    {
        var context = session.Context;
        var sql = context.GetService<ISqlGenerationHelper>();
        var entity = context.Model.FindEntityType(typeof(MemberHistoryRow))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        string Column(string property) => sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(table)!);

        var connection = context.Database.GetDbConnection();
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.Transaction = transaction;
            if (context.Database.GetCommandTimeout() is { } timeout)
            {
                command.CommandTimeout = timeout;
            }

            var version = Column(nameof(MemberHistoryRow.Version));
            command.CommandText =
                $"UPDATE {sql.DelimitIdentifier(table.Name, table.Schema)} SET {version} = {version} + 1"
                + $" WHERE {Column(nameof(MemberHistoryRow.ProgramId))} = {Parameter(command, sql, "hp0", program)}"
                + $" AND {Column(nameof(MemberHistoryRow.MemberId))} = {Parameter(command, sql, "hp1", member)}{sql.StatementTerminator}";
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
            {
                return;
            }
        }

        await AdvanceAsync(session, transaction, program, member, 0, cancellationToken).ConfigureAwait(false);
    }

    private static string Parameter(DbCommand command, ISqlGenerationHelper sql, string name, string value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = sql.GenerateParameterName(name);
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return sql.GenerateParameterNamePlaceholder(name);
    }
}
