using Loyalty.Core.Specification;
using Loyalty.Core.Storage;
using Xunit.Sdk;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>The specification is only worth running if it fails a broken store: this proves it does.</summary>
public sealed class NonAtomicLedgerStoreTests
{
    [Fact]
    public async Task The_specification_catches_a_store_whose_append_is_not_atomic()
    {
        var suite = new NonAtomicSpecification();
        await suite.InitializeAsync();

        var failure = await Record.ExceptionAsync(suite.A_failure_in_the_middle_of_an_append_leaves_nothing);

        failure.Should().BeAssignableTo<XunitException>("a half-written append must fail the specification");
        // The broken store reports the account at version 2: its first transaction was written.
        failure!.Message.Should().Contain("Actual:   LedgerAppendResult { Status = Duplicate, CurrentVersion = 2, DuplicateId = taken }");
    }

    [Fact]
    public async Task The_broken_store_still_passes_what_it_does_right()
    {
        // The suite pins the fault down: single-transaction appends, reads and idempotency still pass.
        var suite = new NonAtomicSpecification();

        await suite.A_first_earn_creates_the_account_with_its_head_lot_and_transaction();
        await suite.The_same_append_again_is_a_duplicate_and_changes_nothing();
        await suite.A_stale_version_is_a_conflict_and_writes_nothing();
    }

    /// <summary>Not public, so that xunit does not run the whole suite against the broken store.</summary>
    private sealed class NonAtomicSpecification : LedgerStoreSpecification
    {
        private readonly NonAtomicLedgerStore store = new();

        protected override ILedgerStore CreateStore() => store;
    }
}
