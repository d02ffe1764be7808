using System.Globalization;
using Loyalty.Core.Configuration;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.DependencyInjection;

/// <summary>
/// Checks and builds the programme data of <see cref="LoyaltyOptions"/> (tier ladder, rule sets,
/// rewards) once the programme's currency and time zone are known: each piece inherits them, stating
/// another one is an error, and every problem is reported with its configuration path.
/// </summary>
internal static class ProgramDefinitionReader
{
    private const string Prefix = LoyaltyOptions.SectionName + ":";

    /// <summary>Reads the ladder, rule sets and rewards; adds every problem to <paramref name="failures"/>.</summary>
    /// <returns>The pieces (meaningful only when no failure was added).</returns>
    /// <param name="options">The options.</param>
    /// <param name="programCurrency">The programme's currency, or null when it is itself invalid (then nothing is compared with it).</param>
    /// <param name="programZone">The programme's time zone, or null when it is itself invalid.</param>
    /// <param name="failures">Where problems go.</param>
    public static (TierLadder? Tiers, List<EarningRuleSet> RuleSets, List<RewardDefinition> Rewards) Read(LoyaltyOptions options, Currency? programCurrency, DateTimeZone? programZone, List<string> failures)
    {
        var currency = programCurrency ?? Currency.EUR;
        var zone = programZone ?? DateTimeZone.Utc;
        var compareCurrency = programCurrency is not null;
        var compareZone = programZone is not null;
        var tiers = ReadTiers(options.Tiers, currency, zone, compareCurrency, compareZone, failures);
        var ruleSets = ReadRuleSets(options.RuleSets, currency, zone, compareCurrency, compareZone, failures);
        // Rewards are checked against the configured tier ids even when the ladder itself has problems.
        var tierIds = tiers?.Tiers.Select(t => t.Id.Value).ToList()
            ?? options.Tiers?.Tiers?.Where(t => !string.IsNullOrWhiteSpace(t?.Id)).Select(t => t!.Id!).ToList();
        var rewards = ReadRewards(options.Rewards, currency, compareCurrency, tierIds, failures);
        return (tiers, ruleSets, rewards);
    }

    private static TierLadder? ReadTiers(TierLadderDefinition? definition, Currency currency, DateTimeZone zone, bool compareCurrency, bool compareZone, List<string> failures)
    {
        if (definition is null)
        {
            return null;
        }

        const string path = Prefix + nameof(LoyaltyOptions.Tiers);
        var policy = definition.Policy ?? new TierPolicyDefinition();
        var before = failures.Count;
        if (compareCurrency && policy.Currency is { } stated && !string.Equals(stated, currency.Code, StringComparison.Ordinal))
        {
            failures.Add($"{path}:Policy:Currency is '{stated}' but the programme's currency ({Prefix}Currency) is {currency.Code}; leave it out: the ladder inherits the programme's currency.");
        }

        if (compareZone && policy.TimeZone is { } statedZone && !string.Equals(statedZone, zone.Id, StringComparison.Ordinal))
        {
            failures.Add($"{path}:Policy:TimeZone is '{statedZone}' but the programme's time zone ({Prefix}TimeZone) is {zone.Id}; leave it out: the ladder inherits the programme's time zone.");
        }

        if (failures.Count > before)
        {
            return null;
        }

        try
        {
            return TierLadder.FromDefinition(definition with { Policy = policy with { Currency = currency.Code, TimeZone = zone.Id } });
        }
        catch (TierLadderException ex)
        {
            failures.AddRange(ex.Errors.Select(e => ConfigurationPaths.Rewrite(path, e)));
            return null;
        }
    }

