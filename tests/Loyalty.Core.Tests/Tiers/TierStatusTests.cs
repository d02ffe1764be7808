using FluentAssertions;
using FsCheck.Xunit;
using Loyalty.Core.Primitives;
using Loyalty.Core.Tiers;
using NodaTime;
using Xunit;

namespace Loyalty.Core.Tests.Tiers;

public sealed class TierStatusTests
{
    private static readonly Instant Base = Instant.FromUtc(2025, 1, 1, 0, 0);

    private static Instant? At(int? seconds) => seconds is { } s ? Base + Duration.FromSeconds(s) : null;

    private static TierStatus Status(int? a, int? b, int? c, int? d, int? e, int? f) => new()
    {
        Tier = TierId.From("gold"),
        Since = Base,
        ValidUntil = At(a),
        GraceUntil = At(b),
        AutomaticTier = TierId.From("silver"),
        AutomaticSince = Base,
        AutomaticValidUntil = At(c),
        LastQualifiedAt = At(d),
        ValidUntilBeforeLastQualification = At(e),
        FallbackTier = f is null ? null : TierId.From("bronze"),
        FallbackValidUntil = At(f),
        EvaluatedAt = Base,
    };

    [Property(MaxTest = 200 / PropertyRuns.Divisor)]
    public bool Optional_instants_read_back_exactly_what_was_set(int? a, int? b, int? c, int? d, int? e, int? f)
    {
        var status = Status(a, b, c, d, e, f);
        return status.ValidUntil == At(a) && status.GraceUntil == At(b) && status.AutomaticValidUntil == At(c)
            && status.LastQualifiedAt == At(d) && status.ValidUntilBeforeLastQualification == At(e) && status.FallbackValidUntil == At(f)
            && status.FallbackTier == (f is null ? null : TierId.From("bronze"));
    }

    [Property(MaxTest = 200 / PropertyRuns.Divisor)]
    public bool Equality_follows_the_optional_instants(int? a, int? b, int? a2, int? b2)
    {
        var left = Status(a, b, a, b, a, b);
        var right = Status(a2, b2, a2, b2, a2, b2);
        var same = At(a) == At(a2) && At(b) == At(b2);
        return left.Equals(right) == same && (!same || left.GetHashCode() == right.GetHashCode());
    }

    [Fact]
    public void With_can_clear_an_optional_instant()
    {
        var status = Status(1, 2, 3, 4, 5, 6);

        var cleared = status with { GraceUntil = null };

        cleared.GraceUntil.Should().BeNull();
        cleared.ValidUntil.Should().Be(At(1));
        cleared.Should().Be(Status(1, null, 3, 4, 5, 6));
        cleared.Should().NotBe(status);
    }

    [Fact]
    public void With_can_clear_and_set_the_fallback_tier()
    {
        var status = Status(1, 2, 3, 4, 5, 6);

        var cleared = status with { FallbackTier = null };
        var restored = cleared with { FallbackTier = TierId.From("bronze") };

        cleared.FallbackTier.Should().BeNull();
        cleared.Should().NotBe(status);
        cleared.GetHashCode().Should().NotBe(0);
        restored.Should().Be(status);
        restored.GetHashCode().Should().Be(status.GetHashCode());
    }
}
