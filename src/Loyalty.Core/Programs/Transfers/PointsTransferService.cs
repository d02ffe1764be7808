using Loyalty.Core.Configuration;
using Loyalty.Core.Internal;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using Loyalty.Core.Transfers;
using NodaTime;
using static Loyalty.Core.Programs.ProgramResults;

namespace Loyalty.Core.Programs;

/// <summary>
/// Points transfers between members (a gift to a friend): only available points move (never pending
/// or held ones), within the limits of <see cref="PointsTransferOptions"/>; the recipient receives one
/// lot per expiry of the sender's lots drawn, with that expiry; a transfer is idempotent by its id.
/// Resolve it from DI after <c>AddPointsTransfers()</c>.
/// </summary>
/// <remarks>
/// <para>The allowance reservation, the sender's debit, the recipient's credits and the completed
/// record are one unit of work: one database transaction where the stores share a database
/// (<see cref="ILoyaltyUnitOfWork"/>). The in-memory stores cannot undo a write; a transfer
/// interrupted there stays pending and is completed by calling it again with the same id.</para>
/// <para>In the ledger a transfer is a redemption from the sender (<c>transfer-out:{id}</c>) and earns
/// credited at once to the recipient (<c>transfer-in{n}:{id}</c>); it never counts towards tier qualification.</para>
/// <para>Thread-safe when its stores are; scoped with them on EF Core.</para>
/// </remarks>
public sealed class PointsTransferService
{
    private const int MaxMessageLength = 280;
    private readonly IClock clock;
    private readonly ProgramSettings settings;
    private readonly PointsLedger ledger;
    private readonly IMemberStore members;
    private readonly IPointsTransferStore transfers;
    private readonly PointsTransferOptions options;
    private readonly ILoyaltyUnitOfWork? unitOfWork;
    private readonly LotPreservingMove mover;

    /// <summary>Creates the service (DI does this).</summary>
    /// <param name="clock">The clock transfers are timed with.</param>
    /// <param name="settings">The programme's settings (its time zone counts the periods).</param>
    /// <param name="ledger">The points ledger.</param>
    /// <param name="ledgerStore">The ledger store (read for the expiry of the lots drawn).</param>
    /// <param name="members">The member store.</param>
    /// <param name="transfers">The transfer store.</param>
    /// <param name="options">The limits.</param>
    /// <param name="unitOfWork">The stores' unit of work, or null.</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public PointsTransferService(IClock clock, ProgramSettings settings, PointsLedger ledger, ILedgerStore ledgerStore, IMemberStore members, IPointsTransferStore transfers, PointsTransferOptions options, ILoyaltyUnitOfWork? unitOfWork = null)
    {
        this.clock = Preconditions.CheckNotNull(clock);
        this.settings = Preconditions.CheckNotNull(settings);
        this.ledger = Preconditions.CheckNotNull(ledger);
        Preconditions.CheckNotNull(ledgerStore);
        this.members = Preconditions.CheckNotNull(members);
        this.transfers = Preconditions.CheckNotNull(transfers);
        Preconditions.CheckNotNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("The points transfer options are invalid: " + string.Join(" ", errors), nameof(options));
        }

