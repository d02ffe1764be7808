using System.Text.Json.Serialization;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Earning;

/// <summary>
/// A typed, composable condition on an order or activity and its member. Conditions are data
/// (never expression strings compiled as code) and serialise to JSON with a <c>type</c> field.
/// </summary>
/// <remarks>
/// Immutable records; build them with <see cref="Conditions"/>. Calendar conditions are
/// evaluated on the local date and time of the order (or activity) in the rule set's time zone.
/// </remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(AllCondition), "all")]
[JsonDerivedType(typeof(AnyCondition), "any")]
[JsonDerivedType(typeof(NotCondition), "not")]
[JsonDerivedType(typeof(SubtotalCondition), "subtotal")]
[JsonDerivedType(typeof(LineCondition), "line")]
[JsonDerivedType(typeof(ChannelCondition), "channel")]
[JsonDerivedType(typeof(StoreCondition), "store")]
[JsonDerivedType(typeof(CouponCondition), "coupon")]
[JsonDerivedType(typeof(DateWindowCondition), "dateWindow")]
[JsonDerivedType(typeof(TimeOfDayCondition), "timeOfDay")]
[JsonDerivedType(typeof(DaysOfWeekCondition), "daysOfWeek")]
[JsonDerivedType(typeof(TierCondition), "tier")]
[JsonDerivedType(typeof(SegmentCondition), "segment")]
[JsonDerivedType(typeof(OrderCountCondition), "orderCount")]
public abstract record EarningCondition
{
    private protected EarningCondition()
    {
    }

    internal abstract ConditionFailure Check(in EvaluationContext context);

    internal abstract void Validate(string path, List<string> errors);

    internal abstract string Describe(EarningRuleSet ruleSet);

    private protected static string JoinOr(IReadOnlyList<string>? values) => values is null ? string.Empty : string.Join(" or ", values);
}

/// <summary>True when every inner condition is true (true when empty is not allowed: at least one is required).</summary>
public sealed record AllCondition : EarningCondition
{
    /// <summary>The inner conditions.</summary>
    public IReadOnlyList<EarningCondition> Conditions { get; init; } = [];

    internal override ConditionFailure Check(in EvaluationContext context)
    {
        var conditions = Conditions;
        for (var i = 0; i < conditions.Count; i++)
        {
            var failure = conditions[i].Check(context);
            if (failure != ConditionFailure.None)
            {
                return failure;
            }
        }

        return ConditionFailure.None;
    }

    internal override void Validate(string path, List<string> errors) => ConditionList.Validate(Conditions, path, errors);

    internal override string Describe(EarningRuleSet ruleSet) => string.Join(" and ", Conditions.Select(c => c.Describe(ruleSet)));
}

/// <summary>True when at least one inner condition is true.</summary>
public sealed record AnyCondition : EarningCondition
{
    /// <summary>The inner conditions.</summary>
    public IReadOnlyList<EarningCondition> Conditions { get; init; } = [];

    internal override ConditionFailure Check(in EvaluationContext context)
    {
        var allWindow = true;
        var conditions = Conditions;
        for (var i = 0; i < conditions.Count; i++)
        {
            var failure = conditions[i].Check(context);
            if (failure == ConditionFailure.None)
            {
                return ConditionFailure.None;
            }

            allWindow &= failure == ConditionFailure.Window;
        }

        return allWindow ? ConditionFailure.Window : ConditionFailure.Condition;
    }

    internal override void Validate(string path, List<string> errors) => ConditionList.Validate(Conditions, path, errors);

    internal override string Describe(EarningRuleSet ruleSet) => "(" + string.Join(" or ", Conditions.Select(c => c.Describe(ruleSet))) + ")";
}

/// <summary>True when the inner condition is false.</summary>
public sealed record NotCondition : EarningCondition
{
    /// <summary>The inner condition.</summary>
    public EarningCondition? Condition { get; init; }

    internal override ConditionFailure Check(in EvaluationContext context) =>
        Condition!.Check(context) == ConditionFailure.None ? ConditionFailure.Condition : ConditionFailure.None;

    internal override void Validate(string path, List<string> errors)
    {
        if (Condition is null)
        {
            errors.Add($"{path}.condition is required.");
        }
        else
        {
            Condition.Validate(path + ".condition", errors);
        }
    }

    internal override string Describe(EarningRuleSet ruleSet) => "not " + Condition!.Describe(ruleSet);
}

