using System.Text.Json;
using FsCheck.Xunit;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Tests.Primitives;

public class IdentifierTests
{
    [Fact]
    public void Accepts_the_forms_shops_use()
    {
        MemberId.From("cust-42").Value.Should().Be("cust-42");
        MemberId.From(42).Value.Should().Be("42");
        MemberId.From(9_000_000_000L).Value.Should().Be("9000000000");
        var guid = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        OrderId.From(guid).Value.Should().Be("0f8fad5b-d9cb-469f-a165-70867728950e");
    }

    [Fact]
    public void Equality_is_ordinal_and_case_sensitive()
    {
        MemberId.From("abc").Should().Be(MemberId.From("abc"));
        (MemberId.From("abc") == MemberId.From("ABC")).Should().BeFalse();
        (MemberId.From("abc") != MemberId.From("ABC")).Should().BeTrue();
        MemberId.From("a").CompareTo(MemberId.From("b")).Should().BeNegative();
        MemberId.From(42).Should().Be(MemberId.From("42"));
    }

    [Fact]
    public void Default_identifies_nothing()
    {
        default(MemberId).IsDefault.Should().BeTrue();
        default(MemberId).Value.Should().BeEmpty();
        default(MemberId).ToString().Should().BeEmpty();
        MemberId.From("x").IsDefault.Should().BeFalse();
    }

    [Fact]
    public void Null_is_rejected()
    {
        var act = () => MemberId.From((string)null!);
        act.Should().Throw<ArgumentNullException>().WithMessage("MemberId must not be null. (Parameter 'value')");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t")]
    public void Empty_or_whitespace_is_rejected(string value)
    {
        var act = () => OrderId.From(value);
        act.Should().Throw<ArgumentException>()
            .WithMessage("OrderId must not be empty or whitespace; give the shop's own identifier, e.g. \"42\" or a GUID. (Parameter 'value')");
    }

    [Fact]
    public void Over_long_is_rejected()
    {
        var act = () => TransactionId.From(new string('x', 129));
        act.Should().Throw<ArgumentException>()
            .WithMessage("TransactionId must be at most 128 characters (was 129). (Parameter 'value')");
        TransactionId.From(new string('x', 128)).Value.Should().HaveLength(128);
    }

    [Fact]
    public void Padded_is_rejected()
    {
        var act = () => RuleId.From(" r1");
        act.Should().Throw<ArgumentException>()
            .WithMessage("RuleId must not start or end with whitespace (was \" r1\"); trim it first. (Parameter 'value')");
    }

    [Fact]
    public void Control_characters_are_rejected()
    {
        var act = () => TierId.From("gold\u0000");
        act.Should().Throw<ArgumentException>()
            .WithMessage("TierId must not contain control characters (found U+0000). (Parameter 'value')");
    }

    [Fact]
    public void Empty_guid_is_rejected()
    {
        var act = () => MerchantId.From(Guid.Empty);
        act.Should().Throw<ArgumentException>()
            .WithMessage("MerchantId must not be the empty GUID (00000000-0000-0000-0000-000000000000). (Parameter 'value')");
    }

    [Fact]
    public void Round_trips_through_json_as_a_string()
    {
        var json = JsonSerializer.Serialize(new { Member = MemberId.From("m-1"), Program = ProgramId.From(7) });
        json.Should().Be("{\"Member\":\"m-1\",\"Program\":\"7\"}");
        JsonSerializer.Deserialize<MemberId>("\"m-1\"").Should().Be(MemberId.From("m-1"));
        var dict = JsonSerializer.Deserialize<Dictionary<TierId, int>>("{\"gold\":3}");
        dict.Should().ContainKey(TierId.From("gold"));
    }

    [Fact]
    public void Invalid_json_values_are_rejected_with_the_rule()
    {
        var act = () => JsonSerializer.Deserialize<MemberId>("\"  \"");
        act.Should().Throw<JsonException>()
            .WithMessage("MemberId must not be empty or whitespace; give the shop's own identifier, e.g. \"42\" or a GUID. (Parameter 'value')");
        var number = () => JsonSerializer.Deserialize<MemberId>("42");
        number.Should().Throw<JsonException>().WithMessage("MemberId must be a JSON string (was Number).");
        var write = () => JsonSerializer.Serialize(default(MemberId));
        write.Should().Throw<JsonException>().WithMessage("default(MemberId) cannot be serialised: it identifies nothing.");
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public bool Integer_ids_equal_their_string_form(int key) =>
        MemberId.From(key) == MemberId.From(key.ToString(System.Globalization.CultureInfo.InvariantCulture))
        && MemberId.From(key).GetHashCode() == MemberId.From(key.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetHashCode();

    [Fact]
    public void Unpaired_surrogates_are_refused_because_they_do_not_round_trip_through_UTF8()
    {
        FluentActions.Invoking(() => MemberId.From("a\ud800b")).Should().Throw<ArgumentException>()
            .WithMessage("MemberId must be valid Unicode text: it holds an unpaired UTF-16 surrogate U+D800 at index 1, which cannot be stored as UTF-8 and would not read back unchanged; remove it or pair it. (Parameter 'value')");
        FluentActions.Invoking(() => OrderId.From("order-\udc00")).Should().Throw<ArgumentException>()
            .WithMessage("OrderId must be valid Unicode text: it holds an unpaired UTF-16 surrogate U+DC00 at index 6, which cannot be stored as UTF-8 and would not read back unchanged; remove it or pair it. (Parameter 'value')");
        FluentActions.Invoking(() => MemberId.From("x\udbff")).Should().Throw<ArgumentException>()
            .WithMessage("MemberId must be valid Unicode text: it holds an unpaired UTF-16 surrogate U+DBFF at index 1, *");
    }

    [Fact]
    public void Paired_surrogates_and_other_unicode_text_are_kept()
    {
        MemberId.From("client-\U0001F600-é").Value.Should().Be("client-😀-é");
    }

    [Property(MaxTest = 100 / PropertyRuns.Divisor)]
    public bool Every_accepted_identifier_survives_UTF8_unchanged(string candidate)
    {
        try
        {
            var id = MemberId.From(candidate);
            return System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(id.Value)) == candidate;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
