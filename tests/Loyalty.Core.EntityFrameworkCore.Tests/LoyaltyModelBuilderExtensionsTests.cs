using Loyalty.Core.EntityFrameworkCore.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Loyalty.Core.EntityFrameworkCore.Tests;

public sealed class LoyaltyModelBuilderExtensionsTests
{
    [Fact]
    public void The_loyalty_tables_take_the_schema_and_prefix_beside_the_shop_tables()
    {
        using var context = ShopContext.Create(b => b.UseNpgsql("Host=localhost"), LoyaltyModelOptions.Create("loyalty", "club_"));

        var tables = context.Model.GetEntityTypes()
            .Select(e => (e.GetSchema(), e.GetTableName()))
            .OrderBy(t => t.Item2, StringComparer.Ordinal)
            .ToList();

        tables.Should().Equal(
            ("loyalty", "club_campaign_budget_reservations"),
            ("loyalty", "club_campaign_budgets"),
            ("loyalty", "club_card_range_locks"),
            ("loyalty", "club_card_ranges"),
            ("loyalty", "club_card_status_history"),
            ("loyalty", "club_cards"),
            ("loyalty", "club_contact_history"),
            ("loyalty", "club_data_rights_audit"),
            ("loyalty", "club_erased_members"),
            ("loyalty", "club_household_members"),
            ("loyalty", "club_households"),
            ("loyalty", "club_ledger_accounts"),
            ("loyalty", "club_ledger_holds"),
            ("loyalty", "club_ledger_lots"),
            ("loyalty", "club_ledger_movements"),
            ("loyalty", "club_ledger_transactions"),
            ("loyalty", "club_maintenance_leases"),
            ("loyalty", "club_member_achievements"),
            ("loyalty", "club_member_activities"),
            ("loyalty", "club_member_consents"),
            ("loyalty", "club_member_histories"),
            ("loyalty", "club_member_orders"),
            ("loyalty", "club_member_refunds"),
            ("loyalty", "club_members"),
            ("loyalty", "club_merchant_rule_sets"),
            ("loyalty", "club_partner_agreements"),
            ("loyalty", "club_partners"),
            ("loyalty", "club_points_transfers"),
            ("loyalty", "club_prepaid_blocks"),
            ("loyalty", "club_prepaid_draws"),
            ("loyalty", "club_reward_code_uses"),
            ("loyalty", "club_reward_codes"),
            ("loyalty", "club_reward_redemptions"),
            ("loyalty", "club_reward_stock_claims"),
            ("loyalty", "club_rewards"),
            ("loyalty", "club_rule_sets"),
            ("loyalty", "club_settlement_runs"),
            (null, "orders"));
    }

    [Fact]
    public void The_idempotency_key_and_the_query_indexes_are_in_the_model()
    {
        using var context = ShopContext.Create(b => b.UseSqlite("Data Source=:memory:"), LoyaltyModelOptions.Default);
        var table = StoreObjectIdentifier.Table("loyalty_ledger_transactions");
        var transactions = context.Model.GetEntityTypes().Single(e => e.GetTableName() == "loyalty_ledger_transactions");
        var accounts = context.Model.GetEntityTypes().Single(e => e.GetTableName() == "loyalty_ledger_accounts");

        transactions.FindPrimaryKey()!.Properties.Select(p => p.GetColumnName(table)).Should().Equal("program_id", "id");
        transactions.GetKeys().Should().Contain(k => k.GetName() == "ux_loyalty_ledger_transactions_version");
        accounts.GetIndexes().Should().Contain(i => i.GetDatabaseName() == "ix_loyalty_ledger_accounts_expiry");

        // The unique keys that make the programme's writes atomic between racing writers.
        var unique = context.Model.GetEntityTypes().SelectMany(e => e.GetIndexes()).Where(i => i.IsUnique).Select(i => i.GetDatabaseName()).ToList();
        unique.Should().Contain(["ux_loyalty_members_referral_code", "ux_loyalty_member_refunds_order_sequence", "ux_loyalty_rule_sets_effective_from", "ux_loyalty_merchant_rule_sets_effective_from", "ux_loyalty_reward_stock_claims_unit", "ux_loyalty_reward_codes_redemption", "ux_loyalty_points_transfers_sender_sequence", "ux_loyalty_household_members_slot"]);
        accounts.FindProperty("Version")!.IsConcurrencyToken.Should().BeTrue();
    }

    [Fact]
    public void A_bad_prefix_is_refused_where_the_model_is_built()
    {
        var act = () => new ModelBuilder().ApplyLoyaltyModel(null, "loyalty-");

        act.Should().Throw<ArgumentException>()
            .WithMessage("The table prefix 'loyalty-' is not a plain SQL identifier; use a letter or underscore first, then only letters, digits or underscores (e.g. 'loyalty_'). (Parameter 'tablePrefix')");
    }

    [Fact]
    public void Null_arguments_are_refused()
    {
        ((Action)(() => LoyaltyModelBuilderExtensions.ApplyLoyaltyModel(null!))).Should().Throw<ArgumentNullException>().WithParameterName("modelBuilder");
        ((Action)(() => new ModelBuilder().ApplyLoyaltyModel((LoyaltyModelOptions)null!))).Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void A_store_on_a_context_without_the_loyalty_model_says_how_to_fix_it()
    {
        using var context = ShopContext.Create(b => b.UseSqlite("Data Source=:memory:"), loyalty: null);

        var act = () => new EntityFrameworkLedgerStore(context);

        act.Should().Throw<InvalidOperationException>()
            .WithMessage("The DbContext 'ShopContext' has no loyalty tables: call modelBuilder.ApplyLoyaltyModel() in its OnModelCreating.");
    }
}