/// <summary>
/// True when the order's merchandise subtotal (line net amounts after line discounts, gift cards,
/// shipping and tax excluded) is at least <see cref="Min"/> and below <see cref="Max"/>.
/// Always false for an activity.
/// </summary>
public sealed record SubtotalCondition : EarningCondition
{
    /// <summary>The inclusive lower bound, or null.</summary>
    public decimal? Min { get; init; }

    /// <summary>The exclusive upper bound, or null.</summary>
    public decimal? Max { get; init; }

    internal override ConditionFailure Check(in EvaluationContext context) =>
        context.Order is not null && (Min is not { } min || context.MerchandiseSubtotal >= min) && (Max is not { } max || context.MerchandiseSubtotal < max)
            ? ConditionFailure.None
            : ConditionFailure.Condition;

    internal override void Validate(string path, List<string> errors) => Ranges.Validate(Min, Max, path, errors);

    internal override string Describe(EarningRuleSet ruleSet) => (Min, Max) switch
    {
        ({ } min, { } max) => $"when the basket is between {min} and {max} {ruleSet.Currency}",
        ({ } min, null) => $"when the basket is {min} {ruleSet.Currency} or more",
        (null, { } max) => $"when the basket is under {max} {ruleSet.Currency}",
        _ => "on any basket",
    };
}

/// <summary>True when at least one line of the order matches <see cref="Lines"/>. Always false for an activity.</summary>
public sealed record LineCondition : EarningCondition
{
    /// <summary>The selector.</summary>
    public LineSelector? Lines { get; init; }

    internal override ConditionFailure Check(in EvaluationContext context)
    {
        if (context.Order is { } order)
        {
            var lines = order.Lines;
            for (var i = 0; i < lines.Count; i++)
            {
                if (Lines!.Matches(lines[i]))
                {
                    return ConditionFailure.None;
                }
            }
        }

        return ConditionFailure.Condition;
    }

    internal override void Validate(string path, List<string> errors)
    {
        if (Lines is null)
        {
            errors.Add($"{path}.lines is required.");
        }
        else
        {
            Lines.Validate(path + ".lines", errors);
        }
    }

    internal override string Describe(EarningRuleSet ruleSet) => "when the basket holds " + Describer.Lines(Lines!);
}

/// <summary>True when the order came through one of <see cref="Channels"/>. Always false for an activity.</summary>
public sealed record ChannelCondition : EarningCondition
{
    /// <summary>The channels.</summary>
    public IReadOnlyList<string> Channels { get; init; } = [];

    internal override ConditionFailure Check(in EvaluationContext context) =>
        context.Order?.Channel is { } channel && LineSelector.Contains(Channels, channel) ? ConditionFailure.None : ConditionFailure.Condition;

    internal override void Validate(string path, List<string> errors) => StringSet.Validate(Channels, path + ".channels", errors);

    internal override string Describe(EarningRuleSet ruleSet) => "when ordering on " + JoinOr(Channels);
}

/// <summary>True when the order was placed in one of <see cref="Stores"/>. Always false for an activity.</summary>
public sealed record StoreCondition : EarningCondition
{
    /// <summary>The stores.</summary>
    public IReadOnlyList<MerchantId> Stores { get; init; } = [];

    internal override ConditionFailure Check(in EvaluationContext context)
    {
        if (context.Order?.Store is { } store)
        {
            for (var i = 0; i < Stores.Count; i++)
            {
                if (Stores[i] == store)
                {
                    return ConditionFailure.None;
                }
            }
        }

        return ConditionFailure.Condition;
    }

    internal override void Validate(string path, List<string> errors)
    {
        if (Stores is null || Stores.Count == 0)
        {
            errors.Add($"{path}.stores must list at least one store.");
            return;
        }

        for (var i = 0; i < Stores.Count; i++)
        {
            if (Stores[i].IsDefault)
            {
                errors.Add($"{path}.stores[{i}] must be a store id, not default(MerchantId).");
            }
        }
    }

    internal override string Describe(EarningRuleSet ruleSet) => "in store " + string.Join(" or ", Stores);
}

/// <summary>True when the order used one of <see cref="Coupons"/>. Always false for an activity.</summary>
public sealed record CouponCondition : EarningCondition
{
    /// <summary>The coupon codes.</summary>
    public IReadOnlyList<string> Coupons { get; init; } = [];

