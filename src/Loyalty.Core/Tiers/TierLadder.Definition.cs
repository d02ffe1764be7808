using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Loyalty.Core.Primitives;
using NodaTime;
using NodaTime.Text;

namespace Loyalty.Core.Tiers;

/// <content>Loading a ladder from data (JSON, <c>appsettings.json</c>) and writing it back.</content>
public sealed partial class TierLadder
{
    private static readonly JsonSerializerOptions JsonOptions = CreateJsonOptions();

    /// <summary>Validates a ladder definition (for instance bound from <c>appsettings.json</c>) and creates the ladder.</summary>
    /// <param name="definition">The definition.</param>
    /// <returns>The ladder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="definition"/> is null.</exception>
    /// <exception cref="TierLadderException">The definition has problems; <see cref="TierLadderException.Errors"/> lists all of them with their paths.</exception>
    public static TierLadder FromDefinition(TierLadderDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var errors = new List<string>();
        var policy = ReadPolicy(definition.Policy ?? new TierPolicyDefinition(), errors);
        var tiers = ReadTiers(definition.Tiers, errors);
        if (policy is not null && tiers is not null && policy.QualifyingEarnKinds.Count == 0)
        {
            for (var i = 0; i < tiers.Length; i++)
            {
                if (tiers[i].Thresholds.Any(t => t.Metric == QualifyingMetric.Points))
                {
                    errors.Add(EmptyEarnKindsError(i, tiers[i].Id.ToString()));
                    break;
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new TierLadderException(errors);
        }

        return Create(tiers!, policy);
    }

    /// <summary>Reads, validates and creates a ladder from JSON (the shape of <see cref="TierLadderDefinition"/>, camelCase).</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The ladder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    /// <exception cref="TierLadderException">The JSON is malformed or the ladder has problems.</exception>
    public static TierLadder FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (Internal.JsonText.DescribeInvalidText(json) is { } invalid)
        {
            throw new TierLadderException(invalid);
        }

        TierLadderDefinition? definition;
        try
        {
            definition = JsonSerializer.Deserialize<TierLadderDefinition>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new TierLadderException($"{Internal.JsonText.PathPrefix(ex)}{ex.Message}", ex);
        }

        return FromDefinition(definition ?? throw new TierLadderException("The JSON holds null instead of a tier ladder."));
    }

    /// <summary>The data form of this ladder; <see cref="FromDefinition"/> turns it back into an equivalent ladder.</summary>
    /// <returns>A new definition.</returns>
    public TierLadderDefinition ToDefinition()
    {
        var p = Policy;
        var grace = p.GracePeriod.Equals(Period.Zero) ? null : PeriodPattern.Roundtrip.Format(p.GracePeriod);
        return new TierLadderDefinition
        {
            Policy = new TierPolicyDefinition
            {
                Window = p.Window.Kind,
                WindowMonths = p.Window.Kind == QualificationWindowKind.RollingMonths ? p.Window.Months : null,
                Validity = p.Validity.Kind,
                ValidityMonths = p.Validity.Kind == StatusValidityKind.FixedMonths ? p.Validity.Months : null,
                Downgrade = p.Downgrade,
                GracePeriod = grace,
                Refunds = p.Refunds,
                QualifyingEarnKinds = p.QualifyingEarnKinds.ToArray(),
                TimeZone = p.TimeZone.Id,
                Currency = p.Currency?.Code,
            },
            Tiers = tiers.Select(t => new TierLevelDefinition
            {
                Id = t.Id.Value,
                Name = t.Name,
                Combination = t.Combination,
                Thresholds = t.Thresholds.Select(th => new TierThresholdDefinition { Metric = th.Metric, Value = th.Minimum }).ToArray(),
                EarnMultiplier = t.Benefits.EarnMultiplier,
                Perks = t.Benefits.Perks.Order(StringComparer.Ordinal).ToArray(),
            }).ToArray(),
        };
    }

    /// <summary>Writes the ladder as JSON; <see cref="FromJson"/> reads it back into an equivalent ladder.</summary>
    /// <returns>The JSON text (camelCase, enums as camelCase strings, indented).</returns>
    public string ToJson() => JsonSerializer.Serialize(ToDefinition(), JsonOptions);

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = true,
            AllowTrailingCommas = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private static TierPolicy? ReadPolicy(TierPolicyDefinition d, List<string> errors)
    {
        var before = errors.Count;
        var window = QualificationWindow.CalendarYear;
        switch (d.Window)
        {
            case QualificationWindowKind.RollingMonths:
                if (d.WindowMonths is not { } wm || wm < 1 || wm > QualificationWindow.MaxRollingMonths)
                {
                    errors.Add($"policy.windowMonths must be between 1 and {QualificationWindow.MaxRollingMonths} for a rollingMonths window (was {Show(d.WindowMonths)}).");
                }
                else
                {
                    window = QualificationWindow.RollingMonths(wm);
                }

                break;
            case QualificationWindowKind.CalendarYear or QualificationWindowKind.AnniversaryYear or QualificationWindowKind.Lifetime:
                window = d.Window switch
                {
                    QualificationWindowKind.AnniversaryYear => QualificationWindow.AnniversaryYear,
                    QualificationWindowKind.Lifetime => QualificationWindow.Lifetime,
                    _ => QualificationWindow.CalendarYear,
                };
                if (d.WindowMonths is not null)
                {
                    errors.Add($"policy.windowMonths applies to a rollingMonths window only; leave it out for {Camel(d.Window.ToString())}.");
                }

                break;
            default:
                errors.Add($"policy.window {(int)d.Window} is not defined; use calendarYear, rollingMonths, anniversaryYear or lifetime.");
                break;
        }

        var validity = StatusValidity.EndOfFollowingPeriod;
        switch (d.Validity)
        {
            case StatusValidityKind.FixedMonths:
                if (d.ValidityMonths is not { } vm || vm < 1 || vm > StatusValidity.MaxMonths)
                {
                    errors.Add($"policy.validityMonths must be between 1 and {StatusValidity.MaxMonths} for a fixedMonths validity (was {Show(d.ValidityMonths)}).");
                }
                else
                {
                    validity = StatusValidity.FixedMonths(vm);
                }

                break;
            case StatusValidityKind.EndOfFollowingPeriod or StatusValidityKind.EndOfCurrentPeriod:
                validity = d.Validity == StatusValidityKind.EndOfCurrentPeriod ? StatusValidity.EndOfCurrentPeriod : StatusValidity.EndOfFollowingPeriod;
                if (d.ValidityMonths is not null)
                {
                    errors.Add($"policy.validityMonths applies to a fixedMonths validity only; leave it out for {Camel(d.Validity.ToString())}.");
                }

                break;
            default:
                errors.Add($"policy.validity {(int)d.Validity} is not defined; use endOfFollowingPeriod, endOfCurrentPeriod or fixedMonths.");
                break;
        }

        if (!Enum.IsDefined(d.Downgrade))
        {
            errors.Add($"policy.downgrade {(int)d.Downgrade} is not defined; use oneLevel, toComputed or never.");
        }

        if (!Enum.IsDefined(d.Refunds))
        {
            errors.Add($"policy.refunds {(int)d.Refunds} is not defined; use revokeUpgrade or keepStatus.");
        }

        var grace = Period.Zero;
        if (d.GracePeriod is { } text)
        {
            var parsed = PeriodPattern.Roundtrip.Parse(text);
            if (!parsed.Success)
            {
                errors.Add($"policy.gracePeriod \"{text}\" is not an ISO 8601 period; use a form such as \"P1M\" or \"P30D\".");
            }
            else if (GracePeriodError(parsed.Value, text) is { } graceError)
            {
                errors.Add(graceError);
            }
            else
            {
                grace = parsed.Value;
            }
        }

        IReadOnlyCollection<EarnKind> kinds = [EarnKind.Purchase];
        if (d.QualifyingEarnKinds is { } list)
        {
            var seen = new HashSet<EarnKind>();
            for (var i = 0; i < list.Count; i++)
            {
                if (!Enum.IsDefined(list[i]))
                {
                    errors.Add($"policy.qualifyingEarnKinds[{i}] {(int)list[i]} is not defined; use purchase, activity, bonus or adjustment.");
                }
                else if (!seen.Add(list[i]))
                {
                    errors.Add($"policy.qualifyingEarnKinds[{i}] {Camel(list[i].ToString())} is listed more than once; list each earn kind once.");
                }
            }

            kinds = list.ToArray();
        }

        var zone = DateTimeZone.Utc;
        if (d.TimeZone is { } zoneId)
        {
            var found = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId);
            if (found is null)
            {
                errors.Add($"policy.timeZone must be an IANA time zone id such as \"Europe/Paris\" (was \"{zoneId}\").");
            }
            else
            {
                zone = found;
            }
        }

        Currency? currency = null;
        if (d.Currency is { } code)
        {
            if (Currency.TryFromCode(code, out var c))
            {
                currency = c;
            }
            else
            {
                errors.Add($"policy.currency must be an ISO 4217 currency code such as \"EUR\" (was \"{code}\").");
            }
        }

        if (errors.Count > before)
        {
            return null;
        }

        return new TierPolicy
        {
            Window = window,
            Validity = validity,
            Downgrade = d.Downgrade,
            GracePeriod = grace,
            Refunds = d.Refunds,
            QualifyingEarnKinds = kinds,
            TimeZone = zone,
            Currency = currency,
        };
    }

