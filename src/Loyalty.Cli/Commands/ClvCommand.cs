using System.ComponentModel;
using System.Globalization;
using System.Text;
using Loyalty.Cli.Infrastructure;
using Loyalty.Cli.Input;
using Loyalty.Cli.Reports;
using Loyalty.Core.Analytics;
using Loyalty.Core.Segmentation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Loyalty.Cli.Commands;

/// <summary>The settings of <c>loyalty clv</c>.</summary>
internal sealed class ClvSettings : OrdersSettings
{
    /// <summary>The time unit of the models.</summary>
    [CommandOption("--unit <UNIT>")]
    [Description("Time unit the models count in: weeks (default) or days. Values do not depend on it; the fitted parameters do.")]
    [DefaultValue("weeks")]
    public string Unit { get; init; } = "weeks";

    /// <summary>The purchase model.</summary>
    [CommandOption("--model <MODEL>")]
    [Description("Purchase model: bg-nbd (default) or pareto-nbd.")]
    [DefaultValue("bg-nbd")]
    public string Model { get; init; } = "bg-nbd";

    /// <summary>The horizon in months.</summary>
    [CommandOption("--horizon <MONTHS>")]
    [Description("Months of future purchases the lifetime value counts.")]
    [DefaultValue(12)]
    public int Horizon { get; init; } = 12;

    /// <summary>The annual discount rate.</summary>
    [CommandOption("--discount-rate <RATE>")]
    [Description("Annual discount rate of future margin, as a fraction (0.10 for 10 % a year; 0 for none).")]
    [DefaultValue("0.10")]
    public string DiscountRate { get; init; } = "0.10";

    /// <summary>The gross margin.</summary>
    [CommandOption("--margin <SHARE>")]
    [Description("Gross margin on the amounts, as a fraction above 0 and at most 1 (0.3 for 30 %); default 1: the value is in revenue.")]
    [DefaultValue("1")]
    public string Margin { get; init; } = "1";

    /// <summary>The L2 penalty of the fits.</summary>
    [CommandOption("--penalty <L2>")]
    [Description("L2 penalty on the models' parameters (e.g. 0.01) when a fit does not converge; default 0.")]
    [DefaultValue("0")]
    public string Penalty { get; init; } = "0";

    /// <summary>The iteration budget of the fits.</summary>
    [CommandOption("--max-iterations <N>")]
    [Description("Iteration budget of each fit.")]
    [DefaultValue(1000)]
    public int MaxIterations { get; init; } = 1000;

    /// <summary>How many customers to show.</summary>
    [CommandOption("--top <N>")]
    [Description("Customers of highest value shown in the table, the JSON and the report (--csv lists them all).")]
    [DefaultValue(20)]
    public int Top { get; init; } = 20;

    /// <summary>The HTML report to write.</summary>
    [CommandOption("--out <REPORT.HTML>")]
    [Description("Write a self-contained HTML report with the lifetime value by segment, the P(alive) distribution and the top customers.")]
    public string? Out { get; init; }

    /// <summary>The customers CSV to write.</summary>
    [CommandOption("--csv <CLV.CSV>")]
    [Description("Write every customer's lifetime value as CSV, highest first.")]
    public string? Csv { get; init; }

    /// <summary>The parsed unit.</summary>
    public TimeUnit TimeUnit { get; private set; } = TimeUnit.Weeks;

    /// <summary>The parsed model.</summary>
    public PurchaseModelKind ModelKind { get; private set; } = PurchaseModelKind.BgNbd;

    /// <summary>The parsed discount rate.</summary>
    public double AnnualDiscountRate { get; private set; } = 0.10;

    /// <summary>The parsed margin.</summary>
    public double MarginShare { get; private set; } = 1;

    /// <summary>The parsed penalty.</summary>
    public double L2Penalty { get; private set; }

    /// <inheritdoc />
    public override ValidationResult Validate()
    {
        var result = base.Validate();
        if (!result.Successful)
        {
            return result;
        }

        if (Window is not null)
        {
            return ValidationResult.Error("--window: clv fits its models on each customer's whole history up to the as-of date (a window would misdate first purchases); leave --window out.");
        }

        switch (Unit.ToLowerInvariant())
        {
            case "weeks": TimeUnit = TimeUnit.Weeks; break;
            case "days": TimeUnit = TimeUnit.Days; break;
            default: return ValidationResult.Error($"--unit: '{Unit}' is not a time unit; use weeks or days.");
        }

        switch (Model.ToLowerInvariant())
        {
            case "bg-nbd": ModelKind = PurchaseModelKind.BgNbd; break;
            case "pareto-nbd": ModelKind = PurchaseModelKind.ParetoNbd; break;
            default: return ValidationResult.Error($"--model: '{Model}' is not a purchase model; use bg-nbd or pareto-nbd.");
        }

        if (Horizon is < 1 or > LifetimeValueOptions.MaxMonths)
        {
            return ValidationResult.Error($"--horizon: {Horizon} is not a number of months between 1 and {LifetimeValueOptions.MaxMonths}; give e.g. 12 or 36.");
        }

        if (!TryNumber(DiscountRate, out var rate) || rate < 0)
        {
            return ValidationResult.Error($"--discount-rate: '{DiscountRate}' is not a rate of 0 or more; write it as a fraction with a dot, e.g. 0.10 for 10 % a year.");
        }

        if (!TryNumber(Margin, out var margin) || margin <= 0 || margin > 1)
        {
            return ValidationResult.Error($"--margin: '{Margin}' is not a share above 0 and at most 1; write it as a fraction with a dot, e.g. 0.3 for a 30 % gross margin.");
        }

        if (!TryNumber(Penalty, out var penalty) || penalty < 0)
        {
            return ValidationResult.Error($"--penalty: '{Penalty}' is not a number of 0 or more; write it with a dot, e.g. 0.01.");
        }

        if (MaxIterations < 1)
        {
            return ValidationResult.Error($"--max-iterations: {MaxIterations} is not 1 or more; give e.g. 1000.");
        }

        if (Top < 0)
        {
            return ValidationResult.Error($"--top: {Top} is negative; give how many customers to show, 0 or more.");
        }

        AnnualDiscountRate = rate;
        MarginShare = margin;
        L2Penalty = penalty;
        return ValidationResult.Success();
    }

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
}