    internal override ConditionFailure Check(in EvaluationContext context)
    {
        if (context.Order is { } order)
        {
            var coupons = order.Coupons;
            for (var i = 0; i < coupons.Count; i++)
            {
                if (LineSelector.Contains(Coupons, coupons[i]))
                {
                    return ConditionFailure.None;
                }
            }
        }

        return ConditionFailure.Condition;
    }

    internal override void Validate(string path, List<string> errors) => StringSet.Validate(Coupons, path + ".coupons", errors);

    internal override string Describe(EarningRuleSet ruleSet) => "with coupon " + JoinOr(Coupons);
}

/// <summary>True when the local date (rule set time zone) is between <see cref="From"/> and <see cref="To"/>, both inclusive.</summary>
public sealed record DateWindowCondition : EarningCondition
{
    /// <summary>The first day, or null.</summary>
    public LocalDate? From { get; init; }

    /// <summary>The last day, or null.</summary>
    public LocalDate? To { get; init; }

    internal override ConditionFailure Check(in EvaluationContext context)
    {
        var date = context.Local.Date;
        return (From is not { } from || date >= from) && (To is not { } to || date <= to) ? ConditionFailure.None : ConditionFailure.Window;
    }

    internal override void Validate(string path, List<string> errors)
    {
        if (From is null && To is null)
        {
            errors.Add($"{path} must set from, to or both.");
        }
        else if (From is { } from && To is { } to && to < from)
        {
            errors.Add($"{path}.to must be on or after from ({Describer.Date(from)}) (was {Describer.Date(to)}).");
        }
    }

    internal override string Describe(EarningRuleSet ruleSet) => (From, To) switch
    {
        ({ } from, { } to) => $"from {Describer.Date(from)} to {Describer.Date(to)}",
        ({ } from, null) => $"from {Describer.Date(from)}",
        (null, { } to) => $"until {Describer.Date(to)}",
        _ => "at any date",
    };
}

/// <summary>
/// True when the local time of day (rule set time zone) is at or after <see cref="From"/> and
/// before <see cref="To"/>; when <see cref="To"/> is earlier than <see cref="From"/> the window
/// spans midnight (22:00–02:00).
/// </summary>
public sealed record TimeOfDayCondition : EarningCondition
{
    /// <summary>The start of the window (inclusive).</summary>
    public LocalTime From { get; init; }

    /// <summary>The end of the window (exclusive).</summary>
    public LocalTime To { get; init; }

    internal override ConditionFailure Check(in EvaluationContext context)
    {
        var time = context.Local.TimeOfDay;
        var inside = From <= To ? time >= From && time < To : time >= From || time < To;
        return inside ? ConditionFailure.None : ConditionFailure.Window;
    }

    internal override void Validate(string path, List<string> errors)
    {
        if (From == To)
        {
            errors.Add($"{path}.to must differ from from ({Describer.Time(From)}); the window would be empty.");
        }
    }

    internal override string Describe(EarningRuleSet ruleSet) => $"between {Describer.Time(From)} and {Describer.Time(To)}";
}

/// <summary>True when the local day of the week (rule set time zone) is one of <see cref="Days"/>.</summary>
public sealed record DaysOfWeekCondition : EarningCondition
{
    /// <summary>The days.</summary>
    public IReadOnlyList<IsoDayOfWeek> Days { get; init; } = [];

    internal override ConditionFailure Check(in EvaluationContext context)
    {
        var day = context.Local.DayOfWeek;
        for (var i = 0; i < Days.Count; i++)
        {
            if (Days[i] == day)
            {
                return ConditionFailure.None;
            }
        }

        return ConditionFailure.Window;
    }

    internal override void Validate(string path, List<string> errors)
    {
        if (Days is null || Days.Count == 0)
        {
            errors.Add($"{path}.days must list at least one day.");
            return;
        }

        for (var i = 0; i < Days.Count; i++)
        {
            if (Days[i] is < IsoDayOfWeek.Monday or > IsoDayOfWeek.Sunday)
            {
                errors.Add($"{path}.days[{i}] must be a day from Monday to Sunday (was {(int)Days[i]}).");
            }
        }
    }

    internal override string Describe(EarningRuleSet ruleSet) => "on " + string.Join(" and ", Days.Select(d => d + "s"));
}

/// <summary>True when the member's tier is one of <see cref="Tiers"/>.</summary>
public sealed record TierCondition : EarningCondition
{
    /// <summary>The tiers.</summary>
    public IReadOnlyList<TierId> Tiers { get; init; } = [];

