using Loyalty.Core.DataRights;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Programs;
using Loyalty.Core.Storage;
using Loyalty.Core.Storage.InMemory;
using Microsoft.Extensions.DependencyInjection;
using static Loyalty.Core.Tests.DataRights.DataRightsHarness;

namespace Loyalty.Core.Tests.DataRights;

/// <summary>Erasure markers: the erased code for later calls, without keeping the erased id.</summary>
public class ErasureMarkerTests
{
    private static readonly string Key = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(255 - i)).ToArray());

    [Fact]
    public async Task With_a_marker_key_later_calls_for_an_erased_member_get_the_erased_code()
    {
        using var h = new DataRightsHarness(o => o.ErasureMarkerKey = Key);
        await h.SeedAliceAsync();

        (await h.Rights.EraseAsync(Alice, Request("DEL-1"))).Status.Should().Be(DataRightsStatus.Completed);

        var order = await h.Program.RecordOrderAsync(new EarningOrder(OrderId.From("A-9"), Alice, h.Now, Currency.EUR, [new OrderLine("SKU-HAT", 1, 30m)]));
        order.ErrorCode.Should().Be(LoyaltyErrorCode.MemberErased);
        order.Error!.Message.Should().Be("Member 'alice@example.com' was erased from the programme at their request; nothing was recorded. Do not enrol the id again automatically.");
        (await h.Program.GetMemberSummaryAsync(Alice)).ErrorCode.Should().Be(LoyaltyErrorCode.MemberErased);
        (await h.Program.RecordActivityAsync(ActivityId.From("review-9"), new ActivityInput(ActivityKind.Review, Alice, h.Now))).ErrorCode.Should().Be(LoyaltyErrorCode.MemberErased);
        (await h.Program.GetMemberSummaryAsync(MemberId.From("nobody"))).ErrorCode.Should().Be(LoyaltyErrorCode.MemberNotFound);
        (await h.Program.GetMemberSummaryAsync(Bob)).Succeeded.Should().BeTrue();

        var again = await h.Rights.EraseAsync(Alice, Request("DEL-2"));
        again.Status.Should().Be(DataRightsStatus.AlreadyErased);
        again.Message.Should().Be("Member 'alice@example.com' was already erased from programme 'club'; nothing of it is left.");
        again.Audit!.MemberId.Should().BeNull();
        (await h.Rights.EraseAsync(MemberId.From("nobody"), Request("DEL-3"))).Status.Should().Be(DataRightsStatus.UnknownMember);

        // Enrolling the id again on purpose starts a new, empty member, which is then served as any other.
        (await h.Program.EnrolAsync(new Enrolment(Alice))).Succeeded.Should().BeTrue();
        (await h.Program.GetMemberSummaryAsync(Alice)).Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task Without_a_marker_key_an_erased_member_is_answered_as_never_known()
    {
        using var h = new DataRightsHarness();
        await h.SeedAliceAsync();
        (await h.Rights.EraseAsync(Alice, Request("DEL-1"))).Status.Should().Be(DataRightsStatus.Completed);

        (await h.Program.GetMemberSummaryAsync(Alice)).ErrorCode.Should().Be(LoyaltyErrorCode.MemberNotFound);
        (await h.Rights.EraseAsync(Alice, Request("DEL-2"))).Status.Should().Be(DataRightsStatus.UnknownMember);
    }

    [Fact]
    public async Task The_marker_is_a_keyed_hash_that_names_nothing()
    {
        using var h = new DataRightsHarness(o => o.ErasureMarkerKey = Key);
        await h.SeedAliceAsync();
        var store = new InMemoryErasedMemberStore();
        var markers = new ErasedMembers(store, Convert.FromBase64String(Key));
        var marker = markers.MarkerOf(Club, Alice);

        marker.Should().MatchRegex("^[0-9a-f]{32}$");
        marker.Should().Be(markers.MarkerOf(Club, Alice));
        marker.Should().NotBe(markers.MarkerOf(ProgramId.From("other"), Alice));
        marker.Should().NotBe(new ErasedMembers(store, new byte[32]).MarkerOf(Club, Alice));

        (await h.Rights.EraseAsync(Alice, Request("DEL-1"))).Status.Should().Be(DataRightsStatus.Completed);
        var registered = h.Services.GetRequiredService<IErasedMemberStore>();
        (await registered.ContainsAsync(Club, marker)).Should().BeTrue();
        (await registered.ContainsAsync(Club, markers.MarkerOf(Club, Bob))).Should().BeFalse();
    }

    [Theory]
    [InlineData("c2hvcnQ=", "DataRights:ErasureMarkerKey must decode to at least 32 random bytes (was 5); generate one with 'openssl rand -base64 32'. (Parameter 'ErasureMarkerKey')")]
    [InlineData("not base64!", "DataRights:ErasureMarkerKey must be base64 (e.g. the output of 'openssl rand -base64 32'); it is not. (Parameter 'ErasureMarkerKey')")]
    public void A_bad_marker_key_is_refused_with_what_to_do(string key, string message)
    {
        using var h = new DataRightsHarness(o => o.ErasureMarkerKey = key);

        var error = FluentActions.Invoking(() => h.Rights).Should().Throw<ArgumentException>().Which;

        error.Message.Should().Be(message);
    }

    [Fact]
    public void A_short_key_and_a_malformed_marker_are_refused()
    {
        FluentActions.Invoking(() => new ErasedMembers(new InMemoryErasedMemberStore(), new byte[31])).Should().Throw<ArgumentException>()
            .WithMessage("The erasure marker key must be at least 32 random bytes (was 31); generate one with e.g. 'openssl rand -base64 32' and keep it in the shop's secret store. (Parameter 'key')");
        FluentActions.Invoking(() => ErasedMembers.CheckMarker("alice", "marker")).Should().Throw<ArgumentException>()
            .WithMessage("An erasure marker must be 32 lowercase hexadecimal digits (was 'alice'); compute it with ErasedMembers.MarkerOf. (Parameter 'marker')");
    }
}
