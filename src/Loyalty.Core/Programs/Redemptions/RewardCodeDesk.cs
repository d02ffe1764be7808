using Loyalty.Core.Internal;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Storage;
using NodaTime;
using static Loyalty.Core.Programs.ProgramResults;

namespace Loyalty.Core.Programs;

/// <summary>
/// The lifecycle of reward codes: issued with a redemption (validity and uses from the reward),
/// validated and consumed at checkout, voided by a cancellation, expired by maintenance (giving the
/// points of an unused code back when the reward says so). Works when the catalogue store is also an
/// <see cref="IRewardCodeStore"/>; otherwise codes are printed without a lifecycle.
/// </summary>
internal sealed class RewardCodeDesk
{
    private const int IssueAttempts = 4;
    private const int ExpiryPageSize = 500;
    private readonly ProgramContext program;
    private readonly IRewardCodeStore? store;

    public RewardCodeDesk(ProgramContext program)
    {
        this.program = program;
        store = program.Rewards as IRewardCodeStore;
    }

    /// <summary>The code of a new redemption: the one already issued to it (a retry), or a new one with the reward's lifecycle.</summary>
    public async Task<string> IssueAsync(RewardDefinition reward, MemberId memberId, RedemptionId redemptionId, Instant issuedAt, CancellationToken cancellationToken)
    {
        if (store is null)
        {
            return Generate(reward, memberId, redemptionId);
        }

        if (await store.GetCodeForRedemptionAsync(program.ProgramId, redemptionId, cancellationToken).ConfigureAwait(false) is { } issued)
        {
            return issued.Code;
        }

        for (var attempt = 0; attempt < IssueAttempts; attempt++)
        {
            var code = new RewardCode
            {
                ProgramId = program.ProgramId,
                Code = Generate(reward, memberId, redemptionId),
                RedemptionId = redemptionId,
                MemberId = memberId,
                RewardId = reward.Id,
                Kind = reward.Kind,
                Benefit = reward.DescribeBenefit(),
                PointsSpent = reward.Cost,
                IssuedAt = issuedAt,
                ExpiresAt = reward.CodeValidity?.ExpiresAt(issuedAt, program.Settings.TimeZone),
                MaxUses = reward.CodeUses,
                ReturnPointsOnExpiry = reward.ReturnPointsOnExpiry,
            };
            var stored = await store.AddCodeAsync(code, cancellationToken).ConfigureAwait(false);
            if (stored.RedemptionId == redemptionId)
            {
                return stored.Code;
            }
        }

        throw new InvalidOperationException($"The reward code generator returned codes already issued to other redemptions {IssueAttempts} times for redemption '{redemptionId}'; a code must be unique in the programme, make the generator's codes unique.");
    }

    /// <summary>Voids a redemption's code before the redemption is cancelled; an error when the code was used or already gave its points back.</summary>
    public async Task<LoyaltyError?> VoidAsync(RewardRedemption redemption, Instant at, CancellationToken cancellationToken)
    {
        if (store is null || await store.GetCodeForRedemptionAsync(program.ProgramId, redemption.Id, cancellationToken).ConfigureAwait(false) is not { } code)
        {
            return null;
        }

        if (code.Status == RewardCodeStatus.Issued && code.Uses == 0
            && !await store.CloseCodeAsync(program.ProgramId, code.Code, RewardCodeStatus.Cancelled, at, Points.Zero, cancellationToken).ConfigureAwait(false))
        {
            // A checkout used it, or maintenance expired it, in between.
            code = await store.GetCodeAsync(program.ProgramId, code.Code, cancellationToken).ConfigureAwait(false) ?? code;
        }

        if (code.Uses > 0)
        {
            return new LoyaltyError(LoyaltyErrorCode.RewardCodeUsed, $"Redemption '{redemption.Id}' cannot be cancelled: its code '{code.Code}' was used by {Orders(code.Uses)}; the points of a used code are not given back.");
        }

        if (code.Status == RewardCodeStatus.Expired && code.PointsReturned > Points.Zero)
        {
            return new LoyaltyError(LoyaltyErrorCode.RewardCodeExpired, $"Redemption '{redemption.Id}' cannot be cancelled: its code '{code.Code}' expired at {code.ExpiresAt} and its {code.PointsReturned} points were already given back.");
        }

        return null;
    }