        this.options = new PointsTransferOptions
        {
            MinimumPoints = options.MinimumPoints,
            MaxPointsPerTransfer = options.MaxPointsPerTransfer,
            MaxPointsPerPeriod = options.MaxPointsPerPeriod,
            Period = options.Period,
        };
        this.unitOfWork = unitOfWork;
        mover = new LotPreservingMove(ledger, ledgerStore, settings.ProgramId);
    }

    /// <summary>
    /// Transfers points from one member to another. Transferring again with the same id and content
    /// returns the same record (<see cref="LoyaltyResult{T}.IsRepeat"/>) and moves nothing more.
    /// </summary>
    /// <param name="transfer">The transfer.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The completed record with the lots received, or <see cref="LoyaltyErrorCode.TransferToSelf"/>,
    /// <see cref="LoyaltyErrorCode.MemberNotFound"/> (the sender), <see cref="LoyaltyErrorCode.TransferRecipientNotFound"/>,
    /// <see cref="LoyaltyErrorCode.TransferBelowMinimum"/>, <see cref="LoyaltyErrorCode.TransferAboveLimit"/>,
    /// <see cref="LoyaltyErrorCode.TransferPeriodLimitReached"/>, <see cref="LoyaltyErrorCode.InsufficientPoints"/> or
    /// <see cref="LoyaltyErrorCode.IdempotencyConflict"/>.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="transfer"/> is null.</exception>
    /// <exception cref="ArgumentException">An id is default, the points are not positive, or the message is longer than 280 characters.</exception>
    public async Task<LoyaltyResult<PointsTransferRecord>> TransferAsync(PointsTransfer transfer, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotNull(transfer);
        Preconditions.CheckNotDefault(transfer.Id.IsDefault, nameof(TransferId), nameof(transfer) + ".Id");
        Preconditions.CheckNotDefault(transfer.From.IsDefault, nameof(MemberId), nameof(transfer) + ".From");
        Preconditions.CheckNotDefault(transfer.To.IsDefault, nameof(MemberId), nameof(transfer) + ".To");
        Preconditions.CheckPositive(transfer.Points.Value, nameof(transfer) + ".Points");
        if (transfer.Message is { Length: > MaxMessageLength })
        {
            throw new ArgumentException($"transfer.Message must be at most {MaxMessageLength} characters (was {transfer.Message.Length}); shorten it.", nameof(transfer));
        }

        if (transfer.From == transfer.To)
        {
            return LoyaltyResult<PointsTransferRecord>.Failure(LoyaltyErrorCode.TransferToSelf, $"Member '{transfer.From}' cannot transfer points to themselves; choose another member.");
        }

        var programId = settings.ProgramId;
        var existing = await transfers.GetAsync(programId, transfer.Id, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            if (Difference(existing, transfer) is { } field)
            {
                return Conflict<PointsTransferRecord>($"Transfer '{transfer.Id}' was made with another {field} ({Describe(existing)}); use a new transfer id.", field);
            }

            if (existing.Status == PointsTransferStatus.Completed)
            {
                return LoyaltyResult<PointsTransferRecord>.Success(existing, isRepeat: true);
            }
        }

        if (await members.GetMemberAsync(programId, transfer.From, cancellationToken).ConfigureAwait(false) is null)
        {
            return NotEnrolled<PointsTransferRecord>(transfer.From);
        }

        if (await members.GetMemberAsync(programId, transfer.To, cancellationToken).ConfigureAwait(false) is null)
        {
            return LoyaltyResult<PointsTransferRecord>.Failure(LoyaltyErrorCode.TransferRecipientNotFound, $"Member '{transfer.To}' is not enrolled in the programme; points can only be transferred to an enrolled member.");
        }

        if (transfer.Points.Value < options.MinimumPoints)
        {
            return LoyaltyResult<PointsTransferRecord>.Failure(LoyaltyErrorCode.TransferBelowMinimum, $"A transfer must move at least {options.MinimumPoints} points (asked {transfer.Points}).");
        }

        if (transfer.Points.Value > options.MaxPointsPerTransfer)
        {
            return LoyaltyResult<PointsTransferRecord>.Failure(LoyaltyErrorCode.TransferAboveLimit, $"A transfer may move at most {options.MaxPointsPerTransfer} points (asked {transfer.Points}).");
        }

        var debitId = DerivedIds.TransferOut(transfer.Id);
        var debited = existing is not null && await ledger.FindTransactionAsync(debitId, cancellationToken).ConfigureAwait(false) is not null;
        if (!debited)
        {
            var balance = await ledger.GetBalanceAsync(transfer.From, cancellationToken).ConfigureAwait(false);
            if (balance.Available < transfer.Points)
            {
                return Insufficient<PointsTransferRecord>(transfer.From, transfer.Points, balance.Available);
            }
        }

        var now = clock.GetCurrentInstant();
        var periodStart = PeriodStart(now);
        var record = existing ?? new PointsTransferRecord
        {
            ProgramId = programId,
            Id = transfer.Id,
            From = transfer.From,
            To = transfer.To,
            Points = transfer.Points,
            Message = transfer.Message,
            TransferredAt = now,
        };
        return await AtomicallyAsync(ct => TransferInUnitAsync(transfer, record, periodStart, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a transfer.</summary>
    /// <param name="transferId">The transfer.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The record, or null when no transfer has that id.</returns>
    /// <exception cref="ArgumentException"><paramref name="transferId"/> is default.</exception>
    public async Task<PointsTransferRecord?> GetTransferAsync(TransferId transferId, CancellationToken cancellationToken = default)
    {
        Preconditions.CheckNotDefault(transferId.IsDefault, nameof(TransferId), nameof(transferId));
        return await transfers.GetAsync(settings.ProgramId, transferId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The start of the transfer period containing <paramref name="instant"/>, in the programme's time zone.</summary>
    /// <param name="instant">The instant.</param>
    /// <returns>The period's first instant.</returns>
    public Instant PeriodStart(Instant instant)
    {
        var zone = settings.TimeZone;
        var date = instant.InZone(zone).Date;
        var first = options.Period switch
        {
            TransferPeriod.Day => date,
            TransferPeriod.Week => date.PlusDays(-((int)date.DayOfWeek - 1)),
            TransferPeriod.Month => new LocalDate(date.Year, date.Month, 1),
            _ => new LocalDate(date.Year, 1, 1),
        };
        return zone.AtStartOfDay(first).ToInstant();
    }

    private async Task<LoyaltyResult<PointsTransferRecord>> TransferInUnitAsync(PointsTransfer transfer, PointsTransferRecord record, Instant periodStart, CancellationToken cancellationToken)
    {
        var programId = settings.ProgramId;
        var reservation = await transfers.ReserveAsync(record, periodStart, Points.FromInt64(options.MaxPointsPerPeriod), cancellationToken).ConfigureAwait(false);
        switch (reservation.Status)
        {
            case TransferReservationStatus.PeriodLimitReached:
                return LoyaltyResult<PointsTransferRecord>.Failure(
                    LoyaltyErrorCode.TransferPeriodLimitReached,
                    $"Member '{transfer.From}' gave {reservation.GivenInPeriod} points this {options.Period.ToString().ToLowerInvariant()} (since {periodStart}); {transfer.Points} more would exceed the limit of {options.MaxPointsPerPeriod} points per {options.Period.ToString().ToLowerInvariant()}.");
            case TransferReservationStatus.Exists when reservation.Record is { } racing:
                if (Difference(racing, transfer) is { } field)
                {
                    return Conflict<PointsTransferRecord>($"Transfer '{transfer.Id}' was made with another {field} ({Describe(racing)}); use a new transfer id.", field);
                }

                if (racing.Status == PointsTransferStatus.Completed)
                {
                    return LoyaltyResult<PointsTransferRecord>.Success(racing, isRepeat: true);
                }

                break;
        }

        var (debit, legs) = await mover.MoveAsync(transfer.From, transfer.To, transfer.Points, DerivedIds.TransferOut(transfer.Id), i => DerivedIds.TransferIn(transfer.Id, i), $"transfer '{transfer.Id}'", cancellationToken).ConfigureAwait(false);
        if (!debit.Succeeded)
        {
            await transfers.RemovePendingAsync(programId, transfer.Id, cancellationToken).ConfigureAwait(false);
            return debit.ErrorCode == LedgerErrorCode.InsufficientPoints
                ? Insufficient<PointsTransferRecord>(transfer.From, transfer.Points, (await ledger.GetBalanceAsync(transfer.From, cancellationToken).ConfigureAwait(false)).Available)
                : FromLedger<PointsTransferRecord>(debit);
        }

        var completed = await transfers.CompleteAsync(programId, transfer.Id, legs, cancellationToken).ConfigureAwait(false)
            ?? throw new LoyaltyStoreException($"Transfer '{transfer.Id}' vanished from the transfer store before it was completed; call it again with the same id.", isTransient: true);
        return LoyaltyResult<PointsTransferRecord>.Success(completed, isRepeat: debit.IsRepeat && reservation.Status == TransferReservationStatus.Exists && record.Status == PointsTransferStatus.Completed);
    }

    private async Task<T> AtomicallyAsync<T>(Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        if (unitOfWork is null)
        {
            return await work(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await unitOfWork.RunAsync(ledger.ForgettingOnRerun(work), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ledger.ForgetCachedAccounts();
            throw;
        }
    }

    private static string? Difference(PointsTransferRecord recorded, PointsTransfer asked) =>
        recorded.From != asked.From ? "From"
        : recorded.To != asked.To ? "To"
        : recorded.Points != asked.Points ? "Points"
        : !string.Equals(recorded.Message, asked.Message, StringComparison.Ordinal) ? "Message"
        : null;

    private static string Describe(PointsTransferRecord record) => $"{record.Points} points from '{record.From}' to '{record.To}'";
}
