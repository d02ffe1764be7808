using FluentAssertions;
using FsCheck.Xunit;
using Loyalty.Core.Primitives;
using Loyalty.Core.Referrals;
using Loyalty.Core.Storage;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Tests.Storage;

/// <summary>
/// The ledger and member records keep optional values as plain fields with presence bits, and the transaction's
/// rarely used fields in one shared object: what is set reads back, absence and a set default stay distinct
/// where the property is nullable, and equality and <c>with</c> behave as for the plain properties.
/// </summary>
public sealed class CompactRecordTests
{
    private static readonly Instant Base = Instant.FromUtc(2026, 3, 2, 9, 0);
    private static readonly ProgramId Program = ProgramId.From("club");
    private static readonly MemberId Member = MemberId.From("m1");

    private static Instant? At(int? seconds) => seconds is { } s ? Base + Duration.FromSeconds(s) : null;

    private static LedgerTransactionRecord Transaction(int? related, int? pending, int? requested, bool whole, int? available, int? expires, string? reason, string? actor, long applied, long debt, long writtenOff, int? merchant) => new()
    {
        ProgramId = Program,
        MemberId = Member,
        Id = TransactionId.From("t1"),
        Version = 1,
        Kind = LedgerTransactionKind.Reverse,
        RecordedAt = Base,
        EffectiveAt = Base,
        Amount = 10,
        RelatedId = related is { } r ? TransactionId.From("r" + r) : null,
        PendingPeriod = pending is { } p ? Duration.FromSeconds(p) : null,
        RequestedExpiresAt = At(requested),
        IsWholeCapture = whole,
        AvailableAt = At(available),
        ExpiresAt = At(expires),
        Reason = reason,
        Actor = actor,
        Applied = applied,
        DebtChange = debt,
        WrittenOff = writtenOff,
        Merchant = merchant is { } m ? MerchantId.From("shop" + m) : null,
    };

    [Property(MaxTest = 200)]
    public bool A_transaction_reads_back_every_optional_field_as_set(int? related, int? pending, int? requested, bool whole, int? available, int? expires, bool withReason, long applied, long debt, long writtenOff, int? merchant)
    {
        var reason = withReason ? "goodwill" : null;
        var tx = Transaction(related, pending, requested, whole, available, expires, reason, reason is null ? null : "agent", applied, debt, writtenOff, merchant);
        return tx.RelatedId == (related is { } r ? TransactionId.From("r" + r) : null)
            && tx.PendingPeriod == (pending is { } p ? Duration.FromSeconds(p) : null)
            && tx.RequestedExpiresAt == At(requested) && tx.IsWholeCapture == whole
            && tx.AvailableAt == At(available) && tx.ExpiresAt == At(expires)
            && tx.Reason == reason && tx.Actor == (reason is null ? null : "agent")
            && tx.Applied == applied && tx.DebtChange == debt && tx.WrittenOff == writtenOff
            && tx.Merchant == (merchant is { } m ? MerchantId.From("shop" + m) : null);
    }

    [Property(MaxTest = 200)]
    public bool Transactions_are_equal_exactly_when_their_fields_are(int? available, int? available2, long applied, long applied2, bool whole, bool whole2)
    {
        var left = Transaction(1, null, null, whole, available, null, null, null, applied, 0, 0, null);
        var right = Transaction(1, null, null, whole2, available2, null, null, null, applied2, 0, 0, null);
        var same = At(available) == At(available2) && applied == applied2 && whole == whole2;
        return left.Equals(right) == same && (!same || left.GetHashCode() == right.GetHashCode());
    }

    [Fact]
    public void With_clears_and_sets_a_transaction_field_without_touching_the_original()
    {
        var original = Transaction(1, 60, 2, true, 3, 4, "goodwill", "agent", 5, 6, 7, 8);

        var cleared = original with { Reason = null, Applied = 0, ExpiresAt = null, RelatedId = null, IsWholeCapture = false };

        cleared.Reason.Should().BeNull();
        cleared.Applied.Should().Be(0);
        cleared.ExpiresAt.Should().BeNull();
        cleared.RelatedId.Should().BeNull();
        cleared.IsWholeCapture.Should().BeFalse();
        cleared.Actor.Should().Be("agent");
        cleared.DebtChange.Should().Be(6);
        cleared.Should().Be(Transaction(null, 60, 2, false, 3, null, null, "agent", 0, 6, 7, 8));
        original.Should().Be(Transaction(1, 60, 2, true, 3, 4, "goodwill", "agent", 5, 6, 7, 8));
        original.Reason.Should().Be("goodwill");
        original.Applied.Should().Be(5);
    }