    private static List<EarningRuleSet> ReadRuleSets(IList<EarningRuleSetDefinition>? definitions, Currency currency, DateTimeZone zone, bool compareCurrency, bool compareZone, List<string> failures)
    {
        var result = new List<EarningRuleSet>();
        if (definitions is null)
        {
            return result;
        }

        var before = failures.Count;
        for (var i = 0; i < definitions.Count; i++)
        {
            var path = $"{Prefix}{nameof(LoyaltyOptions.RuleSets)}:{i}";
            if (definitions[i] is not { } definition)
            {
                failures.Add($"{path} is empty; give a rule set with its Version, EffectiveFrom and Rules.");
                continue;
            }

            var setBefore = failures.Count;
            if (compareCurrency && !string.IsNullOrEmpty(definition.Currency) && !string.Equals(definition.Currency, currency.Code, StringComparison.Ordinal))
            {
                failures.Add($"{path}:Currency is '{definition.Currency}' but the programme's currency ({Prefix}Currency) is {currency.Code}; leave it out: the rule set inherits the programme's currency.");
            }

            if (compareZone && !string.IsNullOrEmpty(definition.TimeZone) && !string.Equals(definition.TimeZone, zone.Id, StringComparison.Ordinal))
            {
                failures.Add($"{path}:TimeZone is '{definition.TimeZone}' but the programme's time zone ({Prefix}TimeZone) is {zone.Id}; leave it out: the rule set inherits the programme's time zone.");
            }

            if (definition.EffectiveFrom == default)
            {
                failures.Add($"{path}:EffectiveFrom is required: the instant from which the version is in force, e.g. \"2026-01-01T00:00:00Z\".");
            }

            try
            {
                var ruleSet = EarningRuleSet.Create(definition with { Currency = currency.Code, TimeZone = zone.Id });
                if (failures.Count == setBefore)
                {
                    result.Add(ruleSet);
                }
            }
            catch (EarningRuleSetException ex)
            {
                failures.AddRange(ex.Errors.Select(e => ConfigurationPaths.Rewrite(path, e)));
            }
        }

        if (failures.Count == before)
        {
            for (var i = 0; i < result.Count; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    if (string.Equals(result[i].Version, result[j].Version, StringComparison.Ordinal))
                    {
                        failures.Add($"{Prefix}RuleSets:{i}:Version '{result[i].Version}' is already the version of {Prefix}RuleSets:{j}; every version needs its own label.");
                    }
                    else if (result[i].EffectiveFrom == result[j].EffectiveFrom)
                    {
                        failures.Add($"{Prefix}RuleSets:{i}:EffectiveFrom {result[i].EffectiveFrom} is already the instant of {Prefix}RuleSets:{j}; give each version its own effective instant.");
                    }
                }
            }
        }

