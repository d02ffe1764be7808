using Loyalty.Core.Engagement;
using Loyalty.Core.Primitives;
using Loyalty.Core.Specification;
using Loyalty.Core.Storage.InMemory;
using NodaTime;
using Xunit.Sdk;

namespace Loyalty.Core.EntityFrameworkCore.Tests.Specification;

/// <summary>The engagement suites are only worth running if they fail broken stores: this proves they do.</summary>
public sealed class BrokenEngagementStoresTests
{
    [Fact]
    public async Task The_contact_history_specification_catches_a_store_that_records_a_message_id_twice()
    {
        var failure = await Record.ExceptionAsync(new ForgetfulContactSpecification().Recording_is_idempotent_by_message_id);

        failure.Should().BeAssignableTo<XunitException>();
        await new ForgetfulContactSpecification().Sends_of_a_page_of_members_come_in_the_order_asked_and_programmes_are_apart(); // what it does right still passes
    }

    [Fact]
    public async Task The_consent_specification_catches_a_store_that_loses_the_order_of_the_log()
    {
        var failure = await Record.ExceptionAsync(new UnorderedConsentSpecification().Records_read_back_whole_in_instant_order);

        failure.Should().BeAssignableTo<XunitException>();
        await new UnorderedConsentSpecification().A_repeat_changes_nothing_and_a_clash_is_refused(); // what it does right still passes
    }

    /// <summary>Adds every send, even one whose message id is taken.</summary>
    private sealed class ForgetfulContactStore : IContactHistoryStore
    {
        private readonly List<ContactRecord> all = [];

        public ValueTask<ContactRecordResult> RecordAsync(ContactRecord record, CancellationToken cancellationToken = default)
        {
            lock (all)
            {
                all.Add(record);
            }

            return new(new ContactRecordResult(ContactRecordStatus.Added));
        }

        public ValueTask<ContactRecord?> GetAsync(ProgramId programId, string messageId, CancellationToken cancellationToken = default) =>
            new(all.FirstOrDefault(r => r.ProgramId == programId && r.MessageId == messageId));

        public ValueTask<IReadOnlyList<ContactRecord>> ListAsync(ProgramId programId, MemberId memberId, Instant since, CancellationToken cancellationToken = default) =>
            new(all.Where(r => r.ProgramId == programId && r.MemberId == memberId && r.SentAt >= since).OrderBy(r => r.SentAt).ThenBy(r => r.MessageId, StringComparer.Ordinal).ToArray());

        public async ValueTask<IReadOnlyList<IReadOnlyList<ContactRecord>>> ListManyAsync(ProgramId programId, IReadOnlyList<MemberId> memberIds, Instant since, CancellationToken cancellationToken = default)
        {
            var result = new List<IReadOnlyList<ContactRecord>>();
            foreach (var member in memberIds)
            {
                result.Add(await ListAsync(programId, member, since, cancellationToken));
            }

            return result;
        }
    }

    /// <summary>Returns each member's log newest first.</summary>
    private sealed class UnorderedConsentStore : IConsentStore
    {
        private readonly InMemoryConsentStore inner = new();

        public ValueTask<ConsentRecordResult> RecordAsync(ConsentRecord record, CancellationToken cancellationToken = default) => inner.RecordAsync(record, cancellationToken);

        public async ValueTask<IReadOnlyList<ConsentRecord>> GetHistoryAsync(ProgramId programId, MemberId memberId, CancellationToken cancellationToken = default) =>
            (await inner.GetHistoryAsync(programId, memberId, cancellationToken)).Reverse().ToArray();

        public ValueTask<IReadOnlyList<IReadOnlyList<ConsentRecord>>> GetHistoriesAsync(ProgramId programId, IReadOnlyList<MemberId> memberIds, CancellationToken cancellationToken = default) =>
            inner.GetHistoriesAsync(programId, memberIds, cancellationToken);
    }

    private sealed class ForgetfulContactSpecification : ContactHistoryStoreSpecification
    {
        private readonly ForgetfulContactStore store = new();

        protected override IContactHistoryStore CreateStore() => store;
    }

    private sealed class UnorderedConsentSpecification : ConsentStoreSpecification
    {
        private readonly UnorderedConsentStore store = new();

        protected override IConsentStore CreateStore() => store;
    }
}
