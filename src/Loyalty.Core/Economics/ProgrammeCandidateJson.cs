using System.Globalization;
using System.Text.Json;
using Loyalty.Core.Earning;
using Loyalty.Core.Ledger;
using Loyalty.Core.Primitives;
using Loyalty.Core.Rewards;
using Loyalty.Core.Tiers;
using NodaTime;

namespace Loyalty.Core.Economics;

/// <summary>Reads <see cref="ProgrammeCandidate"/> JSON; every error names its JSON path.</summary>
internal static class ProgrammeCandidateJson
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "name", "ruleSet", "ruleSets", "tiers", "pendingPeriodDays", "expiry", "rewards", "redemption", "costPerPoint",
    };

    public static ProgrammeCandidate Read(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The programme candidate is not valid JSON: {e.Message}", nameof(json), e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad("$", "must be a JSON object with name, ruleSet, tiers, pendingPeriodDays, expiry, rewards and redemption");
            }

            foreach (var property in root.EnumerateObject())
            {
                if (!Known.Contains(property.Name))
                {
                    throw Bad("$." + property.Name, $"is not a known property; use {string.Join(", ", Known.Order(StringComparer.Ordinal))}");
                }
            }

            var name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(n.GetString())
                ? n.GetString()!
                : throw Bad("$.name", "is required: a short name for the candidate");
            var ruleSets = new List<EarningRuleSet>();
            if (root.TryGetProperty("ruleSet", out var single))
            {
                ruleSets.Add(RuleSet(single, "$.ruleSet"));
            }

            if (root.TryGetProperty("ruleSets", out var many))
            {
                if (many.ValueKind != JsonValueKind.Array)
                {
                    throw Bad("$.ruleSets", "must be an array of rule sets");
                }

                var i = 0;
                foreach (var item in many.EnumerateArray())
                {
                    ruleSets.Add(RuleSet(item, $"$.ruleSets[{i++}]"));
                }
            }

            if (ruleSets.Count == 0)
            {
                throw Bad("$.ruleSet", "is required: the earning rule set, as EarningRuleSet JSON");
            }

            var currency = ruleSets[0].Currency;
            TierLadder? tiers = null;
            if (root.TryGetProperty("tiers", out var t) && t.ValueKind != JsonValueKind.Null)
            {
                tiers = Wrap("$.tiers", () => TierLadder.FromJson(t.GetRawText()));
            }

            var pending = Duration.Zero;
            if (root.TryGetProperty("pendingPeriodDays", out var p))
            {
                var days = Number(p, "$.pendingPeriodDays");
                if (days < 0m || days > 3650m)
                {
                    throw Bad("$.pendingPeriodDays", $"must be between 0 and 3650 (was {days.ToString(CultureInfo.InvariantCulture)})");
                }

                pending = Duration.FromTicks((long)(days * NodaConstants.TicksPerDay));
            }

            var expiry = root.TryGetProperty("expiry", out var e) ? Expiry(e) : ExpiryPolicy.Never;
            var rewards = root.TryGetProperty("rewards", out var r) ? Rewards(r, currency) : RewardCatalog.Empty;
            var redemption = root.TryGetProperty("redemption", out var b) ? Redemption(b) : RedemptionBehaviour.None;
            PointValuation? valuation = null;
            if (root.TryGetProperty("costPerPoint", out var c))
            {
                var cost = Number(c, "$.costPerPoint");
                valuation = Wrap("$.costPerPoint", () => PointValuation.PerPoint(Money.FromDecimal(cost, currency)));
            }

            return Wrap("$", () => new ProgrammeCandidate(name, ruleSets.ToArray())
            {
                Tiers = tiers ?? new ProgrammeCandidate(name, ruleSets.ToArray()).Tiers,
                PendingPeriod = pending,
                Expiry = expiry,
                Rewards = rewards,
                Redemption = redemption,
                Valuation = valuation,
            });
        }
    }

    private static EarningRuleSet RuleSet(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Object
            ? Wrap(path, () => EarningRuleSet.FromJson(element.GetRawText()))
            : throw Bad(path, "must be an EarningRuleSet JSON object");

    private static ExpiryPolicy Expiry(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw Bad("$.expiry", "must be an object such as {\"policy\": \"Rolling\", \"months\": 12, \"roundUpTo\": \"EndOfMonth\"}");
        }

        var policy = e.TryGetProperty("policy", out var k) ? Enum<ExpiryPolicyKind>(k, "$.expiry.policy") : ExpiryPolicyKind.None;
        int Int(string name) => e.TryGetProperty(name, out var v) ? (int)Number(v, "$.expiry." + name) : 0;
        var rounding = e.TryGetProperty("roundUpTo", out var ru) ? Enum<ExpiryRounding>(ru, "$.expiry.roundUpTo") : ExpiryRounding.None;
        return Wrap("$.expiry", () => policy switch
        {
            ExpiryPolicyKind.Rolling when Int("days") > 0 && Int("months") > 0 => throw Bad("$.expiry", "give days or months, not both"),
            ExpiryPolicyKind.Rolling when Int("days") > 0 => ExpiryPolicy.RollingDays(Int("days"), rounding),
            ExpiryPolicyKind.Rolling => ExpiryPolicy.RollingMonths(Int("months"), rounding),
            ExpiryPolicyKind.FixedCalendar => ExpiryPolicy.FixedCalendar(Int("month"), Int("day"), Int("yearsAfter")),
            ExpiryPolicyKind.Inactivity => ExpiryPolicy.Inactivity(Int("months")),
            _ => ExpiryPolicy.Never,
        });
    }

    private static RewardCatalog Rewards(JsonElement r, Currency currency)
    {
        if (r.ValueKind != JsonValueKind.Array)
        {
            throw Bad("$.rewards", "must be an array of rewards");
        }

        var list = new List<RewardDefinition>();
        var i = 0;
        foreach (var item in r.EnumerateArray())
        {
            var path = $"$.rewards[{i++}]";
            string Text(string name) => item.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Bad(path + "." + name, "is required (a string)");
            decimal Dec(string name) => item.TryGetProperty(name, out var v) ? Number(v, path + "." + name) : throw Bad(path + "." + name, "is required (a number)");
            var kind = item.TryGetProperty("kind", out var k) ? Enum<RewardKind>(k, path + ".kind") : throw Bad(path + ".kind", "is required: AmountOffVoucher, PercentageDiscount, FreeShipping or GiftProduct");
            var reward = Wrap(path, () =>
            {
                var id = RewardId.From(Text("id"));
                var name = Text("name");
                var points = Points.FromInt64((long)Dec("points"));
                var made = kind switch
                {
                    RewardKind.AmountOffVoucher => RewardDefinition.AmountOffVoucher(id, name, points, Money.FromDecimal(Dec("amountOff"), currency)),
                    RewardKind.PercentageDiscount => RewardDefinition.PercentageDiscount(id, name, points, Dec("percentage")),
                    RewardKind.FreeShipping => RewardDefinition.FreeShipping(id, name, points),
                    RewardKind.GiftProduct => RewardDefinition.GiftProduct(id, name, points, Text("sku")),
                    _ => throw Bad(path + ".kind", "PayWithPoints is not simulated by backtests; use AmountOffVoucher, PercentageDiscount, FreeShipping or GiftProduct"),
                };
                if (item.TryGetProperty("costToShop", out _))
                {
                    made = made.WithCostToShop(Money.FromDecimal(Dec("costToShop"), currency));
                }

                if (item.TryGetProperty("requiredTier", out var tier) && tier.ValueKind == JsonValueKind.String)
                {
                    made = made.WithRequiredTier(TierId.From(tier.GetString()!));
                }

                if (item.TryGetProperty("stock", out _))
                {
                    made = made.WithStock((long)Dec("stock"));
                }

                return made;
            });
            list.Add(reward);
        }

        return Wrap("$.rewards", () => RewardCatalog.Create(list));
    }

    private static RedemptionBehaviour Redemption(JsonElement b)
    {
        if (b.ValueKind != JsonValueKind.Object)
        {
            throw Bad("$.redemption", "must be an object such as {\"model\": \"BestAffordable\", \"probability\": 0.3}");
        }

        var model = b.TryGetProperty("model", out var m) ? Enum<RedemptionModel>(m, "$.redemption.model") : RedemptionModel.None;
        if (model == RedemptionModel.None)
        {
            return RedemptionBehaviour.None;
        }

        var probability = b.TryGetProperty("probability", out var p) ? (double)Number(p, "$.redemption.probability") : throw Bad("$.redemption.probability", "is required for BestAffordable (between 0 and 1)");
        return Wrap("$.redemption.probability", () => RedemptionBehaviour.BestAffordable(probability));
    }

    private static decimal Number(JsonElement v, string path) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out var d) ? d : throw Bad(path, $"must be a number (was {v.GetRawText()})");

    private static TEnum Enum<TEnum>(JsonElement v, string path)
        where TEnum : struct, Enum =>
        v.ValueKind == JsonValueKind.String && System.Enum.TryParse<TEnum>(v.GetString(), ignoreCase: true, out var value) && System.Enum.IsDefined(value) && !int.TryParse(v.GetString(), out _)
            ? value
            : throw Bad(path, $"must be one of {string.Join(", ", System.Enum.GetNames<TEnum>())} (was {v.GetRawText()})");

    private static T Wrap<T>(string path, Func<T> make)
    {
        try
        {
            return make();
        }
        catch (ArgumentException e) when (!e.Message.StartsWith("Programme candidate ", StringComparison.Ordinal))
        {
            throw Bad(path, e.Message);
        }
        catch (Exception e) when (e is EarningRuleSetException or TierLadderException or JsonException or FormatException)
        {
            throw Bad(path, e.Message);
        }
    }

    private static ArgumentException Bad(string path, string message) => new($"Programme candidate {path}: {message}", "json");
}