    /// <summary>The work behind <see cref="LoyaltyProgram.ValidateCodeAsync"/>.</summary>
    public async Task<LoyaltyResult<RewardCodeCheck>> ValidateAsync(string code, MemberId memberId, OrderId orderId, CancellationToken cancellationToken)
    {
        var codes = CheckArguments(code, memberId, orderId);
        var (found, refusal) = await FindAsync(codes, code, memberId, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var uses = await codes.ListUsesAsync(program.ProgramId, code, cancellationToken).ConfigureAwait(false);
        if (uses.FirstOrDefault(u => u.OrderId == orderId) is { } use)
        {
            return LoyaltyResult<RewardCodeCheck>.Success(new RewardCodeCheck(found!, orderId, use));
        }

        return Refusal(found!, program.Clock.GetCurrentInstant(), uses) ?? LoyaltyResult<RewardCodeCheck>.Success(new RewardCodeCheck(found!, orderId, null));
    }

    /// <summary>The work behind <see cref="LoyaltyProgram.ConsumeCodeAsync"/>.</summary>
    public async Task<LoyaltyResult<RewardCodeCheck>> ConsumeAsync(string code, MemberId memberId, OrderId orderId, CancellationToken cancellationToken)
    {
        var codes = CheckArguments(code, memberId, orderId);
        var (_, refusal) = await FindAsync(codes, code, memberId, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        var now = program.Clock.GetCurrentInstant();
        var consumed = await codes.ConsumeCodeAsync(program.ProgramId, code, orderId, now, cancellationToken).ConfigureAwait(false);
        switch (consumed.Status)
        {
            case RewardCodeConsumeStatus.Consumed:
                return LoyaltyResult<RewardCodeCheck>.Success(new RewardCodeCheck(consumed.Code!, orderId, consumed.Use));
            case RewardCodeConsumeStatus.AlreadyConsumedByOrder:
                return LoyaltyResult<RewardCodeCheck>.Success(new RewardCodeCheck(consumed.Code!, orderId, consumed.Use), isRepeat: true);
            case RewardCodeConsumeStatus.NotFound:
                return NotFound(code);
            default:
                var uses = await codes.ListUsesAsync(program.ProgramId, code, cancellationToken).ConfigureAwait(false);
                return Refusal(consumed.Code!, now, uses)
                    ?? throw new LoyaltyStoreException($"The reward code store refused a use of code '{code}' that is issued, unexpired and has uses left; the store is inconsistent.", isTransient: false);
        }
    }

    /// <summary>The work behind <see cref="LoyaltyProgram.ExpireRewardCodesAsync"/>.</summary>
    public Task<RewardCodeExpiryReport> ExpireAsync(Instant asOf, CancellationToken cancellationToken) =>
        ExpireAsync(asOf, null, cancellationToken);

    /// <summary>
    /// Expires the due codes of the members of <paramref name="partition"/> (every member when null), so
    /// maintenance workers splitting a night between partitions expire each code in exactly one of them.
    /// </summary>
    public async Task<RewardCodeExpiryReport> ExpireAsync(Instant asOf, MemberPartition? partition, CancellationToken cancellationToken)
    {
        var now = program.Clock.GetCurrentInstant();
        if (asOf > now)
        {
            throw new ArgumentOutOfRangeException(nameof(asOf), asOf, $"asOf ({asOf}) must not be after the clock's current instant ({now}); maintenance works on the past.");
        }

        if (store is null)
        {
            return new RewardCodeExpiryReport(asOf, 0, 0, Points.Zero);
        }

        int expired = 0, returned = 0;
        var points = Points.Zero;
        string? after = null;
        while (true)
        {
            var page = await store.FindCodesDueAsync(program.ProgramId, asOf, after, ExpiryPageSize, cancellationToken).ConfigureAwait(false);
            foreach (var code in page)
            {
                if (partition is { } p && !p.Contains(code.MemberId))
                {
                    continue;
                }

                var given = await program.AtomicallyAsync(ct => ExpireOneAsync(code, asOf, ct), cancellationToken).ConfigureAwait(false);
                if (given is { } g)
                {
                    expired++;
                    if (g > Points.Zero)
                    {
                        returned++;
                        points += g;
                    }
                }
            }

            if (page.Count < ExpiryPageSize)
            {
                return new RewardCodeExpiryReport(asOf, expired, returned, points);
            }

            after = page[^1].Code;
        }
    }

    /// <summary>
    /// Expires one code; first gives its points back when it was never used and the reward says so
    /// (a reversal of the redemption with an id derived from it, so a re-run never gives twice).
    /// Null when another run or a cancellation closed it first.
    /// </summary>
    private async Task<Points?> ExpireOneAsync(RewardCode code, Instant asOf, CancellationToken cancellationToken)
    {
        var given = Points.Zero;
        if (code.ReturnPointsOnExpiry && code.Uses == 0
            && await program.Rewards.GetRedemptionAsync(program.ProgramId, code.RedemptionId, cancellationToken).ConfigureAwait(false) is { Status: RedemptionStatus.Active } redemption)
        {
            var reversal = await program.Ledger.ReverseAsync(
                new ReversePoints(DerivedIds.RedemptionExpired(code.RedemptionId), code.MemberId, redemption.LedgerTransactionId, redemption.PointsSpent) { Reason = "reward code expired unused" },
                cancellationToken).ConfigureAwait(false);
            if (reversal.Succeeded)
            {
                given = redemption.PointsSpent;
            }
            else if (reversal.ErrorCode == LedgerErrorCode.ConcurrencyConflict)
            {
                _ = FromLedger<RewardRedemption>(reversal);
            }
        }

        return await store!.CloseCodeAsync(program.ProgramId, code.Code, RewardCodeStatus.Expired, asOf, given, cancellationToken).ConfigureAwait(false)
            ? given
            : null;
    }

    private async Task<(RewardCode? Code, LoyaltyResult<RewardCodeCheck>? Refusal)> FindAsync(IRewardCodeStore codes, string code, MemberId memberId, CancellationToken cancellationToken)
    {
        var found = await codes.GetCodeAsync(program.ProgramId, code, cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return (null, NotFound(code));
        }

        if (found.MemberId != memberId)
        {
            return (null, LoyaltyResult<RewardCodeCheck>.Failure(LoyaltyErrorCode.RewardCodeNotForMember, $"Code '{code}' was issued to another member; only the member who redeemed it can use it."));
        }

        return (found, null);
    }

    /// <summary>Why a code cannot be used now, or null when it can.</summary>
    private static LoyaltyResult<RewardCodeCheck>? Refusal(RewardCode code, Instant now, IReadOnlyList<RewardCodeUse> uses) => code.Status switch
    {
        RewardCodeStatus.Cancelled => LoyaltyResult<RewardCodeCheck>.Failure(LoyaltyErrorCode.RewardCodeCancelled, $"Code '{code.Code}' was cancelled at {code.ClosedAt} with its redemption '{code.RedemptionId}'."),
        RewardCodeStatus.Expired => Expired(code),
        RewardCodeStatus.Used => Used(code, uses),
        _ when code.ExpiresAt is { } expiry && now >= expiry => Expired(code),
        _ when code.Uses >= code.MaxUses => Used(code, uses),
        _ => null,
    };

    private static LoyaltyResult<RewardCodeCheck> Expired(RewardCode code) =>
        LoyaltyResult<RewardCodeCheck>.Failure(LoyaltyErrorCode.RewardCodeExpired, $"Code '{code.Code}' expired at {code.ExpiresAt}; it could be used until then.");

    private static LoyaltyResult<RewardCodeCheck> Used(RewardCode code, IReadOnlyList<RewardCodeUse> uses) =>
        LoyaltyResult<RewardCodeCheck>.Failure(
            LoyaltyErrorCode.RewardCodeUsed,
            $"Code '{code.Code}' was already used by {Orders(code.Uses)} (its limit is {code.MaxUses})" + (uses.Count > 0 ? $", last by order '{uses[^1].OrderId}'." : "."));

    private static LoyaltyResult<RewardCodeCheck> NotFound(string code) =>
        LoyaltyResult<RewardCodeCheck>.Failure(LoyaltyErrorCode.RewardCodeNotFound, $"Code '{code}' is not a reward code of the programme; check it was typed as printed on the redemption receipt.");

    private static string Orders(int count) => count == 1 ? "1 order" : $"{count} orders";

    private IRewardCodeStore CheckArguments(string code, MemberId memberId, OrderId orderId)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            throw new ArgumentException("code must not be empty; pass the code the member typed at checkout, e.g. \"K7QM-3XHP-9TWA\".", nameof(code));
        }

        Preconditions.CheckNotDefault(memberId.IsDefault, nameof(MemberId), nameof(memberId));
        Preconditions.CheckNotDefault(orderId.IsDefault, nameof(OrderId), nameof(orderId));
        return store ?? throw new NotSupportedException($"The reward catalogue store ({program.Rewards.GetType().Name}) keeps no reward codes; use a store that implements IRewardCodeStore (the in-memory and EF Core stores do).");
    }

    private string Generate(RewardDefinition reward, MemberId memberId, RedemptionId redemptionId)
    {
        var code = program.RewardCodes.Generate(reward, memberId, redemptionId);
        if (string.IsNullOrWhiteSpace(code) || code.Length > 64 || code.Any(char.IsControl))
        {
            throw new InvalidOperationException($"The reward code generator returned \"{code}\"; a code must be 1 to 64 characters without control characters.");
        }

        return code;
    }
}