    internal override ConditionFailure Check(in EvaluationContext context)
    {
        if (context.Member.Tier is { } tier)
        {
            for (var i = 0; i < Tiers.Count; i++)
            {
                if (Tiers[i] == tier)
                {
                    return ConditionFailure.None;
                }
            }
        }

        return ConditionFailure.Condition;
    }

    internal override void Validate(string path, List<string> errors)
    {
        if (Tiers is null || Tiers.Count == 0)
        {
            errors.Add($"{path}.tiers must list at least one tier.");
            return;
        }

        for (var i = 0; i < Tiers.Count; i++)
        {
            if (Tiers[i].IsDefault)
            {
                errors.Add($"{path}.tiers[{i}] must be a tier id, not default(TierId).");
            }
        }
    }

    internal override string Describe(EarningRuleSet ruleSet) => "for " + string.Join(" or ", Tiers) + " members";
}

/// <summary>True when the member carries at least one of <see cref="Segments"/>.</summary>
public sealed record SegmentCondition : EarningCondition
{
    /// <summary>The segment labels.</summary>
    public IReadOnlyList<string> Segments { get; init; } = [];

    internal override ConditionFailure Check(in EvaluationContext context)
    {
        var memberSegments = context.Member.Segments;
        for (var i = 0; i < memberSegments.Count; i++)
        {
            if (LineSelector.Contains(Segments, memberSegments[i]))
            {
                return ConditionFailure.None;
            }
        }

        return ConditionFailure.Condition;
    }

    internal override void Validate(string path, List<string> errors) => StringSet.Validate(Segments, path + ".segments", errors);

    internal override string Describe(EarningRuleSet ruleSet) => "for members in " + JoinOr(Segments);
}

/// <summary>
/// True when the number of orders the member placed before this one is at least
/// <see cref="Min"/> and at most <see cref="Max"/> (both inclusive).
/// </summary>
public sealed record OrderCountCondition : EarningCondition
{
    /// <summary>The inclusive lower bound, or null.</summary>
    public int? Min { get; init; }

    /// <summary>The inclusive upper bound, or null.</summary>
    public int? Max { get; init; }

    internal override ConditionFailure Check(in EvaluationContext context)
    {
        var count = context.Member.PreviousOrderCount;
        return (Min is not { } min || count >= min) && (Max is not { } max || count <= max) ? ConditionFailure.None : ConditionFailure.Condition;
    }

    internal override void Validate(string path, List<string> errors)
    {
        if (Min is null && Max is null)
        {
            errors.Add($"{path} must set min, max or both.");
        }

        if (Min is < 0)
        {
            errors.Add($"{path}.min must be 0 or greater (was {Min}).");
        }

        if (Min is { } min && Max is { } max && max < min)
        {
            errors.Add($"{path}.max must be greater than or equal to min ({min}) (was {max}).");
        }
    }

    internal override string Describe(EarningRuleSet ruleSet) => (Min, Max) switch
    {
        ({ } min, { } max) => $"after {min} to {max} earlier orders",
        ({ } min, null) => $"after at least {min} earlier orders",
        (null, { } max) => $"after at most {max} earlier orders",
        _ => "after any number of orders",
    };
}

/// <summary>Builds conditions fluently.</summary>
public static class Conditions
{
    /// <summary>All of the conditions.</summary>
    /// <param name="conditions">The conditions.</param>
    /// <returns>The condition.</returns>
    public static EarningCondition All(params EarningCondition[] conditions) => new AllCondition { Conditions = conditions };

    /// <summary>Any of the conditions.</summary>
    /// <param name="conditions">The conditions.</param>
    /// <returns>The condition.</returns>
    public static EarningCondition Any(params EarningCondition[] conditions) => new AnyCondition { Conditions = conditions };

    /// <summary>The negation of a condition.</summary>
    /// <param name="condition">The condition.</param>
    /// <returns>The condition.</returns>
    public static EarningCondition Not(EarningCondition condition) => new NotCondition { Condition = condition };

    /// <summary>A merchandise subtotal range: at least <paramref name="min"/>, below <paramref name="max"/>.</summary>
    /// <param name="min">Inclusive lower bound, or null.</param>
    /// <param name="max">Exclusive upper bound, or null.</param>
    /// <returns>The condition.</returns>
    public static EarningCondition Subtotal(decimal? min = null, decimal? max = null) => new SubtotalCondition { Min = min, Max = max };

