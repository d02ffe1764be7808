using System.Text.Json;
using Loyalty.Core.Primitives;
using Loyalty.Core.Referrals;

namespace Loyalty.Core.Tests.Referrals;

public class ReferralCodeTests
{
    [Fact]
    public void Codes_are_trimmed_upper_cased_and_compared_as_such()
    {
        var code = ReferralCode.From("  ab12-cd ");
        code.Value.Should().Be("AB12-CD");
        code.Should().Be(ReferralCode.From("AB12-CD"));
        (code == ReferralCode.From("ab12-cd")).Should().BeTrue();
        default(ReferralCode).IsDefault.Should().BeTrue();
        ReferralCode.TryFrom("x", out _).Should().BeFalse();
        ReferralCode.TryFrom(null, out _).Should().BeFalse();
        ReferralCode.TryFrom("ABCD", out var ok).Should().BeTrue();
        ok.Value.Should().Be("ABCD");
    }

    [Fact]
    public void Codes_round_trip_through_json()
    {
        JsonSerializer.Serialize(ReferralCode.From("abcd")).Should().Be("\"ABCD\"");
        JsonSerializer.Deserialize<ReferralCode>("\"k7qm3xhp\"").Should().Be(ReferralCode.From("K7QM3XHP"));
        var bad = () => JsonSerializer.Deserialize<ReferralCode>("\"a\"");
        bad.Should().Throw<JsonException>().Which.Message.Should().Be("A referral code must be 4 to 32 characters (was 1: \"a\"). (Parameter 'value')");
    }

    [Fact]
    public void Bad_codes_are_refused_with_their_fix()
    {
        Message(() => ReferralCode.From("abc")).Should().Be("A referral code must be 4 to 32 characters (was 3: \"abc\"). (Parameter 'value')");
        Message(() => ReferralCode.From(new string('A', 33))).Should().Be($"A referral code must be 4 to 32 characters (was 33: \"{new string('A', 33)}\"). (Parameter 'value')");
        Message(() => ReferralCode.From("AB CD")).Should().Be("A referral code may hold only letters A-Z, digits and hyphens (found ' ' in \"AB CD\"). (Parameter 'value')");
        Message(() => ReferralCode.From("-ABCD")).Should().Be("A referral code must not start or end with a hyphen (was \"-ABCD\"). (Parameter 'value')");
        Message(() => ReferralCode.From(null!)).Should().Be("Value cannot be null. (Parameter 'value')");
    }

    [Fact]
    public void The_default_generator_makes_valid_codes()
    {
        var generator = new RandomReferralCodeGenerator();
        var codes = Enumerable.Range(0, 500).Select(i => generator.Generate(MemberId.From(i), 0)).ToList();
        codes.Should().OnlyContain(c => c.Value.Length == 8);
        codes.Distinct().Should().HaveCount(500);
    }

    private static string Message(Action act) => act.Should().Throw<ArgumentException>().Which.Message;
}
