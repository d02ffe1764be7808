using Spectre.Console.Cli;

namespace Loyalty.Cli.Commands;

/// <summary>
/// The list of the tool's commands. Adding a command is one class (a
/// <see cref="OrdersCommand{TSettings}"/> for a command that reads orders, or any Spectre
/// <c>Command&lt;TSettings&gt;</c>) and one line here.
/// </summary>
internal static class CommandCatalog
{
    /// <summary>Registers every command.</summary>
    /// <param name="config">The Spectre configurator.</param>
    public static void Register(IConfigurator config)
    {
        config.AddCommand<RfmpCommand>("rfmp")
            .WithDescription("RFMP scores and segments per customer, the segment table, and movements against an earlier date.")
            .WithExample("rfmp", "data/cdnow-excerpt.csv", "--currency", "USD", "--compare-to", "1997-12-31", "--out", "rfmp.html");
        config.AddCommand<CohortsCommand>("cohorts")
            .WithDescription("Retention by first-purchase month (cohort) and the monthly churn rate.")
            .WithExample("cohorts", "data/cdnow-excerpt.csv", "--currency", "USD", "--out", "cohorts.html");
        config.AddCommand<CyclesCommand>("cycles")
            .WithDescription("Purchase cycles of repeat buyers and the customers overdue for their next purchase.")
            .WithExample("cycles", "data/cdnow-excerpt.csv", "--currency", "USD", "--max-lateness", "60");
        config.AddCommand<ClvCommand>("clv")
            .WithDescription("Customer lifetime value (BG/NBD or Pareto/NBD × Gamma-Gamma): fit report, top customers and value per RFMP segment.")
            .WithExample("clv", "data/cdnow-excerpt.csv", "--currency", "USD", "--horizon", "12", "--margin", "0.3", "--out", "clv.html");
        config.AddCommand<BacktestCommand>("backtest")
            .WithDescription("Replay the orders through candidate programmes (JSON): points, redemptions, expiry, liability and reward cost month by month, side by side.")
            .WithExample("backtest", "data/cdnow-excerpt.csv", "--currency", "USD", "--time-zone", "America/New_York", "--programme", "samples/ProgrammeEconomics/programme-a.json", "--programme", "samples/ProgrammeEconomics/programme-b.json", "--out", "backtest.html");
        config.AddCommand<LiabilityCommand>("liability")
            .WithDescription("The liability of a live programme's outstanding points, read from the shop's database (SQLite or PostgreSQL): by state and by expiry.")
            .WithExample("liability", "--connection", "Data Source=shop.db", "--provider", "sqlite", "--program", "club", "--cost-per-point", "0.01", "--currency", "EUR");
        config.AddCommand<ReportCommand>("report")
            .WithDescription("Every analysis in one self-contained HTML report with charts (English or French).")
            .WithExample("report", "data/cdnow-excerpt.csv", "--currency", "USD", "--culture", "fr-FR", "--out", "rapport.html");
        config.AddCommand<ValidateCommand>("validate")
            .WithDescription("Check a programme configuration (appsettings.json): Loyalty options, tier ladders and earning rule sets, every problem with its path.")
            .WithExample("validate", "samples/ShopIntegration/appsettings.json");
    }
}