    [Fact]
    public void A_transaction_whose_rare_fields_went_back_to_their_defaults_equals_one_that_never_had_them()
    {
        var plain = Transaction(null, null, null, false, null, null, null, null, 0, 0, 0, null);
        var reverted = Transaction(null, 60, 1, true, null, null, "goodwill", "agent", 5, 6, 7, null)
            with { PendingPeriod = null, RequestedExpiresAt = null, IsWholeCapture = false, Reason = null, Actor = null, Applied = 0, DebtChange = 0, WrittenOff = 0 };

        reverted.Should().Be(plain);
        reverted.GetHashCode().Should().Be(plain.GetHashCode());
        reverted.ToString().Should().Be(plain.ToString());
    }

    [Fact]
    public void An_earns_pending_period_is_a_field_of_its_own_and_a_zero_one_a_value()
    {
        var plain = Transaction(null, null, null, false, 1, 2, null, null, 0, 0, 0, null);
        var zero = plain with { PendingPeriod = Duration.Zero };
        var pending = plain with { PendingPeriod = Duration.FromDays(14) };

        zero.PendingPeriod.Should().Be(Duration.Zero);
        zero.Should().NotBe(plain);
        pending.Should().NotBe(zero);
        (pending with { PendingPeriod = null }).Should().Be(plain);

        // Every order's earn carries its return window: the record keeps no shared object for it.
        var rare = typeof(LedgerTransactionRecord).GetField("rare", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        rare.GetValue(pending).Should().BeNull();
        rare.GetValue(pending with { Reason = "goodwill" }).Should().NotBeNull();
    }

    [Fact]
    public void A_zero_instant_is_a_value_not_an_absence()
    {
        var epoch = Instant.FromUnixTimeTicks(0);
        var tx = Transaction(null, null, null, false, null, null, null, null, 0, 0, 0, null) with { AvailableAt = epoch, RelatedId = default(TransactionId) };
        var head = new LedgerAccountHead { ProgramId = Program, MemberId = Member, Version = 1, UpdatedAt = Base, NextExpiryAt = epoch };
        var member = new MemberRecord { ProgramId = Program, MemberId = Member, EnrolledAt = Base, ReferralCode = ReferralCode.From("R0000001"), LastMaintainedAt = epoch, BirthDate = default(LocalDate) };

        tx.AvailableAt.Should().Be(epoch);
        tx.RelatedId.Should().Be(default(TransactionId));
        head.NextExpiryAt.Should().Be(epoch);
        head.NextChangeAt.Should().BeNull();
        head.Should().NotBe(head with { NextExpiryAt = null });
        member.LastMaintainedAt.Should().Be(epoch);
        member.BirthDate.Should().Be(default(LocalDate));
        member.Should().NotBe(member with { LastMaintainedAt = null });
        member.Should().NotBe(member with { BirthDate = null });
    }

    [Property(MaxTest = 200)]
    public bool A_head_reads_back_its_optional_instants_and_compares_by_them(int? activity, int? change, int? expiry, int? expiry2)
    {
        LedgerAccountHead Head(int? next) => new()
        {
            ProgramId = Program, MemberId = Member, Version = 3, UpdatedAt = Base,
            LastActivityAt = At(activity), NextChangeAt = At(change), NextExpiryAt = At(next),
        };

        var head = Head(expiry);
        var same = At(expiry) == At(expiry2);
        return head.LastActivityAt == At(activity) && head.NextChangeAt == At(change) && head.NextExpiryAt == At(expiry)
            && head.Equals(Head(expiry2)) == same;
    }

    [Property(MaxTest = 200)]
    public bool A_member_reads_back_its_optional_fields_and_compares_by_them(int? referrer, int? order, int? maintained, int? maintained2, bool born)
    {
        MemberRecord Record(int? last) => new()
        {
            ProgramId = Program, MemberId = Member, EnrolledAt = Base, ReferralCode = ReferralCode.From("R0000001"),
            BirthDate = born ? new LocalDate(1990, 5, 17) : null,
            ReferredBy = referrer is { } r ? MemberId.From("m" + r) : null,
            ReferralCompletedBy = order is { } o ? OrderId.From("o" + o) : null,
            LastMaintainedAt = At(last),
        };

        var member = Record(maintained);
        var same = At(maintained) == At(maintained2);
        return member.BirthDate == (born ? new LocalDate(1990, 5, 17) : null)
            && member.ReferredBy == (referrer is { } r ? MemberId.From("m" + r) : null)
            && member.ReferralCompletedBy == (order is { } o ? OrderId.From("o" + o) : null)
            && member.LastMaintainedAt == At(maintained)
            && member.Equals(Record(maintained2)) == same && (!same || member.GetHashCode() == Record(maintained2).GetHashCode());
    }
}