    /// <summary>At least one line matches.</summary>
    /// <param name="lines">The selector.</param>
    /// <returns>The condition.</returns>
    public static EarningCondition AnyLine(LineSelector lines) => new LineCondition { Lines = lines };

    /// <summary>The order came through one of the channels.</summary>
    /// <param name="channels">The channels.</param>
    /// <returns>The condition.</returns>
    public static EarningCondition Channel(params string[] channels) => new ChannelCondition { Channels = channels };

    /// <summary>The order was placed in one of the stores.</summary>
    /// <param name="stores">The stores.</param>
    /// <returns>The condition.</returns>
    public static EarningCondition Store(params MerchantId[] stores) => new StoreCondition { Stores = stores };

    /// <summary>The order used one of the coupons.</summary>
    /// <param name="coupons">The coupon codes.</param>
    /// <returns>The condition.</returns>
    public static EarningCondition Coupon(params string[] coupons) => new CouponCondition { Coupons = coupons };

    /// <summary>The local date is within a window (both ends inclusive).</summary>
    /// <param name="from">The first day, or null.</param>
    /// <param name="to">The last day, or null.</param>
    /// <returns>The condition.</returns>
    public static EarningCondition Between(LocalDate? from, LocalDate? to) => new DateWindowCondition { From = from, To = to };

    /// <summary>The local time of day is within [from, to).</summary>
    /// <param name="from">Start (inclusive).</param>
    /// <param name="to">End (exclusive); earlier than <paramref name="from"/> to span midnight.</param>
    /// <returns>The condition.</returns>
    public static EarningCondition TimeOfDay(LocalTime from, LocalTime to) => new TimeOfDayCondition { From = from, To = to };

    /// <summary>The local day of the week is one of the days.</summary>
    /// <param name="days">The days.</param>
    /// <returns>The condition.</returns>
    public static EarningCondition DaysOfWeek(params IsoDayOfWeek[] days) => new DaysOfWeekCondition { Days = days };

    /// <summary>The member is in one of the tiers.</summary>
    /// <param name="tiers">The tiers.</param>
    /// <returns>The condition.</returns>
    public static EarningCondition Tier(params TierId[] tiers) => new TierCondition { Tiers = tiers };

    /// <summary>The member carries one of the segment labels.</summary>
    /// <param name="segments">The labels.</param>
    /// <returns>The condition.</returns>
    public static EarningCondition Segment(params string[] segments) => new SegmentCondition { Segments = segments };

    /// <summary>The member's number of earlier orders is within [min, max].</summary>
    /// <param name="min">Inclusive lower bound, or null.</param>
    /// <param name="max">Inclusive upper bound, or null.</param>
    /// <returns>The condition.</returns>
    public static EarningCondition OrderCount(int? min = null, int? max = null) => new OrderCountCondition { Min = min, Max = max };
}

/// <summary>Why a condition is false.</summary>
internal enum ConditionFailure
{
    None = 0,
    Condition = 1,
    Window = 2,
}

internal static class ConditionList
{
    public static void Validate(IReadOnlyList<EarningCondition>? conditions, string path, List<string> errors)
    {
        if (conditions is null || conditions.Count == 0)
        {
            errors.Add($"{path}.conditions must hold at least one condition.");
            return;
        }

        for (var i = 0; i < conditions.Count; i++)
        {
            if (conditions[i] is null)
            {
                errors.Add($"{path}.conditions[{i}] must not be null.");
            }
            else
            {
                conditions[i].Validate($"{path}.conditions[{i}]", errors);
            }
        }
    }
}

internal static class StringSet
{
    public static void Validate(IReadOnlyList<string>? values, string path, List<string> errors)
    {
        if (values is null || values.Count == 0)
        {
            errors.Add($"{path} must list at least one value.");
            return;
        }

        LineSelector.CheckList(values, path, errors);
    }
}

internal static class Ranges
{
    public static void Validate(decimal? min, decimal? max, string path, List<string> errors)
    {
        if (min is null && max is null)
        {
            errors.Add($"{path} must set min, max or both.");
        }

        if (min is < 0m)
        {
            errors.Add($"{path}.min must be 0 or greater (was {min}).");
        }

        if (min is { } lo && max is { } hi && hi <= lo)
        {
            errors.Add($"{path}.max must be greater than min ({lo}) (was {hi}).");
        }
    }
}
