using System.Globalization;
using Loyalty.Core.Primitives;
using Loyalty.Core.Storage;
using NodaTime;

namespace Loyalty.Core.Coalition;

/// <summary>
/// Computes a coalition's settlement of one period from the ledger transactions recorded in it:
/// pure, deterministic, one pass over the transactions (plus one to find what reversals and
/// expiries refer to). Every point of every transaction lands in exactly one partner's statement
/// or in the programme's own figures, and the run's reconciliation checks that they add up to the
/// change of outstanding points its lot movements make.
/// </summary>
/// <remarks>
/// <para>Attribution: an earn, redemption, capture or adjustment goes to its transaction's merchant;
/// a reversal to the merchant of the transaction it reverses (the issuer is credited back, the shop
/// where points were spent gives its reimbursement back), priced under the agreement version in force
/// when that transaction was recorded, and marked as an adjustment of the earlier period when that
/// transaction was recorded before this period; an expiry to the merchants of the lots it closes,
/// lot by lot (a lot is identified by the transaction that created it).</para>
/// <para>Money is rounded once per line to the currency's minor units, half away from zero.</para>
/// </remarks>
public static class SettlementCalculator
{
    /// <summary>
    /// The transactions the period's reversals and expiries refer to that are not among
    /// <paramref name="transactions"/> (earns, redemptions and lots of earlier periods): read them
    /// from the ledger and pass them to <c>Compute</c>.
    /// </summary>
    /// <param name="transactions">The period's transactions.</param>
    /// <returns>The ids, without duplicates.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="transactions"/> is null.</exception>
    public static IReadOnlyCollection<TransactionId> MissingReferences(IReadOnlyList<LedgerTransactionRecord> transactions)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        var needed = Needed(transactions);
        foreach (var tx in transactions)
        {
            needed.Remove(tx.Id);
        }

