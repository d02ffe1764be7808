using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Loyalty.Core.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;
using static Loyalty.Core.Tests.Programs.ProgramHarness;

namespace Loyalty.Core.Tests.Programs;

/// <summary>One error contract: contention after the ledger's retries is a transient store fault, never an InvalidOperationException; ledger codes keep their field.</summary>
public class LoyaltyProgramErrorContractTests
{
    [Fact]
    public async Task A_points_account_busy_after_the_retries_is_a_transient_store_fault_and_a_retry_completes_the_order()
    {
        var store = new BusyLedgerStore(new InMemoryLedgerStore());
        using var h = new ProgramHarness(o => o.Ledger.MaxConcurrencyRetries = 0, replace: s =>
        {
            s.RemoveAll<ILedgerStore>();
            s.AddSingleton<ILedgerStore>(store);
        });
        await h.ConfigureAsync();
        await h.EnrolAsync(Alice);
        store.Busy = 1_000;

        var act = () => h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 40m)));

        var thrown = (await act.Should().ThrowAsync<LoyaltyStoreException>()).Which;
        thrown.IsTransient.Should().BeTrue();
        thrown.Message.Should().StartWith("The points account stayed busy with concurrent writes after the ledger's retries; nothing was written, retry the call. (Account club/alice changed concurrently ");
        store.Busy = 0;
        var retried = await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 40m)));
        retried.IsRepeat.Should().BeTrue();
        (await h.BalanceAsync(Alice)).Pending.Should().Be(P(40));
    }

    [Fact]
    public async Task An_order_id_reused_with_other_content_names_the_differing_field()
    {
        using var h = await new ProgramHarness().ConfigureAsync();
        await h.EnrolAsync(Alice);
        await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now, Line("SKU", 1, 40m)));

        var other = await h.Program.RecordOrderAsync(Order("A-1", Alice, h.Now + Duration.FromHours(1), Line("SKU", 1, 40m)));

        other.Error!.Field.Should().Be("PlacedAt");
        other.Error.Message.Should().Be("Order 'A-1' was recorded with other content: PlacedAt (2026-03-02T09:00:00Z recorded, 2026-03-02T10:00:00Z now) differs (member 'alice', placed at 2026-03-02T09:00:00Z); use a new order id for another order.");
    }

    private sealed class BusyLedgerStore(ILedgerStore inner) : ForwardingLedgerStore(inner)
    {
        public int Busy { get; set; }

        public override async ValueTask<LedgerAppendResult> AppendAsync(LedgerAppend append, CancellationToken cancellationToken = default)
        {
            if (Busy > 0)
            {
                Busy--;
                var head = await Inner.GetHeadAsync(append.Account, cancellationToken);
                return new LedgerAppendResult(LedgerAppendStatus.VersionConflict, (head?.Version ?? 0) + 1);
            }

            return await Inner.AppendAsync(append, cancellationToken);
        }
    }
}