/// <summary>
/// <c>loyalty clv</c>: customer lifetime value from the library's lifetime-value analysis
/// (BG/NBD or Pareto/NBD purchases × Gamma-Gamma spend), per customer and per RFMP segment.
/// </summary>
/// <param name="console">Where to write.</param>
internal sealed class ClvCommand(CliConsole console) : OrdersCommand<ClvSettings>(console)
{
    /// <inheritdoc />
    protected override int Run(ClvSettings settings)
    {
        var asOf = ResolveAsOf(settings);
        var (results, lines) = ReadOrders(settings, p => p.ToArray());
        var purchases = (Purchase[])results[0]!;
        var options = new LifetimeValueAnalysisOptions
        {
            TimeZone = settings.Format.TimeZone,
            Currency = settings.Format.Currency,
            CalibrationEnd = asOf,
            Unit = settings.TimeUnit,
            Model = settings.ModelKind,
            Fit = new FitOptions { L2Penalty = settings.L2Penalty, MaxIterations = settings.MaxIterations },
            Value = new LifetimeValueOptions { Months = settings.Horizon, AnnualDiscountRate = settings.AnnualDiscountRate, Margin = settings.MarginShare },
        };

        var result = WithStatus(settings, "fitting the models", () => Analyse(settings.File, settings.MaxIterations, purchases, options));

        var analysis = new ClvAnalysis(result, asOf, lines, purchases.Count(p => p.PlacedAt.InZone(settings.Format.TimeZone).Date > asOf), settings.Format.Currency.Code);
        var texts = new Texts(settings.OutputCulture);
        if (settings.Csv is { } csv)
        {
            WriteFileAtomically(csv, "--csv", stream => WriteCustomers(stream, analysis));
        }

        if (settings.Out is { } html)
        {
            var page = new HtmlReport(texts, settings.File, lines, asOf, null);
            ClvSections.AddTo(page, analysis, settings.Top);
            WriteFileAtomically(html, "--out", page.WriteTo);
        }

        if (settings.Json)
        {
            WriteJson(ClvSections.ToJson(analysis, settings.File, settings.Top));
        }
        else
        {
            ClvSections.Render(Console.Out, texts, analysis, settings.File, settings.Top);
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// Runs the library's analysis. Data the models cannot use (<see cref="ArgumentException"/>)
    /// is an input error naming the file; a fit that does not converge
    /// (<see cref="InvalidOperationException"/>) is a usage error whose fix is given in the tool's options.
    /// </summary>
    /// <param name="file">The orders file, for messages.</param>
    /// <param name="maxIterations">The iteration budget, for the advice.</param>
    /// <param name="purchases">The purchases.</param>
    /// <param name="options">The options.</param>
    /// <returns>The analysis.</returns>
    internal static LifetimeValueAnalysis Analyse(string file, int maxIterations, Purchase[] purchases, LifetimeValueAnalysisOptions options)
    {
        try
        {
            return LifetimeValueAnalysis.Run(purchases, options);
        }
        catch (ArgumentException ex)
        {
            var message = ex.ParamName is { } name ? ex.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : ex.Message;
            throw new InputException($"{file}: {message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            const string LibraryAdvice = "; set FitOptions.L2Penalty";
            var cut = ex.Message.IndexOf(LibraryAdvice, StringComparison.Ordinal);
            var message = cut < 0 ? ex.Message.TrimEnd('.') : ex.Message[..cut];
            throw new UsageException($"{message}; give --penalty 0.01, raise --max-iterations (now {maxIterations}), or choose a later --as-of for a longer calibration period.");
        }
    }

    private static void WriteCustomers(Stream stream, ClvAnalysis analysis)
    {
        using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        writer.Write("rank,customer,repeat_purchases,recency,age,p_alive,expected_purchases,expected_average_spend,clv\n");
        foreach (var c in analysis.Result.Report.Customers)
        {
            var id = c.Customer.ToString();
            id = id.AsSpan().IndexOfAny(",\"\r\n") < 0 ? id : "\"" + id.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"{c.Rank},{id},{c.Frequency},{c.Recency:0.####},{c.Age:0.####},{c.ProbabilityAlive:0.######},{c.ExpectedPurchases:0.######},{c.ExpectedAverageSpend:0.####},{c.Value:0.####}\n"));
        }
    }
}
