using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Loyalty.Core.Earning;

/// <summary>Plain-language fragments for member-facing rule descriptions (English).</summary>
internal static class Describer
{
    public static string PointsWord(decimal value) => value == 1m ? "point" : "points";

    public static string Date(LocalDate date) => LocalDatePattern.Iso.Format(date);

    public static string Time(LocalTime time) => time.ToString("HH:mm", CultureInfo.InvariantCulture);

    public static string List(IReadOnlyList<string> items) => items.Count switch
    {
        0 => string.Empty,
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1],
    };

    public static string Lines(LineSelector selector)
    {
        var parts = new List<string>();
        if (selector.Categories is { Count: > 0 } categories)
        {
            parts.Add(string.Join(" or ", categories));
        }

        if (selector.Brands is { Count: > 0 } brands)
        {
            parts.Add(string.Join(" or ", brands) + " products");
        }

        if (selector.Skus is { Count: > 0 } skus)
        {
            parts.Add("item " + string.Join(" or ", skus));
        }

        return string.Join(" or ", parts);
    }

    public static string Ordinal(int n)
    {
        var suffix = (n % 100) is 11 or 12 or 13 ? "th" : (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" };
        return n.ToString(CultureInfo.InvariantCulture) + suffix;
    }

    public static string Period(CapPeriod period) => period switch
    {
        CapPeriod.Day => "a day",
        CapPeriod.Week => "a week",
        CapPeriod.Month => "a month",
        _ => "a year",
    };

    public static string Describe(EarningRule rule, EarningRuleSet ruleSet)
    {
        if (rule.Description is { } custom)
        {
            return custom;
        }

        var text = rule.DescribeAction(ruleSet);
        if (rule.Condition is { } condition)
        {
            text += " " + condition.Describe(ruleSet);
        }

        if (rule.Caps is { } caps)
        {
            var limits = new List<string>();
            if (caps.PerOrder is { } perOrder)
            {
                limits.Add($"up to {perOrder} points per {(rule.IsActivityRule ? "activity" : "order")}");
            }

            if (caps.PerMember is { } perMember)
            {
                if (perMember.MaxAwards is { } awards)
                {
                    limits.Add(awards == 1 ? $"once {Period(perMember.Period)}" : $"at most {awards} times {Period(perMember.Period)}");
                }

                if (perMember.MaxPoints is { } maxPoints)
                {
                    limits.Add($"up to {maxPoints} points {Period(perMember.Period)}");
                }
            }

            if (caps.CampaignBudget is not null)
            {
                limits.Add("while the campaign lasts");
            }

            if (limits.Count > 0)
            {
                text += ", " + List(limits);
            }
        }

        return text + ".";
    }
}