    private static TierDefinition[]? ReadTiers(IReadOnlyList<TierLevelDefinition?>? levels, List<string> errors)
    {
        if (levels is null || levels.Count == 0)
        {
            errors.Add("tiers must list at least one tier; put the entry tier (for instance Bronze) first.");
            return null;
        }

        var before = errors.Count;
        var result = new TierDefinition?[levels.Count];
        var firstIndexById = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < levels.Count; i++)
        {
            var path = $"tiers[{i}]";
            var level = levels[i];
            if (level is null)
            {
                errors.Add($"{path} must not be null.");
                continue;
            }

            var tierErrors = errors.Count;
            TierId id = default;
            if (string.IsNullOrWhiteSpace(level.Id))
            {
                errors.Add($"{path}.id must not be empty; give an id such as \"gold\".");
            }
            else
            {
                try
                {
                    id = TierId.From(level.Id);
                    if (!firstIndexById.TryAdd(level.Id, i))
                    {
                        errors.Add($"{path}.id '{level.Id}' is already the id of tiers[{firstIndexById[level.Id]}]; every tier id must be unique.");
                    }
                }
                catch (ArgumentException ex)
                {
                    errors.Add($"{path}.id is invalid: {FirstLine(ex)}");
                }
            }

            if (string.IsNullOrWhiteSpace(level.Name))
            {
                errors.Add($"{path}.name must not be empty; give a display name such as \"Gold\".");
            }

            if (!Enum.IsDefined(level.Combination))
            {
                errors.Add($"{path}.combination {(int)level.Combination} is not defined; use allOf or anyOf.");
            }

            var thresholds = ReadThresholds(level.Thresholds, path, i, errors);

            if (level.EarnMultiplier <= 0m)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{path}.earnMultiplier must be greater than 0 (was {level.EarnMultiplier}); use 1 for no bonus."));
            }
            else if (level.EarnMultiplier > Earning.EarningLimits.MaxMultiplier)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{path}.earnMultiplier must be at most {Earning.EarningLimits.MaxMultiplier} (was {level.EarnMultiplier})."));
            }

            var perks = level.Perks ?? [];
            var seenPerks = new HashSet<string>(StringComparer.Ordinal);
            for (var k = 0; k < perks.Count; k++)
            {
                var perk = perks[k];
                if (string.IsNullOrWhiteSpace(perk))
                {
                    errors.Add($"{path}.perks[{k}] must not be empty; use a key such as \"free-shipping\".");
                }
                else if (perk.Trim().Length != perk.Length)
                {
                    errors.Add($"{path}.perks[{k}] \"{perk}\" must not start or end with whitespace; trim it.");
                }
                else if (!seenPerks.Add(perk))
                {
                    errors.Add($"{path}.perks[{k}] \"{perk}\" is listed more than once; list each perk once.");
                }
            }

            if (errors.Count == tierErrors && thresholds is not null)
            {
                result[i] = TierDefinition.Create(id, level.Name!, level.Combination, thresholds, TierBenefits.Create(level.EarnMultiplier, perks!));
            }
        }

        // Ordering: strictly increasing minimum per metric from one tier to the next.
        for (var i = 1; i < levels.Count; i++)
        {
            if (levels[i] is not { } upper || levels[i - 1] is not { } lower)
            {
                continue;
            }

            var upperThresholds = upper.Thresholds ?? [];
            for (var k = 0; k < upperThresholds.Count; k++)
            {
                if (upperThresholds[k] is not { } t)
                {
                    continue;
                }

                foreach (var l in lower.Thresholds ?? [])
                {
                    if (l is not null && l.Metric == t.Metric && t.Value > 0m && l.Value > 0m && t.Value <= l.Value)
                    {
                        errors.Add(OrderingError(i, k, l.Value, t.Metric, t.Value));
                    }
                }
            }
        }

        return errors.Count > before ? null : Array.ConvertAll(result, t => t!);
    }

    private static TierThreshold[]? ReadThresholds(IReadOnlyList<TierThresholdDefinition?>? list, string tierPath, int rank, List<string> errors)
    {
        list ??= [];
        if (rank == 0)
        {
            if (list.Count != 0)
            {
                errors.Add($"{tierPath}.thresholds must be empty: every member holds the lowest tier from enrolment; add an entry tier below it.");
                return null;
            }

            return [];
        }

        if (list.Count == 0)
        {
            errors.Add($"{tierPath}.thresholds must list at least one threshold; every tier above the lowest needs one.");
            return null;
        }

        var before = errors.Count;
        var result = new TierThreshold[list.Count];
        var seen = new HashSet<QualifyingMetric>();
        for (var k = 0; k < list.Count; k++)
        {
            var path = $"{tierPath}.thresholds[{k}]";
            if (list[k] is not { } t)
            {
                errors.Add($"{path} must not be null.");
                continue;
            }

            if (!Enum.IsDefined(t.Metric))
            {
                errors.Add($"{path}.metric {(int)t.Metric} is not defined; use points, spend or orders.");
                continue;
            }

            if (!seen.Add(t.Metric))
            {
                errors.Add($"{path}.metric {Camel(t.Metric.ToString())} is repeated; give at most one threshold per metric.");
            }

            if (t.Value <= 0m)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{path}.value must be greater than 0 (was {t.Value})."));
                continue;
            }

            switch (t.Metric)
            {
                case QualifyingMetric.Spend:
                    result[k] = TierThreshold.FromSpend(t.Value);
                    break;
                case QualifyingMetric.Points when t.Value == decimal.Truncate(t.Value) && t.Value <= long.MaxValue:
                    result[k] = TierThreshold.FromPoints((long)t.Value);
                    break;
                case QualifyingMetric.Orders when t.Value == decimal.Truncate(t.Value) && t.Value <= int.MaxValue:
                    result[k] = TierThreshold.FromOrders((int)t.Value);
                    break;
                default:
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"{path}.value must be a whole number of {Camel(t.Metric.ToString())} (was {t.Value})."));
                    break;
            }
        }

        return errors.Count > before ? null : result;
    }

    private static string Show(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "missing";

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private static string FirstLine(ArgumentException ex)
    {
        var message = ex.Message;
        var cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return cut < 0 ? message : message[..cut];
    }
}