        return needed;
    }

    /// <summary>Computes the draft settlement of a period.</summary>
    /// <param name="period">The period.</param>
    /// <param name="zone">The programme's time zone.</param>
    /// <param name="partners">The partners (a statement each for those that joined before the period's end or have something in it).</param>
    /// <param name="agreements">Every partner's agreement versions.</param>
    /// <param name="blocks">The prepaid blocks bought in the period (billed in it).</param>
    /// <param name="transactions">The ledger transactions recorded in the period.</param>
    /// <param name="references">The transactions of earlier periods named by <see cref="MissingReferences"/>.</param>
    /// <returns>The run, status <see cref="SettlementStatus.Draft"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">
    /// A transaction names a merchant that is not a partner, a partner's transaction falls on a day
    /// no agreement version covers, a referenced transaction is missing, or the figures do not
    /// reconcile; the message names the transaction.
    /// </exception>
    public static SettlementRun Compute(
        SettlementPeriod period,
        DateTimeZone zone,
        IReadOnlyList<Partner> partners,
        IReadOnlyDictionary<MerchantId, IReadOnlyList<PartnerAgreement>> agreements,
        IReadOnlyList<PrepaidPointBlock> blocks,
        IReadOnlyList<LedgerTransactionRecord> transactions,
        IReadOnlyDictionary<TransactionId, LedgerTransactionRecord> references) =>
        Compute(period, zone, partners, agreements, blocks, transactions, [], references);

    /// <summary>
    /// Computes the draft settlement of a period, with the late transactions of closed periods:
    /// transactions recorded in an earlier, already closed period that its closed run did not count
    /// (committed after it was closed). Each lands in the period's statements as an adjustment line
    /// naming the period it was recorded in (a late reversal of an even earlier transaction names
    /// that transaction's period); they count in the reconciliation and in
    /// <see cref="SettlementRun.TransactionCount"/>.
    /// </summary>
    /// <param name="period">The period.</param>
    /// <param name="zone">The programme's time zone.</param>
    /// <param name="partners">The partners (a statement each for those that joined before the period's end or have something in it).</param>
    /// <param name="agreements">Every partner's agreement versions.</param>
    /// <param name="blocks">The prepaid blocks bought in the period (billed in it).</param>
    /// <param name="transactions">The ledger transactions recorded in the period.</param>
    /// <param name="late">The late transactions of earlier closed periods (recorded before the period's start).</param>
    /// <param name="references">The transactions named by <see cref="MissingReferences"/> of <paramref name="transactions"/> and <paramref name="late"/> together.</param>
    /// <returns>The run, status <see cref="SettlementStatus.Draft"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A late transaction is not recorded before the period's start.</exception>
    /// <exception cref="InvalidOperationException">
    /// A transaction names a merchant that is not a partner, a partner's transaction falls on a day
    /// no agreement version covers, a referenced transaction is missing, or the figures do not
    /// reconcile; the message names the transaction.
    /// </exception>
    public static SettlementRun Compute(
        SettlementPeriod period,
        DateTimeZone zone,
        IReadOnlyList<Partner> partners,
        IReadOnlyDictionary<MerchantId, IReadOnlyList<PartnerAgreement>> agreements,
        IReadOnlyList<PrepaidPointBlock> blocks,
        IReadOnlyList<LedgerTransactionRecord> transactions,
        IReadOnlyList<LedgerTransactionRecord> late,
        IReadOnlyDictionary<TransactionId, LedgerTransactionRecord> references)
    {
        ArgumentNullException.ThrowIfNull(late);
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(transactions);
        if (late.FirstOrDefault(t => t.RecordedAt >= period.StartIn(zone)) is { } notLate)
        {
            throw new ArgumentException($"Transaction '{notLate.Id}' is passed as late but is recorded at {notLate.RecordedAt}, not before {period} starts; pass it among the period's transactions.", nameof(late));
        }

        if (late.Count > 0)
        {
            var all = new List<LedgerTransactionRecord>(transactions.Count + late.Count);
            all.AddRange(transactions);
            all.AddRange(late);
            transactions = all;
        }

        var lateFrom = transactions.Count - late.Count;
        ArgumentNullException.ThrowIfNull(partners);
        ArgumentNullException.ThrowIfNull(agreements);
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(transactions);
        ArgumentNullException.ThrowIfNull(references);

        var periodStart = period.StartIn(zone);
        var accounts = new Dictionary<MerchantId, PartnerAccount>(partners.Count);
        foreach (var partner in partners)
        {
            var versions = agreements.TryGetValue(partner.Id, out var found) ? found : [];
            accounts[partner.Id] = new PartnerAccount(partner, versions, zone);
        }

        // What reversals and expiries refer to: found among the period's own transactions, else in the references.
        var needed = Needed(transactions);
        var refs = new Dictionary<TransactionId, Reference>(needed.Count);
        if (needed.Count > 0)
        {
            foreach (var tx in transactions)
            {
                if (needed.Contains(tx.Id))
                {
                    refs[tx.Id] = new Reference(tx.Kind, tx.Merchant, tx.RecordedAt);
                }
            }

            foreach (var id in needed)
            {
                if (!refs.ContainsKey(id))
                {
                    refs[id] = references.TryGetValue(id, out var r)
                        ? new Reference(r.Kind, r.Merchant, r.RecordedAt)
                        : throw new InvalidOperationException($"Transaction '{id}' is referred to by a reversal or an expiry of {period} but was not found; pass every id of SettlementCalculator.MissingReferences as a reference.");
                }
            }
        }

        var own = new Figures();
        long outstanding = 0;
        Period? lateOf = null;
        for (var index = 0; index < transactions.Count; index++)
        {
            var tx = transactions[index];
            lateOf = index >= lateFrom ? new Period(SettlementPeriod.Containing(tx.RecordedAt, zone)) : null;
            var movements = tx.Movements;
            for (var i = 0; i < movements.Count; i++)
            {
                outstanding = checked(outstanding + movements[i].Delta);
            }

            outstanding = checked(outstanding - tx.DebtChange);
            switch (tx.Kind)
            {
                case LedgerTransactionKind.Earn:
                    if (Account(tx.Merchant, tx) is { } earner)
                    {
                        earner.Add(LineKind.Issued, earner.VersionAt(tx.RecordedAt, tx), lateOf, tx.Amount);
                        earner.Figures.Issued += tx.Amount;
                    }
                    else
                    {
                        own.Issued += tx.Amount;
                    }

                    break;
                case LedgerTransactionKind.Redeem:
                case LedgerTransactionKind.Capture:
                    if (Account(tx.Merchant, tx) is { } spender)
                    {
                        spender.Add(LineKind.Redeemed, spender.VersionAt(tx.RecordedAt, tx), lateOf, tx.Amount);
                        spender.Figures.Redeemed += tx.Amount;
                    }
                    else
                    {
                        own.Redeemed += tx.Amount;
                    }

                    break;
                case LedgerTransactionKind.Adjust:
                    if (Account(tx.Merchant, tx) is { } adjuster)
                    {
                        adjuster.Add(LineKind.Adjusted, 0, lateOf, tx.Amount);
                        adjuster.Figures.Adjusted += tx.Amount;
                    }
                    else
                    {
                        own.Adjusted += tx.Amount;
                    }

                    break;
                case LedgerTransactionKind.Reverse:
                    Reverse(tx);
                    break;
                case LedgerTransactionKind.Expire:
                    for (var i = 0; i < movements.Count; i++)
                    {
                        var lot = refs[movements[i].LotId];
                        if (Account(lot.Merchant, tx) is { } issuer)
                        {
                            issuer.Add(LineKind.Expired, 0, lateOf, -movements[i].Delta);
                            issuer.Figures.Expired -= movements[i].Delta;
                        }
                        else
                        {
                            own.Expired -= movements[i].Delta;
                        }
                    }

                    break;
            }
        }

        foreach (var block in blocks)
        {
            if (!accounts.TryGetValue(block.Merchant, out var buyer))
            {
                throw new InvalidOperationException($"Prepaid block '{block.BlockId}' belongs to merchant '{block.Merchant}', which is not a partner registered by the end of {period}.");
            }

            buyer.Blocks.Add(block);
        }

        var statements = new List<SettlementStatement>(accounts.Count);
        var partnerPoints = default(SettlementPoints);
        var margin = new SortedDictionary<string, (Currency Currency, decimal Amount)>(StringComparer.Ordinal);
        foreach (var account in accounts.Values.OrderBy(a => a.Partner.Id))
        {
            if (account.Partner.JoinedOn >= period.End && account.IsEmpty)
            {
                continue;
            }

            var statement = account.Statement(period);
            statements.Add(statement);
            partnerPoints += statement.Points;
            var lineSum = statement.Lines.Sum(l => l.Amount);
            if (lineSum != statement.NetDue)
            {
                throw new InvalidOperationException($"The statement of partner '{statement.Merchant}' for {period} does not add up: its lines sum to {lineSum.ToString(CultureInfo.InvariantCulture)} but billed − reimbursed is {statement.NetDue.ToString(CultureInfo.InvariantCulture)}.");
            }

            var code = statement.Currency.Code;
            margin[code] = (statement.Currency, (margin.TryGetValue(code, out var m) ? m.Amount : 0m) + lineSum);
        }

        var reconciliation = new SettlementReconciliation(partnerPoints, own.ToPoints(), outstanding, margin.Values.Select(m => Money.FromDecimal(m.Amount, m.Currency)).ToArray());
        if (!reconciliation.PointsBalance)
        {
            throw new InvalidOperationException(
                $"The settlement of {period} does not reconcile: partners {partnerPoints.OutstandingChange} + programme {own.ToPoints().OutstandingChange} points, but the ledger's outstanding points changed by {outstanding}.");
        }

        return new SettlementRun
        {
            Period = period,
            Status = SettlementStatus.Draft,
            Statements = statements,
            Reconciliation = reconciliation,
            TransactionCount = transactions.Count,
        };

        PartnerAccount? Account(MerchantId? merchant, LedgerTransactionRecord tx)
        {
            if (merchant is not { } m)
            {
                return null;
            }

            return accounts.TryGetValue(m, out var account)
                ? account
                : throw new InvalidOperationException($"Transaction '{tx.Id}' of member '{tx.MemberId}' names merchant '{m}', which is not a partner registered by the end of {period}; register it, then settle again.");
        }

        void Reverse(LedgerTransactionRecord tx)
        {
            var original = refs[tx.RelatedId!.Value];
            Period? adjusts = original.RecordedAt < (lateOf is { } l ? l.Value.StartIn(zone) : periodStart) ? new Period(SettlementPeriod.Containing(original.RecordedAt, zone)) : lateOf;
            if (original.Kind == LedgerTransactionKind.Earn)
            {
                if (Account(original.Merchant, tx) is { } issuer)
                {
                    var version = issuer.VersionAt(original.RecordedAt, tx);
                    issuer.Add(LineKind.IssuanceReversed, version, adjusts, tx.Applied);
                    issuer.Figures.Reversed += tx.Applied;
                    if (tx.WrittenOff > 0)
                    {
                        issuer.Add(LineKind.WrittenOff, 0, adjusts, tx.WrittenOff);
                        issuer.Figures.WrittenOff += tx.WrittenOff;
                    }
                }
                else
                {
                    own.Reversed += tx.Applied;
                    own.WrittenOff += tx.WrittenOff;
                }
            }
            else if (Account(original.Merchant, tx) is { } shop)
            {
                shop.Add(LineKind.RedemptionReversed, shop.VersionAt(original.RecordedAt, tx), adjusts, tx.Amount);
                shop.Figures.Redeemed -= tx.Amount;
            }
            else
            {
                own.Redeemed -= tx.Amount;
            }
        }
    }

    private static HashSet<TransactionId> Needed(IReadOnlyList<LedgerTransactionRecord> transactions)
    {
        var needed = new HashSet<TransactionId>();
        foreach (var tx in transactions)
        {
            if (tx.Kind == LedgerTransactionKind.Reverse && tx.RelatedId is { } related)
            {
                needed.Add(related);
            }
            else if (tx.Kind == LedgerTransactionKind.Expire)
            {
                foreach (var m in tx.Movements)
                {
                    needed.Add(m.LotId);
                }
            }
        }

        return needed;
    }

    private enum LineKind
    {
        Issued = SettlementLineKind.Issued,
        IssuanceReversed = SettlementLineKind.IssuanceReversed,
        Redeemed = SettlementLineKind.Redeemed,
        RedemptionReversed = SettlementLineKind.RedemptionReversed,
        Expired = SettlementLineKind.Expired,
        Adjusted = SettlementLineKind.Adjusted,
        WrittenOff = SettlementLineKind.WrittenOff,
    }

    private readonly record struct Reference(LedgerTransactionKind Kind, MerchantId? Merchant, Instant RecordedAt);

    private readonly record struct Period(SettlementPeriod Value);

    private readonly record struct LineKey(LineKind Kind, int Version, Period? Adjusts);

    private sealed class Figures
    {
        public long Issued;
        public long Reversed;
        public long Redeemed;
        public long Expired;
        public long Adjusted;
        public long WrittenOff;

        public SettlementPoints ToPoints() => new(Issued, Reversed, Redeemed, Expired, Adjusted, WrittenOff);
    }

    private sealed class PartnerAccount
    {
        private readonly (Instant From, Instant? Until, PartnerAgreement Agreement)[] versions;
        private readonly Dictionary<LineKey, (long Points, int Count)> lines = [];
        private readonly Dictionary<int, PartnerAgreement> byVersion = [];
        private readonly DateTimeZone zone;

        public PartnerAccount(Partner partner, IReadOnlyList<PartnerAgreement> agreements, DateTimeZone zone)
        {
            Partner = partner;
            this.zone = zone;
            versions = agreements
                .OrderBy(a => a.EffectiveFrom)
                .Select(a => (zone.AtStartOfDay(a.EffectiveFrom).ToInstant(), a.EffectiveUntil is { } u ? zone.AtStartOfDay(u).ToInstant() : (Instant?)null, a))
                .ToArray();
            foreach (var a in agreements)
            {
                byVersion[a.Version] = a;
            }
        }

        public Partner Partner { get; }

        public bool IsEmpty => lines.Count == 0 && Blocks.Count == 0;

        public Figures Figures { get; } = new();

        public List<PrepaidPointBlock> Blocks { get; } = [];

        public int VersionAt(Instant instant, LedgerTransactionRecord tx)
        {
            // Few versions per partner, latest most used: scan from the end.
            for (var i = versions.Length - 1; i >= 0; i--)
            {
                var (from, until, agreement) = versions[i];
                if (instant >= from && (until is not { } u || instant < u))
                {
                    return agreement.Version;
                }
            }

            throw new InvalidOperationException(
                $"Transaction '{tx.Id}' of member '{tx.MemberId}' at partner '{Partner.Id}' falls on {instant.InZone(zone).Date:yyyy-MM-dd}, which no agreement version of the partner covers; add a version covering that day, then settle again.");
        }

        public void Add(LineKind kind, int version, Period? adjusts, long points)
        {
            var key = new LineKey(kind, version, adjusts);
            ref var line = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(lines, key, out _);
            line = (checked(line.Points + points), line.Count + 1);
        }

        public SettlementStatement Statement(SettlementPeriod period)
        {
            var result = new List<SettlementLine>(lines.Count + Blocks.Count);
            decimal billed = 0, reimbursed = 0;
            foreach (var (key, (points, count)) in lines
                .OrderBy(l => (int)l.Key.Kind)
                .ThenBy(l => l.Key.Adjusts is { } a ? a.Value.Year * 12 + a.Value.Month : 0)
                .ThenBy(l => l.Key.Version))
            {
                var agreement = key.Version == 0 ? null : byVersion[key.Version];
                decimal unit = 0, amount = 0;
                switch (key.Kind)
                {
                    case LineKind.Issued:
                        unit = agreement!.Billing == IssuanceBilling.Prepaid ? 0m : agreement.IssuancePricePerPoint * agreement.BillingPercentage / 100m;
                        amount = agreement.IssuanceAmount(points);
                        billed += amount;
                        break;
                    case LineKind.IssuanceReversed:
                        unit = agreement!.Billing == IssuanceBilling.Prepaid ? 0m : agreement.IssuancePricePerPoint * agreement.BillingPercentage / 100m;
                        amount = -agreement.IssuanceAmount(points);
                        billed += amount;
                        break;
                    case LineKind.Redeemed:
                        unit = agreement!.RedemptionReimbursementPerPoint;
                        amount = -agreement.ReimbursementAmount(points);
                        reimbursed -= amount;
                        break;
                    case LineKind.RedemptionReversed:
                        unit = agreement!.RedemptionReimbursementPerPoint;
                        amount = agreement.ReimbursementAmount(points);
                        reimbursed -= amount;
                        break;
                }

                result.Add(new SettlementLine
                {
                    Kind = (SettlementLineKind)key.Kind,
                    AgreementVersion = agreement?.Version,
                    Points = points,
                    UnitPrice = unit,
                    Amount = amount,
                    TransactionCount = count,
                    Adjusts = key.Adjusts?.Value,
                });
            }

            foreach (var block in Blocks.OrderBy(b => b.PurchasedAt).ThenBy(b => b.BlockId, StringComparer.Ordinal))
            {
                var amount = block.Amount;
                billed += amount;
                result.Add(new SettlementLine
                {
                    Kind = SettlementLineKind.PrepaidBlock,
                    Points = block.Points,
                    UnitPrice = block.PricePerPoint,
                    Amount = amount,
                    TransactionCount = 1,
                    BlockId = block.BlockId,
                });
            }

            return new SettlementStatement
            {
                Merchant = Partner.Id,
                PartnerName = Partner.Name,
                Currency = Partner.Currency,
                Period = period,
                Points = Figures.ToPoints(),
                Lines = result.OrderBy(l => (int)l.Kind).ToArray(), // stable: blocks keep their order among themselves
                Billed = billed,
                Reimbursed = reimbursed,
            };
        }
    }
}
