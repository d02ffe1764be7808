using Loyalty.Core.Coalition;
using Loyalty.Core.Primitives;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Specification;

/// <summary>
/// The behaviour every <see cref="ISettlementStore"/> must have: a run read back exactly as saved,
/// a draft replaced by the next save, a closed run never replaced. Subclass it once per store and
/// implement <see cref="CreateStore"/>.
/// </summary>
/// <remarks>Each test works in its own programme, so a subclass may share one database between all its tests.</remarks>
public abstract class SettlementStoreSpecification : IAsyncLifetime
{
    private static readonly SettlementPeriod January = SettlementPeriod.FromMonth(2026, 1);
    private static readonly SettlementPeriod February = SettlementPeriod.FromMonth(2026, 2);

    /// <summary>Creates the specification with a programme of its own.</summary>
    protected SettlementStoreSpecification()
    {
        Program = ProgramId.From("spec-" + Guid.NewGuid().ToString("N"));
    }

    /// <summary>The programme this test writes in, unique to the test.</summary>
    protected ProgramId Program { get; }

    /// <summary>Returns a store over this test's storage; every call must see the same data.</summary>
    /// <returns>The store.</returns>
    protected abstract ISettlementStore CreateStore();

    /// <summary>Runs before each test; override to prepare storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Runs after each test; override to release sessions or storage.</summary>
    /// <returns>A task.</returns>
    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A period never settled has no run.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task An_unsettled_period_has_no_run() => Assert.Null(await CreateStore().GetRunAsync(Program, January));

    /// <summary>A run is read back exactly as saved: statements, lines (adjustments and blocks included), reconciliation.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_run_is_read_back_as_saved()
    {
        var run = Run(January, 150.00m);
        Assert.Equal(run, await CreateStore().SaveRunAsync(Program, run));
        Assert.Equal(run, await CreateStore().GetRunAsync(Program, January));
    }

    /// <summary>A draft is replaced by the next save of its period.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_draft_is_replaced()
    {
        await CreateStore().SaveRunAsync(Program, Run(January, 1m));
        var next = Run(January, 2m);
        Assert.Equal(next, await CreateStore().SaveRunAsync(Program, next));
        Assert.Equal(next, await CreateStore().GetRunAsync(Program, January));
        Assert.Empty(await CreateStore().ListClosedPeriodsAsync(Program));
    }

    /// <summary>A closed run is never replaced, by a draft or by another closed run; saving returns it.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_closed_run_is_never_replaced()
    {
        await CreateStore().SaveRunAsync(Program, Run(January, 1m));
        var closed = Run(January, 2m) with { Status = SettlementStatus.Closed, ClosedAt = Instant.FromUtc(2026, 2, 1, 1, 0) };
        Assert.Equal(closed, await CreateStore().SaveRunAsync(Program, closed));
        Assert.Equal(closed, await CreateStore().SaveRunAsync(Program, Run(January, 3m)));
        Assert.Equal(closed, await CreateStore().SaveRunAsync(Program, Run(January, 4m) with { Status = SettlementStatus.Closed, ClosedAt = Instant.FromUtc(2026, 3, 1, 0, 0) }));
        Assert.Equal(closed, await CreateStore().GetRunAsync(Program, January));
        await CreateStore().SaveRunAsync(Program, Run(February, 5m) with { Status = SettlementStatus.Closed, ClosedAt = Instant.FromUtc(2026, 3, 1, 1, 0) });
        Assert.Equal([January, February], await CreateStore().ListClosedPeriodsAsync(Program));
    }

    /// <summary>A closed run's watermark (the ids of the transactions it counted) is read back as saved, in order.</summary>
    /// <returns>A task.</returns>
    [SpecificationFact]
    public async Task A_closed_run_keeps_the_ids_it_counted()
    {
        var closed = Run(January, 2m) with
        {
            Status = SettlementStatus.Closed,
            ClosedAt = Instant.FromUtc(2026, 2, 1, 1, 0),
            Included = [TransactionId.From("earn:A-1"), TransactionId.From("earn:A-2"), TransactionId.From("reverse:R-1")],
        };
        await CreateStore().SaveRunAsync(Program, closed);
        var read = await CreateStore().GetRunAsync(Program, January);
        Assert.Equal(closed, read);
        Assert.Equal(closed.Included, read!.Included);
    }

    private static SettlementRun Run(SettlementPeriod period, decimal billed)
    {
        var statement = new SettlementStatement
        {
            Merchant = MerchantId.From("travel"),
            PartnerName = "Travel site",
            Currency = Currency.USD,
            Period = period,
            Points = new SettlementPoints(10_000, 100, 800, 200, -5, 3),
            Billed = billed,
            Reimbursed = 6.40m,
            Lines =
            [
                new SettlementLine { Kind = SettlementLineKind.Issued, AgreementVersion = 2, Points = 10_000, UnitPrice = 0.0135m, Amount = billed + 1.35m, TransactionCount = 3 },
                new SettlementLine { Kind = SettlementLineKind.IssuanceReversed, AgreementVersion = 1, Points = 100, UnitPrice = 0.0135m, Amount = -1.35m, TransactionCount = 1, Adjusts = SettlementPeriod.FromMonth(2025, 12) },
                new SettlementLine { Kind = SettlementLineKind.Redeemed, AgreementVersion = 2, Points = 800, UnitPrice = 0.008m, Amount = -6.40m, TransactionCount = 2 },
                new SettlementLine { Kind = SettlementLineKind.Expired, Points = 200, TransactionCount = 4 },
                new SettlementLine { Kind = SettlementLineKind.PrepaidBlock, Points = 0, TransactionCount = 1, BlockId = "PO-1" },
            ],
        };
        return new SettlementRun
        {
            Period = period,
            Status = SettlementStatus.Draft,
            Statements = [statement],
            Reconciliation = new SettlementReconciliation(statement.Points, new SettlementPoints(5, 0, 0, 0, 0, 0), 8_897, [Money.FromDecimal(billed - 6.40m, Currency.USD)]),
            TransactionCount = 10,
        };
    }
}
