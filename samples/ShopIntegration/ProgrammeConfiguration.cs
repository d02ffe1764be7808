using System.Text.Json;
using System.Text.Json.Nodes;
using Loyalty.Core.Earning;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Tiers;
using Microsoft.Extensions.Configuration;

/// <summary>One reward of the "Programme:Rewards" list, as configuration binds it.</summary>
public sealed class RewardSettings
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public RewardKind Kind { get; set; }

    public long Cost { get; set; }

    public decimal? AmountOff { get; set; }

    public decimal? Percentage { get; set; }

    public string? GiftSku { get; set; }

    public string? RequiredTier { get; set; }

    public long? Stock { get; set; }
}

/// <summary>
/// The programme read from configuration and validated before the host starts: the earning rule
/// set, the tier ladder and the rewards catalogue. Every problem is reported at once, with its
/// configuration path, and the shop does not start with a broken programme.
/// </summary>
public sealed record ProgrammeConfiguration(EarningRuleSet EarningRules, TierLadder Tiers, RewardCatalog Rewards)
{
    public const string SectionName = "Programme";

    /// <summary>Reads and validates the programme.</summary>
    /// <param name="configuration">The host's configuration (for the ladder and the rewards).</param>
    /// <param name="appSettingsPath">The appsettings.json file, whose "Programme:EarningRules" object is
    /// read verbatim: a rule set's JSON is typed (numbers, lists of rules of several kinds), which
    /// configuration's string values would lose.</param>
    /// <param name="currency">The programme's currency (Loyalty:Currency).</param>
    /// <exception cref="InvalidOperationException">The programme is invalid; the message lists every error.</exception>
    public static ProgrammeConfiguration Load(IConfiguration configuration, string appSettingsPath, Currency currency)
    {
        var errors = new List<string>();
        var section = configuration.GetSection(SectionName);

        EarningRuleSet? rules = null;
        try
        {
            var document = JsonNode.Parse(File.ReadAllText(appSettingsPath), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var node = document?[SectionName]?["EarningRules"];
            if (node is null)
            {
                errors.Add($"{SectionName}:EarningRules is missing in {Path.GetFileName(appSettingsPath)}; give the earning rule set as JSON (see docs/earning.md).");
            }
            else
            {
                rules = EarningRuleSet.FromJson(node.ToJsonString());
                if (rules.Currency != currency)
                {
                    errors.Add($"{SectionName}:EarningRules:currency is {rules.Currency} but the programme's currency (Loyalty:Currency) is {currency}; use one currency.");
                }
            }
        }
        catch (EarningRuleSetException ex)
        {
            errors.AddRange(ex.Errors.Select(e => $"{SectionName}:EarningRules: {e}"));
        }
        catch (JsonException ex)
        {
            errors.Add($"{Path.GetFileName(appSettingsPath)} is not valid JSON: {ex.Message}");
        }

        TierLadder? tiers = null;
        try
        {
            var definition = section.GetSection("Tiers").Get<TierLadderDefinition>()
                ?? throw new TierLadderException([$"{SectionName}:Tiers is missing; give at least one tier."]);
            tiers = TierLadder.FromDefinition(definition);
        }
        catch (TierLadderException ex)
        {
            errors.AddRange(ex.Errors.Select(e => $"{SectionName}:Tiers: {e}"));
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"{SectionName}:Tiers: {ex.Message}");
        }

        var rewards = new List<RewardDefinition>();
        var settings = section.GetSection("Rewards").Get<List<RewardSettings>>() ?? [];
        for (var i = 0; i < settings.Count; i++)
        {
            try
            {
                rewards.Add(ToReward(settings[i], currency));
            }
            catch (ArgumentException ex)
            {
                errors.Add($"{SectionName}:Rewards:{i}: {ex.Message}");
            }
        }

        RewardCatalog? catalog = null;
        try
        {
            catalog = RewardCatalog.Create(rewards);
        }
        catch (ArgumentException ex)
        {
            errors.Add($"{SectionName}:Rewards: {ex.Message}");
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("The loyalty programme in the configuration is invalid:" + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", errors));
        }

        return new ProgrammeConfiguration(rules!, tiers!, catalog!);
    }

    private static RewardDefinition ToReward(RewardSettings s, Currency currency)
    {
        if (string.IsNullOrWhiteSpace(s.Id) || string.IsNullOrWhiteSpace(s.Name))
        {
            throw new ArgumentException("Id and Name are required, e.g. \"Id\": \"voucher-5\", \"Name\": \"5 € voucher\".");
        }

        var id = RewardId.From(s.Id);
        var cost = Points.FromInt64(s.Cost);
        var reward = s.Kind switch
        {
            RewardKind.AmountOffVoucher => RewardDefinition.AmountOffVoucher(id, s.Name, cost, Money.FromDecimal(s.AmountOff ?? 0m, currency)),
            RewardKind.PercentageDiscount => RewardDefinition.PercentageDiscount(id, s.Name, cost, s.Percentage ?? 0m),
            RewardKind.FreeShipping => RewardDefinition.FreeShipping(id, s.Name, cost),
            RewardKind.GiftProduct => RewardDefinition.GiftProduct(id, s.Name, cost, s.GiftSku ?? string.Empty),
            _ => throw new ArgumentException($"Kind {s.Kind} cannot be configured here; use AmountOffVoucher, PercentageDiscount, FreeShipping or GiftProduct."),
        };
        if (s.RequiredTier is { } tier)
        {
            reward = reward.WithRequiredTier(TierId.From(tier));
        }

        return s.Stock is { } stock ? reward.WithStock(stock) : reward;
    }
}
