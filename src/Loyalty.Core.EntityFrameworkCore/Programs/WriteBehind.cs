using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Loyalty.Core.EntityFrameworkCore.Programs;

/// <summary>
/// The writes of one unit of work held back and sent together, on PostgreSQL: an order, refund-free
/// activity or ledger append written inside a unit is checked by guarded statements (a version
/// check that fails the statement when it misses, a key that refuses a used id) and queued; the
/// queue goes to the server as one batch when the unit ends — one round trip, in PostgreSQL's
/// implicit transaction of a batch (or behind a savepoint in the shop's transaction) — or earlier,
/// in the unit's transaction begun then, when a store reads or writes anything else meanwhile.
/// </summary>
/// <remarks>
/// <para>A queued write answers as written. When the batch is refused (a version moved, an id was
/// used: what the immediate write would have answered differently), nothing of it is kept and the
/// unit of work runs the unit again with every write sent at once, which gives the true answers.</para>
/// <para>One per <see cref="DbContext"/>, found through the context; not thread-safe (neither is the context).</para>
/// </remarks>
internal sealed class WriteBehind
{
    /// <summary>The savepoint of a unit in the shop's transaction (the unit of work's own name).</summary>
    public const string Savepoint = "loyalty_call";

    private static readonly ConditionalWeakTable<DbContext, WriteBehind> Instances = new();

    private readonly DbContext context;
    private readonly List<QueuedStatement> queue = [];
    private IDbContextTransaction? ambient;
    private IDbContextTransaction? own;
    private bool savepointCreated;
    private bool savepointSent;
    private bool ledgerQueued;

    private WriteBehind(DbContext context) => this.context = context;

    /// <summary>Whether a unit is holding writes back.</summary>
    public bool Deferring { get; private set; }

    /// <summary>The unit's own transaction, once begun (null while every write is still queued, or in the shop's transaction).</summary>
    public IDbContextTransaction? Own => own;

    /// <summary>Whether the unit's transaction (or its savepoint in the shop's) has been begun on the server side.</summary>
    public bool Started => own is not null || savepointCreated;

    /// <summary>Whether a savepoint of the unit exists in the shop's transaction (created, or sent at the head of a batch).</summary>
    public bool HasSavepoint => savepointCreated || savepointSent;

    /// <summary>Whether writes of <paramref name="context"/> can be held back: PostgreSQL, whose batches run atomically.</summary>
    public static bool Supports(DbContext context)
        => context.Database.ProviderName == Ledger.PostgresLedgerAppend.ProviderName && context.Database.GetDbConnection().CanCreateBatch;

    /// <summary>The instance of <paramref name="context"/>.</summary>
    public static WriteBehind Of(DbContext context) => Instances.GetValue(context, static c => new WriteBehind(c));

    /// <summary>The instance of <paramref name="context"/> when a unit is holding its writes back, else null.</summary>
    public static WriteBehind? Deferred(DbContext context)
        => Instances.TryGetValue(context, out var instance) && instance.Deferring ? instance : null;

    /// <summary>
    /// Before a store sends anything while a unit holds writes back: a read only needs what is queued
    /// sent first (in the unit's transaction, begun then); a write needs the transaction in any case.
    /// </summary>
    /// <param name="context">The stores' context.</param>
    /// <param name="write">Whether the store is about to write.</param>
    /// <param name="ledgerOnly">Whether the read reads only the ledger's tables (then only queued ledger writes are sent first).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public static async Task JoinAsync(DbContext context, bool write, bool ledgerOnly, CancellationToken cancellationToken)
    {
        if (Deferred(context) is { } deferred && (write || (ledgerOnly ? deferred.ledgerQueued : deferred.queue.Count > 0)))
        {
            await deferred.BeginAsync(cancellationToken).ConfigureAwait(false);
            await deferred.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts holding writes back for a unit, in <paramref name="shop"/>'s transaction when there is one.</summary>
    public void Start(IDbContextTransaction? shop)
    {
        queue.Clear();
        ledgerQueued = false;
        ambient = shop;
        own = null;
        savepointCreated = false;
        savepointSent = false;
        Deferring = true;
    }

    /// <summary>Stops holding writes back (the unit ended, either way); forgets what is queued.</summary>
    public void Stop()
    {
        Deferring = false;
        queue.Clear();
        ledgerQueued = false;
        ambient = null;
        own = null;
        savepointCreated = false;
        savepointSent = false;
    }

    /// <summary>Queues one statement; <paramref name="bind"/> adds its parameters; <paramref name="ledger"/> says whether it writes the ledger's tables.</summary>
    public void Add(string sql, Action<DbBatchCommand> bind, bool ledger)
    {
        if (!Deferring)
        {
            throw new InvalidOperationException("No unit of work is holding writes back.");
        }

        queue.Add(new QueuedStatement(sql, bind));
        ledgerQueued |= ledger;
    }

    /// <summary>
    /// Sends what is queued as one batch: in the unit's transaction when it has begun; else on its
    /// own, in PostgreSQL's implicit transaction of a batch, behind a savepoint in the shop's
    /// transaction. A refused batch keeps nothing and throws <see cref="WriteBehindRefusedException"/>.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (queue.Count == 0)
        {
            return;
        }

        var database = context.Database;
        var batch = database.GetDbConnection().CreateBatch();
        await using (batch.ConfigureAwait(false))
        {
            batch.Transaction = (own ?? ambient)?.GetDbTransaction();
            if (database.GetCommandTimeout() is { } timeout)
            {
                batch.Timeout = timeout;
            }

            var wrap = !Started && ambient is not null;
            if (wrap)
            {
                Add(batch, "SAVEPOINT " + Savepoint);
                savepointSent = true;
            }

            foreach (var queued in queue)
            {
                var command = batch.CreateBatchCommand();
                command.CommandText = queued.Sql;
                queued.Bind(command);
                batch.BatchCommands.Add(command);
            }

            if (wrap)
            {
                Add(batch, "RELEASE SAVEPOINT " + Savepoint);
            }

            queue.Clear();
            ledgerQueued = false;
            try
            {
                // Each statement's text is fixed per model: prepared once per physical connection.
                await batch.PrepareAsync(cancellationToken).ConfigureAwait(false);
                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                savepointSent = false;
            }
            catch (Exception ex) when (ex is not TimeoutException && StoreFaults.IsFault(ex))
            {
                throw new WriteBehindRefusedException(ex);
            }
        }

        static void Add(DbBatch batch, string text)
        {
            var command = batch.CreateBatchCommand();
            command.CommandText = text;
            batch.BatchCommands.Add(command);
        }
    }

    /// <summary>Begins the unit's transaction (its own, or a savepoint in the shop's), once.</summary>
    private async Task BeginAsync(CancellationToken cancellationToken)
    {
        if (Started)
        {
            return;
        }

        if (ambient is null)
        {
            own = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ambient.CreateSavepointAsync(Savepoint, cancellationToken).ConfigureAwait(false);
            savepointCreated = true;
        }
    }

    private sealed record QueuedStatement(string Sql, Action<DbBatchCommand> Bind);
}

/// <summary>
/// A batch of held-back writes was refused by the database (a version check missed, a key was
/// taken) or failed: nothing of it was kept; the unit of work runs the unit again, writing at once.
/// </summary>
internal sealed class WriteBehindRefusedException(Exception inner)
    : Exception("The held-back writes of a unit of work were refused: " + inner.Message, inner);
