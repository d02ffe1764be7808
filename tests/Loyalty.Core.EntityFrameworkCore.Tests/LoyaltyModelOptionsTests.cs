namespace Loyalty.Core.EntityFrameworkCore.Tests;

public sealed class LoyaltyModelOptionsTests
{
    [Fact]
    public void Default_uses_the_provider_schema_and_the_loyalty_prefix()
    {
        LoyaltyModelOptions.Default.Schema.Should().BeNull();
        LoyaltyModelOptions.Default.TablePrefix.Should().Be("loyalty_");
        LoyaltyModelOptions.Create().Should().BeSameAs(LoyaltyModelOptions.Default);
    }

    [Theory]
    [InlineData("shop", "loy_")]
    [InlineData("_x9", "")]
    [InlineData(null, "Loyalty")]
    public void Accepts_plain_identifiers(string? schema, string prefix)
    {
        var options = LoyaltyModelOptions.Create(schema, prefix);

        options.Schema.Should().Be(schema);
        options.TablePrefix.Should().Be(prefix);
    }

    [Fact]
    public void An_empty_schema_is_refused()
    {
        var act = () => LoyaltyModelOptions.Create("", "loyalty_");

        act.Should().Throw<ArgumentException>()
            .WithMessage("The schema must not be empty; pass null to use the provider's default schema. (Parameter 'schema')");
    }

    [Fact]
    public void A_schema_that_is_not_an_identifier_is_refused()
    {
        var act = () => LoyaltyModelOptions.Create("shop;drop", "loyalty_");

        act.Should().Throw<ArgumentException>()
            .WithMessage("The schema 'shop;drop' is not a plain SQL identifier; use a letter or underscore first, then only letters, digits or underscores (e.g. 'loyalty_'). (Parameter 'schema')");
    }

    [Fact]
    public void A_prefix_starting_with_a_digit_is_refused()
    {
        var act = () => LoyaltyModelOptions.Create(null, "1loyalty");

        act.Should().Throw<ArgumentException>()
            .WithMessage("The table prefix '1loyalty' is not a plain SQL identifier; use a letter or underscore first, then only letters, digits or underscores (e.g. 'loyalty_'). (Parameter 'tablePrefix')");
    }

    [Fact]
    public void A_prefix_too_long_for_postgres_identifiers_is_refused()
    {
        var prefix = new string('p', 31);
        var act = () => LoyaltyModelOptions.Create(null, prefix);

        act.Should().Throw<ArgumentException>()
            .WithMessage($"The table prefix '{prefix}' is 31 characters long; use at most 30. (Parameter 'tablePrefix')");
    }

    [Fact]
    public void A_null_prefix_is_refused()
    {
        var act = () => LoyaltyModelOptions.Create(null, null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("tablePrefix");
    }
}