        return result;
    }

    private static List<RewardDefinition> ReadRewards(IList<RewardOptions>? rewards, Currency currency, bool compareCurrency, List<string>? tiers, List<string> failures)
    {
        var result = new List<RewardDefinition>();
        if (rewards is null)
        {
            return result;
        }

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rewards.Count; i++)
        {
            var path = $"{Prefix}{nameof(LoyaltyOptions.Rewards)}:{i}";
            if (rewards[i] is not { } reward)
            {
                failures.Add($"{path} is empty; give a reward with its Id, Name, Kind and Cost.");
                continue;
            }

            if (ReadReward(reward, path, currency, compareCurrency, tiers, failures) is { } definition)
            {
                if (ids.TryGetValue(definition.Id.Value, out var first))
                {
                    failures.Add($"{path}:Id '{definition.Id}' is already the id of {Prefix}Rewards:{first}; every reward needs its own id.");
                }
                else
                {
                    ids.Add(definition.Id.Value, i);
                    result.Add(definition);
                }
            }
        }

        return result;
    }

    private static RewardDefinition? ReadReward(RewardOptions o, string path, Currency currency, bool compareCurrency, List<string>? tiers, List<string> failures)
    {
        var before = failures.Count;
        RewardId id = default;
        if (string.IsNullOrWhiteSpace(o.Id))
        {
            failures.Add($"{path}:Id is required, e.g. \"voucher-5\".");
        }
        else if (!ValidId(o.Id))
        {
            failures.Add($"{path}:Id '{o.Id}' is not a valid id; use 1 to {Identifier.MaxLength} characters without control characters or surrounding spaces.");
        }
        else
        {
            id = RewardId.From(o.Id);
        }

        if (string.IsNullOrWhiteSpace(o.Name))
        {
            failures.Add($"{path}:Name is required: the name members see, e.g. \"5 € voucher\".");
        }

        if (compareCurrency && o.Currency is { } stated && !string.Equals(stated, currency.Code, StringComparison.Ordinal))
        {
            failures.Add($"{path}:Currency is '{stated}' but the programme's currency ({Prefix}Currency) is {currency.Code}; leave it out: the reward inherits the programme's currency.");
        }

        var kind = o.Kind;
        if (kind is null)
        {
            failures.Add($"{path}:Kind is required; use one of {string.Join(", ", Enum.GetNames<RewardKind>())}.");
        }
        else if (!Enum.IsDefined(kind.Value))
        {
            failures.Add($"{path}:Kind {(int)kind.Value} is not defined; use one of {string.Join(", ", Enum.GetNames<RewardKind>())}.");
            kind = null;
        }

        var payWithPoints = kind == RewardKind.PayWithPoints;
        if (payWithPoints)
        {
            if (o.Cost is not null)
            {
                failures.Add($"{path}:Cost does not apply to a PayWithPoints reward (the member chooses the points); leave it out and set PayWithPoints.");
            }
        }
        else if (o.Cost is not { } given || given <= 0)
        {
            failures.Add($"{path}:Cost must be greater than 0 (was {Show(o.Cost)}): the points one redemption costs.");
        }

        Only(kind == RewardKind.AmountOffVoucher, o.AmountOff is not null, "AmountOff", "AmountOffVoucher");
        Only(kind == RewardKind.PercentageDiscount, o.Percentage is not null, "Percentage", "PercentageDiscount");
        Only(kind == RewardKind.GiftProduct, o.GiftSku is not null, "GiftSku", "GiftProduct");
        Only(payWithPoints, o.PayWithPoints is not null, "PayWithPoints", "PayWithPoints");

        switch (kind)
        {
            case RewardKind.AmountOffVoucher when o.AmountOff is not { } amount || amount <= 0m:
                failures.Add($"{path}:AmountOff must be greater than 0 (was {Show(o.AmountOff)}): the amount off in {currency.Code}, e.g. 5.00.");
                break;
            case RewardKind.PercentageDiscount when o.Percentage is not { } percentage || percentage <= 0m || percentage > 100m:
                failures.Add($"{path}:Percentage must be greater than 0 and at most 100 (was {Show(o.Percentage)}), e.g. 10 for 10 % off.");
                break;
            case RewardKind.GiftProduct when string.IsNullOrWhiteSpace(o.GiftSku):
                failures.Add($"{path}:GiftSku is required for a GiftProduct: the SKU of the gift, e.g. \"TOTE-BAG\".");
                break;
            case RewardKind.PayWithPoints when o.PayWithPoints is not { } terms:
                failures.Add($"{path}:PayWithPoints is required for a PayWithPoints reward: RatePoints, RateWorth, MinimumPoints and MaximumShareOfOrder.");
                break;
            case RewardKind.PayWithPoints:
                var t = o.PayWithPoints!;
                if (t.RatePoints <= 0)
                {
                    failures.Add($"{path}:PayWithPoints:RatePoints must be greater than 0 (was {t.RatePoints}), e.g. 100 in \"100 points = 1.00\".");
                }

                if (t.RateWorth <= 0m)
                {
                    failures.Add($"{path}:PayWithPoints:RateWorth must be greater than 0 (was {Show(t.RateWorth)}), e.g. 1.00 in \"100 points = 1.00 {currency.Code}\".");
                }
                else if (t.RatePoints > 0 && t.RateWorth > PayWithPointsTerms.MaxWorthPerPoint * t.RatePoints)
                {
                    failures.Add($"{path}:PayWithPoints:RateWorth must be at most {PayWithPointsTerms.MaxWorthPerPoint.ToString(CultureInfo.InvariantCulture)} per point (was {Show(t.RateWorth)} for {t.RatePoints} points).");
                }

                if (t.MinimumPoints < 0)
                {
                    failures.Add($"{path}:PayWithPoints:MinimumPoints must be 0 or more (was {t.MinimumPoints}).");
                }

                if (t.MaximumShareOfOrder <= 0m || t.MaximumShareOfOrder > 1m)
                {
                    failures.Add($"{path}:PayWithPoints:MaximumShareOfOrder must be greater than 0 and at most 1 (was {Show(t.MaximumShareOfOrder)}), e.g. 0.5 for half the order.");
                }

                break;
        }

        if (o.RequiredTier is { } tier)
        {
            if (!ValidId(tier))
            {
                failures.Add($"{path}:RequiredTier '{tier}' is not a valid tier id.");
            }
            else if (tiers is not null && !tiers.Contains(tier, StringComparer.Ordinal))
            {
                failures.Add($"{path}:RequiredTier '{tier}' is not a tier of {Prefix}Tiers; use one of {string.Join(", ", tiers)}.");
            }
        }

        if (o.Stock is < 0)
        {
            failures.Add($"{path}:Stock must be 0 or more (was {o.Stock}); leave it out for unlimited.");
        }
        else if (o.Stock is not null && payWithPoints)
        {
            failures.Add($"{path}:Stock does not apply to a PayWithPoints reward; limit it with PayWithPoints:MinimumPoints and MaximumShareOfOrder.");
        }

        if (o.ValidFrom is { } from && o.ValidUntil is { } until && until <= from)
        {
            failures.Add($"{path}:ValidUntil ({until}) must be after ValidFrom ({from}); the reward is offered from ValidFrom until ValidUntil (exclusive).");
        }

        if (o.CostToShop is < 0m)
        {
            failures.Add($"{path}:CostToShop must be 0 or more (was {Show(o.CostToShop)}): what one redemption costs the shop in {currency.Code}.");
        }

        if (failures.Count > before)
        {
            return null;
        }

        var cost = Points.FromInt64(o.Cost ?? 0);
        var definition = kind switch
        {
            RewardKind.AmountOffVoucher => RewardDefinition.AmountOffVoucher(id, o.Name!, cost, Money.FromDecimal(o.AmountOff!.Value, currency)),
            RewardKind.PercentageDiscount => RewardDefinition.PercentageDiscount(id, o.Name!, cost, o.Percentage!.Value),
            RewardKind.FreeShipping => RewardDefinition.FreeShipping(id, o.Name!, cost),
            RewardKind.GiftProduct => RewardDefinition.GiftProduct(id, o.Name!, cost, o.GiftSku!),
            _ => RewardDefinition.PayWithPoints(id, o.Name!, PayWithPointsTerms.Create(
                Points.FromInt64(o.PayWithPoints!.RatePoints),
                Money.FromDecimal(o.PayWithPoints.RateWorth, currency),
                Points.FromInt64(o.PayWithPoints.MinimumPoints),
                o.PayWithPoints.MaximumShareOfOrder)),
        };
        if (o.RequiredTier is { } required)
        {
            definition = definition.WithRequiredTier(TierId.From(required));
        }

        if (o.Stock is { } stock)
        {
            definition = definition.WithStock(stock);
        }

        if (o.ValidFrom is not null || o.ValidUntil is not null)
        {
            definition = definition.WithValidity(o.ValidFrom, o.ValidUntil);
        }

        if (o.CostToShop is { } costToShop)
        {
            definition = definition.WithCostToShop(Money.FromDecimal(costToShop, currency));
        }

        return definition;

        void Only(bool applies, bool given, string setting, string kindName)
        {
            if (given && !applies && kind is not null)
            {
                failures.Add($"{path}:{setting} applies to a {kindName} reward only; remove it from this {kind} reward.");
            }
        }
    }

    private static bool ValidId(string value)
    {
        try
        {
            Identifier.Validate(value, "id");
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string Show(decimal? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "missing";

    private static string Show(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "missing";
}
